"""The import: source records become Tickets in batches, each batch one transaction.

Per batch, set-based: one read of the source rows, a handful of lookups (contacts, customers), one
multi-row INSERT of the tickets (numbered from the Ticket sequence, oldest first), then one UPDATE per
kind of history that follows the ticket: Communications (with their Message-IDs and timestamps, so a
reply to an old mail threads onto the new ticket), Communication timeline links, Comments (a Comment on
a Ticket is an internal note), Files (privacy unchanged), ToDos (the assignments), tags, shares and the
Email Queue (Frappe's intake finds the ticket of a reply to mail we sent there). Nothing is copied
except Helpdesk's own comments, and the source records stay readable, each naming its Ticket.

Idempotent and resumable: a record is imported when a Ticket names it (``imported_from_doctype`` +
``imported_from``, unique), and the batch that writes that Ticket also moves its history and commits it
all at once. A crash loses the running batch entirely (the database rolls it back); the next run
starts with the records no Ticket names yet. Only numbers taken from the sequence by a lost batch are
skipped.

No SLA is recomputed for closed history: its facts are the source's measurements (mapping.sla_facts),
and sla.service.kept_as_imported keeps the engine away from them. Open tickets get the matching SLA
Policy, with the clock starting at the import.

Documents' hooks are not run for the history: no acknowledgement is mailed, nobody is assigned again,
and nothing is announced.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import frappe
from frappe import _
from frappe.query_builder import Order
from frappe.utils import get_datetime, now_datetime

from support_center.kpi import replies
from support_center.migration import mapping
from support_center.migration.sources import HelpdeskSource, Source, source_for
from support_center.permissions.customer_input import clean_markup, looks_like_markup

DEFAULT_BATCH_SIZE = 500
ROOT_CATEGORY = "All Topics"
# Rows a record's history lives in, and the columns naming the record: moved, not copied.
HISTORY = (
	("Communication", "reference_doctype", "reference_name", None),
	("Communication Link", "link_doctype", "link_name", None),
	("Comment", "reference_doctype", "reference_name", None),
	("File", "attached_to_doctype", "attached_to_name", None),
	("ToDo", "reference_type", "reference_name", None),
	("Tag Link", "document_type", "document_name", "title"),
	("DocShare", "share_doctype", "share_name", None),
	("Email Queue", "reference_doctype", "reference_name", None),
)
# The Ticket columns the import writes (SLA fields of open tickets come from sla.service).
TICKET_COLUMNS = (
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
	"idx",
	"subject",
	"description",
	"status",
	"priority",
	"category",
	"channel",
	"customer",
	"customer_name",
	"contact",
	"raised_by",
	"raised_by_name",
	"team",
	"responsible",
	"assignment_reason",
	"reopen_count",
	"feedback_rating",
	"first_responded_on",
	"resolved_on",
	"first_response_time",
	"resolution_time",
	"response_due",
	"resolution_due",
	"sla_next_due",
	"sla_warning_at",
	"sla_policy",
	"sla_reason",
	"sla_status",
	"sla_breached_on",
	"sla_notified_status",
	"sla_paused_seconds",
	"sla_clock",
	"imported_from_doctype",
	"imported_from",
	"_assign",
	"_user_tags",
)
SLA_FIELDS = (
	"sla_policy",
	"sla_reason",
	"sla_status",
	"response_due",
	"resolution_due",
	"sla_next_due",
	"sla_warning_at",
	"sla_breached_on",
	"sla_notified_status",
	"sla_paused_seconds",
	"sla_clock",
	"first_response_time",
	"resolution_time",
)
NOTES_KEPT = 1000


class ImportCrash(Exception):
	"""Raised by a test's ``on_batch`` to stop the import as a crash would."""


@dataclass
class ImportOptions:
	since: datetime | None = None
	dry_run: bool = False
	batch_size: int = DEFAULT_BATCH_SIZE
	category_parent: str | None = None
	status_overrides: dict[str, str] = field(default_factory=dict)
	limit: int | None = None
	# Only records whose name starts so (the benchmark's own Issues on a live site).
	name_prefix: str | None = None


