"""The two sources of history: ERPNext's Issue and Frappe Helpdesk's HD Ticket.

A source knows its table, which of its rows are still to import, how to read them as ``SourceRecord``s,
and what belongs to it beyond the records every Frappe document has (Communications, Comments, Files,
ToDos, tags, shares: moved by the importer for both). Helpdesk is read from its tables, not through its
code: the importer works whether or not the ``helpdesk`` app is installed, as long as its tables are.
"""

from abc import ABC, abstractmethod
from datetime import datetime, time, timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime

from support_center.migration import mapping

TICKET_FIELD = "support_center_ticket"


def ensure_issue_field() -> None:
	"""Issue → the Ticket it became (install.ensure_masters). ERPNext is a required app, but a site being
	installed may not have synced it yet."""
	from frappe.custom.doctype.custom_field.custom_field import create_custom_field

	if not frappe.db.exists("DocType", "Issue"):
		return
	if frappe.db.exists("Custom Field", {"dt": "Issue", "fieldname": TICKET_FIELD}):
		return
	create_custom_field(
		"Issue",
		{
			"fieldname": TICKET_FIELD,
			"label": "Support Center Ticket",
			"fieldtype": "Link",
			"options": "Ticket",
			"read_only": 1,
			"no_copy": 1,
			"insert_after": "status",
			"description": "The ticket this issue was imported into; its messages, notes and files are there.",
		},
	)


def _time_of(value) -> time:
	if isinstance(value, time):
		return value
	if isinstance(value, timedelta):
		seconds = int(value.total_seconds()) % 86400
		return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
	return time(0)


def opened_at(opening_date, opening_time, creation) -> datetime | None:
	"""When the request was opened: the record's creation, unless its opening date says an earlier day
	(history that was itself imported into ERPNext keeps its real date there)."""
	created = get_datetime(creation) if creation else None
	if not opening_date:
		return created
	opened = datetime.combine(get_datetime(opening_date).date(), _time_of(opening_time))
	if created and opened.date() >= created.date():
		return created
	return opened


def _dt(value) -> datetime | None:
	return get_datetime(value) if value else None


