"""Moving in from Frappe Helpdesk, without the helpdesk app: its tables are made here from its doctype
definitions (frappe/helpdesk, helpdesk/helpdesk/doctype/hd_*/hd_*.json: the columns the importer reads)
and dropped afterwards.
"""

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from support_center.migration.importer import ImportOptions, import_records
from support_center.tests.factories import make_agent, make_contact, make_customer, unique
from support_center.tests.test_import_issues import Savepoints

STANDARD = {
	"name": "varchar(140) primary key",
	"creation": "datetime(6)",
	"modified": "datetime(6)",
	"modified_by": "varchar(140)",
	"owner": "varchar(140)",
	"docstatus": "int(1) not null default 0",
	"idx": "int(8) not null default 0",
}
CHILD = {"parent": "varchar(140)", "parentfield": "varchar(140)", "parenttype": "varchar(140)"}
# Frappe's column types for the fieldtypes of the Helpdesk doctypes.
TABLES = {
	"HD Ticket": {
		"subject": "varchar(140)",
		"raised_by": "varchar(140)",
		"status": "varchar(140)",
		"priority": "varchar(140)",
		"ticket_type": "varchar(140)",
		"agent_group": "varchar(140)",
		"description": "longtext",
		"sla": "varchar(140)",
		"response_by": "datetime(6)",
		"agreement_status": "varchar(140)",
		"resolution_by": "datetime(6)",
		"first_response_time": "decimal(21,9)",
		"first_responded_on": "datetime(6)",
		"opening_date": "date",
		"opening_time": "time(6)",
		"resolution_date": "datetime(6)",
		"resolution_time": "decimal(21,9)",
		"user_resolution_time": "decimal(21,9)",
		"contact": "varchar(140)",
		"customer": "varchar(140)",
		"email_account": "varchar(140)",
		"via_customer_portal": "int(1) not null default 0",
		"feedback_rating": "decimal(3,2)",
		"_assign": "text",
		"_user_tags": "text",
	},
	"HD Customer": {
		"customer_name": "varchar(140)",
		"domain": "varchar(140)",
		"erpnext_customer": "varchar(140)",
	},
	"HD Team": {"team_name": "varchar(140)", "disabled": "int(1) not null default 0"},
	"HD Team Member": {**CHILD, "user": "varchar(140)"},
	"HD Ticket Comment": {
		"content": "longtext",
		"reference_ticket": "varchar(140)",
		"commented_by": "varchar(140)",
		"is_pinned": "int(1) not null default 0",
	},
	"HD Ticket Status": {"label_agent": "varchar(140)", "category": "varchar(140)"},
}
LONG_AGO = get_datetime("2024-05-06 09:30:00")


def insert_row(doctype: str, values: dict) -> None:
	values = {"creation": LONG_AGO, "modified": LONG_AGO, "owner": "Administrator", **values}
	values.setdefault("modified_by", values["owner"])
	columns = ", ".join(f"`{column}`" for column in values)
	placeholders = ", ".join(["%s"] * len(values))
	frappe.db.sql(f"insert into `tab{doctype}` ({columns}) values ({placeholders})", list(values.values()))