@dataclass
class ImportReport:
	source: str
	dry_run: bool
	to_import: int = 0
	already_imported: int = 0
	imported: int = 0
	unmappable: list[tuple[str, str]] = field(default_factory=list)
	notes: list[tuple[str, str]] = field(default_factory=list)
	notes_total: int = 0
	statuses: Counter = field(default_factory=Counter)
	open_tickets: int = 0
	open_with_sla: int = 0
	categories_created: list[str] = field(default_factory=list)
	customers_created: list[str] = field(default_factory=list)
	teams_created: list[str] = field(default_factory=list)
	contacts_created: int = 0
	moved: Counter = field(default_factory=Counter)
	batches: int = 0
	seconds: float = 0.0
	email_accounts: list[str] = field(default_factory=list)
	problems: list[str] = field(default_factory=list)

	def note(self, source: str, text: str) -> None:
		self.notes_total += 1
		if len(self.notes) < NOTES_KEPT:
			self.notes.append((source, text))

	def lines(self, max_notes: int = 100) -> list[str]:
		verb = "would be" if self.dry_run else "were"
		out = [
			f"{self.source}: {self.to_import} to import, {self.already_imported} imported before"
			+ (" (dry run: nothing was changed)" if self.dry_run else ""),
		]
		if not self.dry_run:
			out.append(f"Imported: {self.imported} in {self.batches} batches, {self.seconds:.1f} s")
		out.append("Status mapping:")
		for (source_status, ticket_status), count in sorted(self.statuses.items(), key=str):
			out.append(f"  {source_status or '(none)'} -> {ticket_status or 'NOT MAPPED'}: {count}")
		if self.open_tickets:
			line = f"Open tickets: {self.open_tickets}; the matching SLA Policy applies to them from the import on"
			if not self.dry_run:
				line += f" ({self.open_with_sla} matched one)"
			out.append(line)
		for label, names in (
			("Support Categories that " + verb + " created", self.categories_created),
			("Customers that " + verb + " created", self.customers_created),
			("User Groups (teams) that " + verb + " created", self.teams_created),
		):
			if names:
				out.append(f"{label}: {', '.join(names)}")
		if self.contacts_created:
			out.append(f"Contacts {verb} created for senders without one: {self.contacts_created}")
		if self.moved:
			out.append(
				"Moved to the tickets: "
				+ ", ".join(f"{kind} {count}" for kind, count in sorted(self.moved.items()))
			)
		out.append(f"Cannot be imported: {len(self.unmappable)}")
		out.extend(f"  {name}: {reason}" for name, reason in self.unmappable)
		if self.notes_total:
			out.append(f"Imported with changes: {self.notes_total}")
			out.extend(f"  {name}: {text}" for name, text in self.notes[:max_notes])
			if self.notes_total > max_notes:
				out.append(f"  ... and {self.notes_total - max_notes} more")
		out.extend(f"Problem: {problem}" for problem in self.problems)
		if self.email_accounts:
			out.append(
				f"Email Accounts that still make {self.source} records (set Append To = Ticket): "
				+ ", ".join(self.email_accounts)
			)
		else:
			out.append(f"No Email Account makes {self.source} records any more.")
		return out

	def as_dict(self) -> dict:
		return {
			"source": self.source,
			"dry_run": self.dry_run,
			"to_import": self.to_import,
			"already_imported": self.already_imported,
			"imported": self.imported,
			"unmappable": [list(row) for row in self.unmappable],
			"notes_total": self.notes_total,
			"statuses": [[a, b, count] for (a, b), count in self.statuses.items()],
			"email_accounts": self.email_accounts,
			"seconds": round(self.seconds, 1),
			"lines": self.lines(),
		}


Progress = Callable[[int, int, ImportReport], None]