class Source(ABC):
	doctype: str
	label: str
	# What the record is called in messages ("Issue ISS-2024-00001").
	record_label: str
	status_table: dict
	status_categories: dict | None = None
	columns: tuple[str, ...] = ()
	# Where the source keeps what Frappe's ticket doctypes share under other names.
	type_column: str
	resolved_on_column: str
	resolution_by_column: str
	sla_column: str

	@property
	def table(self) -> str:
		return f"tab{self.doctype}"

	def available(self) -> bool:
		return bool(frappe.db.table_exists(self.doctype, cached=False))

	def unavailable_reason(self) -> str:
		return _("There is no {0} table on this site.").format(self.doctype)

	def prepare(self) -> None:
		"""Schema the source needs (outside any batch: DDL commits); most need none."""
		return

	def common_fields(self, row) -> dict:
		"""The fields Issue and HD Ticket both have (the same Frappe support doctype underneath), for
		mapping.SourceRecord."""
		return {
			"doctype": self.doctype,
			"name": str(row.name),
			"subject": row.get("subject"),
			"description": row.get("description"),
			"status": row.get("status"),
			"priority": row.get("priority"),
			"ticket_type": row.get(self.type_column),
			"contact": row.get("contact"),
			"raised_by": row.get("raised_by"),
			"opened_at": opened_at(row.get("opening_date"), row.get("opening_time"), row.creation),
			"modified": _dt(row.modified),
			"owner": row.owner,
			"modified_by": row.modified_by,
			"first_responded_on": _dt(row.get("first_responded_on")),
			"first_response_seconds": row.get("first_response_time"),
			"resolved_on": _dt(row.get(self.resolved_on_column)),
			"resolution_seconds": row.get("user_resolution_time") or row.get("resolution_time"),
			"response_by": _dt(row.get("response_by")),
			"resolution_by": _dt(row.get(self.resolution_by_column)),
			"agreement_status": row.get("agreement_status"),
			"sla_name": row.get(self.sla_column),
			"via_portal": bool(row.get("via_customer_portal")),
			"email_account": row.get("email_account"),
			"assign": row.get("_assign"),
			"user_tags": row.get("_user_tags"),
		}

	def read_columns(self) -> list[str]:
		"""The columns this site's table has of those the source reads (older versions lack some)."""
		present = set(frappe.db.get_table_columns(self.doctype))
		return [column for column in self.columns if column in present]

	def candidate_names(self, since: datetime | None, name_prefix: str | None = None) -> list[str]:
		"""Records not imported yet (no Ticket names them), oldest first: the tickets are numbered in the
		order the requests came in."""
		conditions = "t.name is null"
		values = {"doctype": self.doctype}
		if since:
			conditions += " and s.creation >= %(since)s"
			values["since"] = since
		if name_prefix:
			conditions += " and s.name like %(prefix)s"
			values["prefix"] = f"{name_prefix}%"
		# The table name is the source's own, never input.
		return frappe.db.sql(  # nosemgrep
			f"""select s.name from `{self.table}` s
			left join `tabTicket` t on t.imported_from = s.name and t.imported_from_doctype = %(doctype)s
			where {conditions} order by s.creation, s.name""",
			values,
			pluck=True,
		)

	def imported_count(self, since: datetime | None) -> int:
		values = {"doctype": self.doctype}
		condition = ""
		if since:
			condition = " and s.creation >= %(since)s"
			values["since"] = since
		return frappe.db.sql(  # nosemgrep
			f"""select count(*) from `tabTicket` t join `{self.table}` s on s.name = t.imported_from
			where t.imported_from_doctype = %(doctype)s{condition}""",
			values,
		)[0][0]

	def rows(self, names: list[str]) -> list[dict]:
		columns = ", ".join(f"`{column}`" for column in self.read_columns())
		return frappe.db.sql(  # nosemgrep
			f"select {columns} from `{self.table}` where name in %(names)s order by creation, name",
			{"names": tuple(names)},
			as_dict=True,
		)

	def distinct(self, column: str, names: list[str], chunk: int = 10_000) -> list[str]:
		"""The distinct non-empty values of ``column`` among these records (read in chunks: a site may
		hand over millions of names)."""
		if column not in self.read_columns() or not names:
			return []
		values: dict[str, None] = {}
		for start in range(0, len(names), chunk):
			values.update(
				dict.fromkeys(
					# The column is checked against the source's own columns above, the table is the
					# source's; names are parameters.
					frappe.db.sql(  # nosemgrep: frappe-using-db-sql
						f"""select distinct `{column}` from `{self.table}`
						where name in %(names)s and ifnull(`{column}`, '') != ''""",
						{"names": tuple(names[start : start + chunk])},
						pluck=True,
					)
				)
			)
		return list(values)

	@abstractmethod
	def records(self, names: list[str]) -> list[mapping.SourceRecord]:
		"""The source rows of these names, mapped to what a Ticket needs."""

	def mark_imported(self, tickets: list[int]) -> int:
		"""Write on the source records which Ticket each became (same transaction as the tickets)."""
		return 0

	def move_extras(self, tickets: list[int]) -> dict[str, int]:
		"""Source-specific history (Helpdesk's own comment doctype)."""
		return {}

	def email_accounts_to_switch(self) -> list[str]:
		"""Email Accounts (and IMAP folders) whose new mail still makes records of this source."""
		accounts = frappe.get_all(
			"Email Account", filters={"enable_incoming": 1, "append_to": self.doctype}, pluck="name"
		)
		folders = frappe.get_all(
			"IMAP Folder",
			filters={"append_to": self.doctype, "parenttype": "Email Account"},
			fields=["parent", "folder_name"],
		)
		enabled = set(frappe.get_all("Email Account", filters={"enable_incoming": 1}, pluck="name"))
		for folder in folders:
			if folder.parent in enabled and folder.parent not in accounts:
				accounts.append(folder.parent)
		return sorted(accounts)