class TestImportHelpdesk(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.drop_tables()
		for doctype, columns in TABLES.items():
			definition = ", ".join(f"`{column}` {kind}" for column, kind in {**STANDARD, **columns}.items())
			frappe.db.sql_ddl(
				f"create table `tab{doctype}` ({definition}) engine=InnoDB character set utf8mb4 collate utf8mb4_unicode_ci"
			)

	@classmethod
	def tearDownClass(cls):
		# DDL commits: what the tests made is rolled back first (FrappeTestCase's own rollback runs later).
		frappe.db.rollback()
		cls.drop_tables()
		super().tearDownClass()

	@classmethod
	def drop_tables(cls):
		for doctype in TABLES:
			frappe.db.sql_ddl(f"drop table if exists `tab{doctype}`")
			frappe.cache.hdel("table_columns", f"tab{doctype}")

	def run_import(self, **options):
		savepoints = Savepoints()
		return import_records(
			"HD Ticket", ImportOptions(**options), commit=savepoints.commit, rollback=savepoints.rollback
		)

	def ticket_of(self, hd_ticket: str):
		name = frappe.db.get_value(
			"Ticket", {"imported_from_doctype": "HD Ticket", "imported_from": hd_ticket}
		)
		return frappe.get_doc("Ticket", name) if name else None

	def setUp(self):
		frappe.set_user("Administrator")
		self.mark = frappe.generate_hash(length=6)
		self.agent = make_agent()
		self.known_customer = make_customer()
		self.email = f"{self.mark}@hd-customer.test"
		self.contact = make_contact(self.known_customer, email=self.email)
		self.team = f"L1 {self.mark}"
		self.new_customer = f"Initech {self.mark}"
		self.linked_hd_customer = f"HD Acme {self.mark}"
		self.ticket_type = f"Login {self.mark}"
		insert_row("HD Team", {"name": self.team, "team_name": self.team})
		insert_row(
			"HD Team Member",
			{
				"name": unique("m"),
				"parent": self.team,
				"parenttype": "HD Team",
				"parentfield": "users",
				"user": self.agent,
			},
		)
		insert_row("HD Customer", {"name": self.new_customer, "customer_name": self.new_customer})
		insert_row(
			"HD Customer",
			{
				"name": self.linked_hd_customer,
				"customer_name": self.linked_hd_customer,
				"erpnext_customer": self.known_customer,
			},
		)
		for status, category in (
			("Open", "Open"),
			("Replied", "Paused"),
			("Resolved", "Resolved"),
			("Closed", "Resolved"),
		):
			if not frappe.db.sql("select 1 from `tabHD Ticket Status` where name = %s", status):
				insert_row("HD Ticket Status", {"name": status, "label_agent": status, "category": category})
		insert_row("HD Ticket Status", {"name": f"Needs Parts {self.mark}", "category": "Paused"})

	def hd_ticket(self, status: str, customer: str | None = None, **values) -> str:
		name = str(
			int(frappe.db.sql("select ifnull(max(cast(name as unsigned)), 0) + 1 from `tabHD Ticket`")[0][0])
		)
		insert_row(
			"HD Ticket",
			{
				"name": name,
				"subject": f"Cannot log in {self.mark} {name}",
				"description": f"<p>Login fails {self.mark}</p>",
				"raised_by": self.email,
				"status": status,
				"priority": "Urgent",
				"ticket_type": self.ticket_type,
				"agent_group": self.team,
				"contact": self.contact,
				"customer": customer or self.linked_hd_customer,
				"opening_date": LONG_AGO.date(),
				"opening_time": "09:30:00",
				"first_responded_on": LONG_AGO + timedelta(minutes=30),
				"first_response_time": 1800,
				"_assign": frappe.as_json([self.agent]),
				**values,
			},
		)
		return name

	def history(self, hd_ticket: str) -> dict:
		"""Helpdesk keeps mail as Communications and files as Files on the HD Ticket, comments in its own doctype."""
		message = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"subject": "Cannot log in",
				"content": "<p>Help</p>",
				"sender": self.email,
				"message_id": f"hd-{self.mark}-{hd_ticket}@customer.test",
				"reference_doctype": "HD Ticket",
				"reference_name": hd_ticket,
				"creation": LONG_AGO,
				"modified": LONG_AGO,
			}
		)
		message.db_insert()
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"screenshot-{hd_ticket}.png",
				"file_url": f"/private/files/screenshot-{self.mark}-{hd_ticket}.png",
				"is_private": 1,
				"attached_to_doctype": "HD Ticket",
				"attached_to_name": hd_ticket,
			}
		)
		file.db_insert()
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.agent,
				"description": "Cannot log in",
				"reference_type": "HD Ticket",
				"reference_name": hd_ticket,
				"status": "Open",
			}
		)
		todo.db_insert()
		comment = unique("hdc")
		insert_row(
			"HD Ticket Comment",
			{
				"name": comment,
				"content": f"<p>Reset the password {self.mark}</p>",
				"reference_ticket": hd_ticket,
				"commented_by": self.agent,
				"owner": self.agent,
				"creation": LONG_AGO + timedelta(hours=1),
				"modified": LONG_AGO + timedelta(hours=1),
			},
		)
		return {"message": message.name, "file": file.name, "todo": todo.name, "comment": comment}

	def test_helpdesk_tickets_become_tickets_with_customers_teams_notes_and_sla_facts(self):
		statuses = {
			"Open": "Open",
			"Replied": "Replied",
			"Resolved": "Resolved",
			"Closed": "Closed",
			f"Needs Parts {self.mark}": "Waiting on Customer",
		}
		tickets = {status: self.hd_ticket(status) for status in statuses}
		closed = tickets["Closed"]
		frappe.db.sql(
			"""update `tabHD Ticket` set sla = 'Default', agreement_status = 'Failed',
				response_by = %s, resolution_by = %s, resolution_date = %s, resolution_time = 7200,
				customer = %s
			where name = %s""",
			(
				LONG_AGO + timedelta(minutes=15),
				LONG_AGO + timedelta(hours=8),
				LONG_AGO + timedelta(hours=2),
				self.new_customer,
				closed,
			),
		)
		unknown = self.hd_ticket(f"Weird {self.mark}")
		histories = {name: self.history(name) for name in tickets.values()}

		report = self.run_import(batch_size=2)

		self.assertIn(self.new_customer, report.customers_created)
		self.assertIn(self.team, report.teams_created)
		self.assertIn(self.ticket_type, report.categories_created)
		self.assertIn(f"'Weird {self.mark}' has no Ticket status", dict(report.unmappable)[unknown])
		self.assertIsNone(self.ticket_of(unknown))
		# HD Team → User Group with the team's members; HD Customer → ERPNext Customer by name.
		self.assertEqual(
			frappe.get_all("User Group Member", filters={"parent": self.team}, pluck="user"), [self.agent]
		)
		new_customer = frappe.db.get_value("Customer", {"customer_name": self.new_customer})
		self.assertTrue(new_customer)

		for status, hd_ticket in tickets.items():
			with self.subTest(status=status):
				ticket = self.ticket_of(hd_ticket)
				self.assertEqual(ticket.status, statuses[status])
				self.assertEqual(ticket.subject, f"Cannot log in {self.mark} {hd_ticket}")
				self.assertEqual(
					(ticket.priority, ticket.category, ticket.team), ("Urgent", self.ticket_type, self.team)
				)
				self.assertEqual(
					ticket.customer, new_customer if hd_ticket == closed else self.known_customer
				)
				self.assertEqual(
					(ticket.contact, ticket.raised_by, ticket.channel), (self.contact, self.email, "Email")
				)
				self.assertEqual(get_datetime(ticket.creation), LONG_AGO)
				self.assertEqual(ticket.first_response_time, 1800)
				self.assertEqual(frappe.parse_json(ticket._assign), [self.agent])
				moved = histories[hd_ticket]
				self.assertEqual(
					frappe.db.get_value(
						"Communication", moved["message"], ["reference_doctype", "reference_name"]
					),
					("Ticket", str(ticket.name)),
				)
				self.assertEqual(
					frappe.db.get_value(
						"File", moved["file"], ["attached_to_doctype", "attached_to_name", "is_private"]
					),
					("Ticket", str(ticket.name), 1),
				)
				self.assertEqual(
					frappe.db.get_value("ToDo", moved["todo"], ["reference_type", "reference_name"]),
					("Ticket", str(ticket.name)),
				)
				note = frappe.db.get_value(
					"Comment",
					{
						"reference_doctype": "Ticket",
						"reference_name": str(ticket.name),
						"comment_type": "Comment",
					},
					["content", "comment_email", "creation"],
					as_dict=True,
				)
				self.assertEqual(note.content, f"<p>Reset the password {self.mark}</p>")
				self.assertEqual(note.comment_email, self.agent)
				self.assertEqual(get_datetime(note.creation), LONG_AGO + timedelta(hours=1))

		failed = self.ticket_of(closed)
		self.assertEqual((failed.sla_status, failed.sla_notified_status), ("Breached", "Breached"))
		self.assertEqual(get_datetime(failed.sla_breached_on), LONG_AGO + timedelta(minutes=15))
		self.assertEqual(failed.resolution_time, 7200)
		self.assertEqual(get_datetime(failed.resolved_on), LONG_AGO + timedelta(hours=2))
		self.assertIn("Kept as measured in Helpdesk ticket", failed.sla_reason)
		self.assertTrue(self.ticket_of(tickets["Open"]).sla_clock)

		# Twice: nothing new, the notes are not copied again.
		again = self.run_import(batch_size=2)
		self.assertEqual(again.imported, 0)
		ticket = self.ticket_of(tickets["Open"])
		self.assertEqual(
			frappe.db.count(
				"Comment",
				{
					"reference_doctype": "Ticket",
					"reference_name": str(ticket.name),
					"comment_type": "Comment",
				},
			),
			1,
		)

	def test_the_helpdesk_dry_run_names_what_it_would_create(self):
		self.hd_ticket("Open", customer=self.new_customer)
		before = frappe.db.count("Ticket")
		report = self.run_import(dry_run=True)
		self.assertEqual(frappe.db.count("Ticket"), before)
		self.assertIn(self.new_customer, report.customers_created)
		self.assertIn(self.team, report.teams_created)
		self.assertFalse(frappe.db.exists("User Group", self.team))
		self.assertFalse(frappe.db.exists("Customer", {"customer_name": self.new_customer}))
		text = "\n".join(report.lines())
		self.assertIn("Customers that would be created", text)
		self.assertIn(self.team, text)