class Importer:
	def __init__(
		self,
		source: Source | str,
		options: ImportOptions | None = None,
		*,
		progress: Progress | None = None,
		allocate_names: Callable[[int], list[int]] | None = None,
		on_batch: Callable[[int, list[int]], None] | None = None,
		commit: Callable[[], None] | None = None,
		rollback: Callable[[], None] | None = None,
	):
		self.source = source_for(source) if isinstance(source, str) else source
		self.options = options or ImportOptions()
		self.progress = progress
		self.allocate_names = allocate_names or next_ticket_names
		# Between a batch's writes and its commit (a test raises ImportCrash here).
		self.on_batch = on_batch
		# A bench command or job commits each batch; a test makes savepoints instead.
		self.commit = commit or frappe.db.commit
		self.rollback = rollback or frappe.db.rollback
		self.report = ImportReport(source=self.source.label, dry_run=self.options.dry_run)

	# the run
	# -------

	def run(self) -> ImportReport:
		if self.options.batch_size < 1:
			frappe.throw(_("The batch size must be at least 1."))
		if not self.source.available():
			frappe.throw(self.source.unavailable_reason())
		started = time.perf_counter()
		report = self.report
		if not self.options.dry_run:
			self.source.prepare()
		names = self.source.candidate_names(self.options.since, self.options.name_prefix)
		if self.options.limit is not None:
			names = names[: self.options.limit]
		report.to_import = len(names)
		report.already_imported = self.source.imported_count(self.options.since)
		report.email_accounts = self.source.email_accounts_to_switch()
		self.base = self.base_context(names)
		if not self.options.dry_run:
			# Masters made before the first batch are kept even if a batch fails later.
			self.commit()
		done = 0
		for start in range(0, len(names), self.options.batch_size):
			chunk = names[start : start + self.options.batch_size]
			self.import_batch(chunk)
			done += len(chunk)
			if self.progress:
				self.progress(done, len(names), report)
		if self.options.dry_run:
			self.rollback()
		report.seconds = time.perf_counter() - started
		return report

	def base_context(self, names: list[str]) -> mapping.Context:
		"""What every batch shares: priorities, defaults, categories and teams (made here when missing)."""
		create = not self.options.dry_run
		settings = frappe.get_cached_doc("Support Center Settings")
		teams = {}
		if isinstance(self.source, HelpdeskSource):
			created, problems = self.source.hd_customers(names, create)
			self.report.customers_created = created
			self.report.problems += problems
			teams, self.report.teams_created = self.source.hd_teams(names, create)
		categories, self.report.categories_created = self.categories_for(
			self.source.distinct(self.source.type_column, names), create
		)
		category_facts = {
			row.name: {
				"default_priority": row.default_priority,
				"team": row.team,
				"responsible": row.responsible,
			}
			for row in frappe.get_all(
				"Support Category", fields=["name", "default_priority", "team", "responsible"]
			)
		}
		return mapping.Context(
			priorities=frozenset(frappe.get_all("Issue Priority", pluck="name")),
			default_priority=settings.default_priority,
			default_category=settings.default_category,
			categories=categories,
			category_facts=category_facts,
			teams=teams,
			status_table=self.source.status_table,
			status_categories=self.source.status_categories,
			status_overrides=self.options.status_overrides,
			source_label=self.source.label,
		)

	def categories_for(self, types: list[str], create: bool) -> tuple[dict[str, str], list[str]]:
		"""Issue Type → the Support Category of the same name, made under the chosen parent when missing."""
		parent = (
			self.options.category_parent
			or frappe.db.get_single_value("Support Center Settings", "import_category_parent")
			or ROOT_CATEGORY
		)
		if types and not frappe.db.exists("Support Category", parent):
			frappe.throw(_("The parent category {0} does not exist.").format(parent))
		categories, created = {}, []
		for ticket_type in types:
			if frappe.db.exists("Support Category", ticket_type):
				categories[ticket_type] = ticket_type
				continue
			created.append(ticket_type)
			if create:
				if not frappe.db.get_value("Support Category", parent, "is_group"):
					frappe.db.set_value("Support Category", parent, "is_group", 1)
				frappe.get_doc(
					{
						"doctype": "Support Category",
						"title": ticket_type,
						"parent_support_category": parent,
					}
				).insert(ignore_permissions=True)
			categories[ticket_type] = ticket_type
		return categories, created

	# one batch
	# ---------

	def import_batch(self, names: list[str]) -> None:
		report = self.report
		records = self.source.records(names)
		context = self.batch_context(records)
		mapped = [mapping.map_record(record, context, clean_description) for record in records]
		ok = []
		for item in mapped:
			report.statuses[(item.status_from, item.status)] += 1
			if item.unmappable:
				report.unmappable.append((item.source, item.unmappable))
				continue
			for text in item.notes:
				report.note(item.source, text)
			ok.append(item)
		report.batches += 1
		if self.options.dry_run:
			report.contacts_created += sum(1 for item in ok if item.needs_contact)
			report.open_tickets += sum(1 for item in ok if item.status not in mapping.DONE_STATUSES)
			return
		if not ok:
			return
		try:
			contacts_made = self.make_contacts(ok)
			tickets = self.allocate_names(len(ok))
			now = now_datetime()
			rows, open_tickets, open_with_sla = [], 0, 0
			for item, ticket in zip(ok, tickets, strict=True):
				values = item.values
				values["name"] = ticket
				if values["status"] not in mapping.DONE_STATUSES:
					start_sla(values, now)
					open_tickets += 1
					open_with_sla += bool(values.get("sla_policy"))
				rows.append(values)
			insert_tickets(rows)
			self.source.mark_imported(tickets)
			moved = move_history(self.source.doctype, tickets)
			moved.update(self.source.move_extras(tickets))
			clean_history(tickets)
			note_import(tickets, self.source.label)
			if self.on_batch:
				self.on_batch(report.batches, tickets)
			self.commit()
		except Exception:
			self.rollback()
			raise
		report.imported += len(ok)
		report.contacts_created += contacts_made
		report.open_tickets += open_tickets
		report.open_with_sla += open_with_sla
		report.moved.update(moved)

	def batch_context(self, records: list[mapping.SourceRecord]) -> mapping.Context:
		"""The base context plus this batch's contacts and customers, in a few queries."""
		emails = {
			address.lower()
			for record in records
			if not record.contact
			for address in [mapping.clean_email(record.raised_by)[0]]
			if address
		}
		contact_by_email = {}
		if emails:
			email_row = frappe.qb.DocType("Contact Email")
			for contact, email in (
				frappe.qb.from_(email_row)
				.select(email_row.parent, email_row.email_id)
				.where((email_row.parenttype == "Contact") & email_row.email_id.isin(tuple(emails)))
				.orderby(email_row.is_primary, order=Order.desc)
				.orderby(email_row.creation)
			).run():
				contact_by_email.setdefault(email.lower(), contact)
		contacts = {record.contact for record in records if record.contact} | set(contact_by_email.values())
		contact_facts = {}
		customer_of_contact: dict[str, set] = {}
		if contacts:
			link = frappe.qb.DocType("Dynamic Link")
			for contact, customer in (
				frappe.qb.from_(link)
				.select(link.parent, link.link_name)
				.where(
					(link.parenttype == "Contact")
					& (link.link_doctype == "Customer")
					& link.parent.isin(tuple(contacts))
				)
			).run():
				customer_of_contact.setdefault(contact, set()).add(customer)
			for contact, full_name in frappe.get_all(
				"Contact",
				filters={"name": ("in", tuple(contacts))},
				fields=["name", "full_name"],
				as_list=True,
			):
				linked = customer_of_contact.get(contact, set())
				contact_facts[contact] = mapping.ContactFacts(
					full_name, next(iter(linked)) if len(linked) == 1 else None
				)
		customers = {record.customer for record in records if record.customer} | {
			facts.customer for facts in contact_facts.values() if facts.customer
		}
		customer_names = {}
		if customers:
			customer_names = dict(
				frappe.get_all(
					"Customer",
					filters={"name": ("in", tuple(customers))},
					fields=["name", "customer_name"],
					as_list=True,
				)
			)
		base = self.base
		return mapping.Context(
			**{
				**base.__dict__,
				"contacts": contact_facts,
				"customers": customer_names,
				"contact_by_email": contact_by_email,
			}
		)

	def make_contacts(self, items: list[mapping.Mapped]) -> int:
		"""A sender address without a Contact gets one, as the Ticket form would make it; returns how many."""
		from support_center.intake.party import customer_of, find_or_create_contact

		made = {}
		for item in items:
			address = item.needs_contact
			if not address:
				continue
			key = address.lower()
			if key not in made:
				made[key] = find_or_create_contact(address, None, None)
			item.values["contact"] = made[key]
			if not item.values["customer"]:
				customer = customer_of(made[key])
				if customer:
					item.values["customer"] = customer
					item.values["customer_name"] = frappe.db.get_value("Customer", customer, "customer_name")
		return len(made)