class IssueSource(Source):
	doctype = "Issue"
	label = "ERPNext Issue"
	record_label = "Issue"
	status_table = mapping.ISSUE_STATUSES
	columns = (
		"name",
		"subject",
		"description",
		"status",
		"priority",
		"issue_type",
		"customer",
		"contact",
		"raised_by",
		"opening_date",
		"opening_time",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"first_responded_on",
		"first_response_time",
		"sla_resolution_date",
		"resolution_time",
		"user_resolution_time",
		"response_by",
		"sla_resolution_by",
		"agreement_status",
		"service_level_agreement",
		"via_customer_portal",
		"email_account",
		"_assign",
		"_user_tags",
	)
	type_column = "issue_type"
	team_column = None
	resolved_on_column = "sla_resolution_date"
	resolution_by_column = "sla_resolution_by"
	sla_column = "service_level_agreement"

	def prepare(self) -> None:
		ensure_issue_field()

	def records(self, names: list[str]) -> list[mapping.SourceRecord]:
		return [
			mapping.SourceRecord(**self.common_fields(row), customer=row.get("customer"))
			for row in self.rows(names)
		]

	def mark_imported(self, tickets: list[int]) -> int:
		if not frappe.db.has_column("Issue", TICKET_FIELD):
			return 0
		# One set-based UPDATE ... JOIN per batch; TICKET_FIELD is a module constant, tickets a parameter.
		frappe.db.sql(  # nosemgrep: frappe-using-db-sql
			f"""update `tabIssue` i join `tabTicket` t
				on t.imported_from = i.name and t.imported_from_doctype = 'Issue'
			set i.`{TICKET_FIELD}` = t.name
			where t.name in %(tickets)s""",
			{"tickets": tuple(tickets)},
		)
		return frappe.db._cursor.rowcount


class HelpdeskSource(Source):
	doctype = "HD Ticket"
	label = "Helpdesk ticket"
	record_label = "HD Ticket"
	status_table = mapping.HELPDESK_STATUSES
	status_categories = mapping.HELPDESK_STATUS_CATEGORIES
	# helpdesk/helpdesk/doctype/hd_ticket/hd_ticket.json (frappe/helpdesk, 2026-07).
	columns = (
		"name",
		"subject",
		"description",
		"status",
		"priority",
		"ticket_type",
		"agent_group",
		"customer",
		"contact",
		"raised_by",
		"opening_date",
		"opening_time",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"first_responded_on",
		"first_response_time",
		"resolution_date",
		"resolution_time",
		"user_resolution_time",
		"response_by",
		"resolution_by",
		"agreement_status",
		"sla",
		"via_customer_portal",
		"email_account",
		"feedback_rating",
		"_assign",
		"_user_tags",
	)
	type_column = "ticket_type"
	team_column = "agent_group"
	resolved_on_column = "resolution_date"
	resolution_by_column = "resolution_by"
	sla_column = "sla"

	def __init__(self):
		self.customer_map: dict[str, str] = {}

	def status_category_of(self) -> dict[str, str]:
		if not frappe.db.table_exists("HD Ticket Status", cached=False):
			return {}
		# The query builder, not frappe.get_all: the helpdesk app (and its DocType) may be gone, the table kept.
		status = frappe.qb.DocType("HD Ticket Status")
		return dict(frappe.qb.from_(status).select(status.name, status.category).run())

	def records(self, names: list[str]) -> list[mapping.SourceRecord]:
		categories = self.status_category_of()
		records = []
		for row in self.rows(names):
			hd_customer = row.get("customer")
			records.append(
				mapping.SourceRecord(
					**self.common_fields(row),
					status_category=categories.get(row.get("status")),
					team=row.get("agent_group"),
					# HD Customer → ERPNext Customer (hd_customers, before the batches).
					customer=self.customer_map.get(hd_customer, hd_customer) if hd_customer else None,
					# Helpdesk stores the rating as 0..1, like Frappe's Rating field.
					feedback_rating=row.get("feedback_rating"),
				)
			)
		return records

	def hd_customers(self, names: list[str], create: bool) -> tuple[list[str], list[str]]:
		"""Map the HD Customers of these tickets to ERPNext Customers by name, making missing ones.

		Returns (customers created or to create, problems)."""
		wanted = self.distinct("customer", names)
		if not wanted:
			return [], []
		erpnext_names = {}
		if frappe.db.table_exists("HD Customer", cached=False) and frappe.db.has_column(
			"HD Customer", "erpnext_customer"
		):
			hd_table = frappe.qb.DocType("HD Customer")
			erpnext_names = dict(
				frappe.qb.from_(hd_table)
				.select(hd_table.name, hd_table.erpnext_customer)
				.where(hd_table.name.isin(tuple(wanted)))
				.run()
			)
		candidates = {*wanted, *(value for value in erpnext_names.values() if value)}
		by_name = {}
		customer_table = frappe.qb.DocType("Customer")
		for name, customer_name in (
			frappe.qb.from_(customer_table)
			.select(customer_table.name, customer_table.customer_name)
			.where(
				customer_table.name.isin(tuple(candidates))
				| customer_table.customer_name.isin(tuple(candidates))
			)
		).run():
			by_name.setdefault(name.lower(), name)
			by_name.setdefault((customer_name or "").lower(), name)
		created, problems = [], []
		for hd_customer in wanted:
			customer = mapping.customer_for(hd_customer, erpnext_names.get(hd_customer), by_name)
			if not customer:
				created.append(hd_customer)
				if create:
					try:
						customer = make_customer(hd_customer)
					except Exception as error:
						problems.append(
							_("Customer {0} could not be created: {1}").format(hd_customer, error)
						)
						continue
			if customer:
				self.customer_map[hd_customer] = customer
		return created, problems

	def hd_teams(self, names: list[str], create: bool) -> tuple[dict[str, str], list[str]]:
		"""HD Team → User Group of the same name (made with the team's members when missing)."""
		wanted = self.distinct("agent_group", names)
		teams, created = {}, []
		for team in wanted:
			if frappe.db.exists("User Group", team):
				teams[team] = team
				continue
			created.append(team)
			if not create:
				continue
			members = []
			if frappe.db.table_exists("HD Team Member", cached=False):
				member, user_table = frappe.qb.DocType("HD Team Member"), frappe.qb.DocType("User")
				members = (
					frappe.qb.from_(member)
					.join(user_table)
					.on(user_table.name == member.user)
					.select(member.user)
					.where(member.parent == team)
					.orderby(member.idx)
				).run(pluck=True)
			frappe.get_doc(
				{
					"doctype": "User Group",
					"name": team,
					"user_group_members": [{"user": user} for user in dict.fromkeys(members)],
				}
			).insert(ignore_permissions=True)
			teams[team] = team
		return teams, created

	def move_extras(self, tickets: list[int]) -> dict[str, int]:
		"""HD Ticket Comment → internal notes (Comments on the Ticket), with their authors and times."""
		if not frappe.db.table_exists("HD Ticket Comment", cached=False):
			return {}
		# One set-based INSERT ... SELECT per batch (no document inserts).
		frappe.db.sql(  # nosemgrep: frappe-using-db-sql
			"""insert ignore into `tabComment` (name, creation, modified, modified_by, owner, docstatus, idx,
				comment_type, reference_doctype, reference_name, content, comment_email, comment_by)
			select concat('hd-', c.name), c.creation, c.modified, c.modified_by, c.owner, 0, 0,
				'Comment', 'Ticket', t.name, c.content, c.commented_by, u.full_name
			from `tabHD Ticket Comment` c
			join `tabTicket` t on t.imported_from = c.reference_ticket and t.imported_from_doctype = 'HD Ticket'
			left join `tabUser` u on u.name = c.commented_by
			where t.name in %(tickets)s""",
			{"tickets": tuple(tickets)},
		)
		return {"helpdesk_comments": frappe.db._cursor.rowcount}


def make_customer(name: str) -> str:
	customer = frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_type": "Company"})
	customer.insert(ignore_permissions=True)
	return customer.name


SOURCES = {"Issue": IssueSource, "HD Ticket": HelpdeskSource}


def source_for(doctype: str) -> Source:
	if doctype not in SOURCES:
		frappe.throw(_("Unknown source {0}; known: {1}").format(doctype, ", ".join(SOURCES)))
	return SOURCES[doctype]()