# set-based steps
# ---------------


def next_ticket_names(count: int) -> list[int]:
	"""``count`` numbers from the Ticket sequence in one query (MariaDB's sequence engine)."""
	if count <= 0:
		return []
	# `count` is an int we computed; the sequence and seq_1_to_N tables cannot be parameters.
	names = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		f"select nextval(`ticket_id_seq`) from seq_1_to_{int(count)}", pluck=True
	)
	return sorted(int(name) for name in names)


def insert_tickets(rows: list[dict]) -> None:
	present = set(frappe.db.get_table_columns("Ticket"))
	columns = [column for column in TICKET_COLUMNS if column in present]
	row_placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
	values = []
	for row in rows:
		row.setdefault("docstatus", 0)
		row.setdefault("idx", 0)
		values.extend(row.get(column) for column in columns)
	column_list = ", ".join(f"`{column}`" for column in columns)
	# Columns are the fixed list above; values are parameters.
	frappe.db.sql(  # nosemgrep
		f"insert into `tabTicket` ({column_list}) values {', '.join([row_placeholder] * len(rows))}",
		values,
	)


def move_history(doctype: str, tickets: list[int]) -> Counter:
	"""Every row naming a source record now names its Ticket: one UPDATE per table for the whole batch."""
	moved = Counter()
	for table, type_column, name_column, title_column in HISTORY:
		title = f", x.`{title_column}` = t.subject" if title_column else ""
		# Identifiers come from HISTORY above; values are parameters.
		frappe.db.sql(  # nosemgrep
			f"""update `tab{table}` x join `tabTicket` t
				on x.`{type_column}` = %(doctype)s and x.`{name_column}` = t.imported_from
			set x.`{type_column}` = 'Ticket', x.`{name_column}` = t.name{title}
			where t.imported_from_doctype = %(doctype)s and t.name in %(tickets)s""",
			{"doctype": doctype, "tickets": tuple(tickets)},
		)
		moved[table] += frappe.db._cursor.rowcount
	# The Communications now on the batch's tickets: their public reply counts (kpi/replies.py).
	replies.recount(tickets)
	return moved


def clean_history(tickets: list[int]) -> None:
	"""What the ticket now shows as HTML is cleaned like everything written on a ticket: Frappe's own
	sanitiser skipped values shaped like JSON when the source stored them (customer_input)."""
	for table, column in (("Communication", "content"), ("Comment", "content")):
		# Identifiers are the fixed pairs above; values are parameters. One scan per table for the batch.
		rows = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
			f"""select name, `{column}` from `tab{table}`
			where reference_doctype = 'Ticket' and reference_name in %(tickets)s
				and `{column}` like '%%<%%' and (
					`{column}` like '"%%' or `{column}` like '{{%%' or `{column}` like '[%%')""",
			{"tickets": tuple(str(ticket) for ticket in tickets)},
		)
		for name, content in rows:
			frappe.db.set_value(table, name, column, clean_markup(content), update_modified=False)


def note_import(tickets: list[int], source_label: str) -> None:
	"""The ticket's timeline says where it came from and when (one INSERT for the batch)."""
	user = frappe.session.user
	# One set-based INSERT ... SELECT per batch (no document inserts).
	frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""insert ignore into `tabComment` (name, creation, modified, owner, modified_by, docstatus, idx,
			comment_type, reference_doctype, reference_name, content, comment_email)
		select concat('sc-import-', t.name), %(now)s, %(now)s, %(user)s, %(user)s, 0, 0,
			'Info', 'Ticket', t.name, concat(%(prefix)s, ' ', t.imported_from), %(user)s
		from `tabTicket` t where t.name in %(tickets)s""",
		{
			"now": now_datetime(),
			"user": user,
			"prefix": _("Imported from {0}").format(source_label),
			"tickets": tuple(tickets),
		},
	)


def clean_description(html: str) -> str:
	return clean_markup(html, linkify=True) if looks_like_markup(html) else html


def start_sla(values: dict, now: datetime) -> None:
	"""An open ticket gets the SLA Policy that matches it, its clock starting now (sla.service)."""
	from support_center.sla.service import apply_sla

	ticket = frappe.new_doc("Ticket")
	ticket.update({key: value for key, value in values.items() if key not in ("name", "creation")})
	ticket.creation = values.get("creation")
	apply_sla(ticket, now)
	for fieldname in SLA_FIELDS:
		values[fieldname] = ticket.get(fieldname)


def import_records(source: str, options: ImportOptions | None = None, **kwargs) -> ImportReport:
	"""Run one import under a lock: two imports of the same source at once would race for records."""
	from frappe.utils.synchronization import filelock

	with filelock(f"support_center_import_{frappe.scrub(source)}", timeout=5):
		return Importer(source, options, **kwargs).run()


def parse_since(value: str | None) -> datetime | None:
	if not value:
		return None
	try:
		return get_datetime(value)
	except Exception:
		frappe.throw(_("{0} is not a date.").format(value))
