"""Moving in from ERPNext Issue: every status, its messages, notes, files, assignments, tags and SLA facts.

The importer commits each batch; here each commit is a savepoint instead (and a failing batch rolls back
to the last one, as the database does after a crash), so the class still leaves nothing behind.
"""

from datetime import timedelta

import frappe
from frappe.desk.doctype.tag.tag import add_tag
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from support_center.benchmarks import Scale
from support_center.migration.importer import ImportCrash, ImportOptions, ImportReport, import_records
from support_center.migration.sources import TICKET_FIELD
from support_center.tests.factories import make_agent, make_contact, make_customer, unique
from support_center.tests.test_acknowledgement import outgoing_account
from support_center.tests.test_consult import mail_from, take_in

LONG_AGO = get_datetime("2023-02-06 10:00:00")


class Savepoints:
	"""The importer's commit and rollback, as savepoints inside the test's transaction."""

	def __init__(self):
		self.count = 0
		self.commit()

	def commit(self):
		self.count += 1
		frappe.db.savepoint(f"import_{self.count}")

	def rollback(self):
		frappe.db.rollback(save_point=f"import_{self.count}")


def run_import(**options) -> ImportReport:
	hooks = {key: options.pop(key) for key in ("on_batch",) if key in options}
	savepoints = Savepoints()
	return import_records(
		"Issue", ImportOptions(**options), commit=savepoints.commit, rollback=savepoints.rollback, **hooks
	)


def ticket_of(issue: str) -> frappe._dict | None:
	name = frappe.db.get_value("Ticket", {"imported_from_doctype": "Issue", "imported_from": issue})
	return frappe.get_doc("Ticket", name) if name else None


class IssueHistory:
	"""One Issue with the history a real one has: mail both ways, a note, files, an assignee and a tag."""

	def __init__(self, status: str, customer: str, contact: str, email: str, agent: str, issue_type: str):
		self.mark = frappe.generate_hash(length=8)
		issue = frappe.get_doc(
			{
				"doctype": "Issue",
				"subject": f"Printer smokes {self.mark}",
				"description": f"<p>It smokes {self.mark}</p>",
				"raised_by": email,
				"customer": customer,
				"contact": contact,
				"priority": "High",
				"issue_type": issue_type,
			}
		).insert(ignore_permissions=True)
		self.name = issue.name
		self.received_id = f"in-{self.mark}@customer.test"
		self.sent_id = f"out-{self.mark}@desk.test"
		self.received = self.message("Received", email, self.received_id, LONG_AGO)
		self.sent = self.message("Sent", agent, self.sent_id, LONG_AGO + timedelta(hours=2))
		issue.add_comment("Comment", f"Internal {self.mark}", comment_email=agent)
		self.private_file = self.attach(f"private-{self.mark}.txt", 1)
		self.public_file = self.attach(f"public-{self.mark}.txt", 0)
		# As Frappe's assign_to makes it (without its notification mail, which commits in tests); the ToDo
		# writes the Issue's _assign itself.
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": agent,
				"description": f"Printer smokes {self.mark}",
				"reference_type": "Issue",
				"reference_name": self.name,
			}
		).insert(ignore_permissions=True)
		add_tag(f"vip{self.mark}", "Issue", self.name)
		# The status and dates last: messages move ERPNext's status on their own.
		frappe.db.set_value(
			"Issue",
			self.name,
			{
				"status": status,
				"opening_date": LONG_AGO.date(),
				"opening_time": "10:00:00",
				"first_responded_on": LONG_AGO + timedelta(hours=2),
				"first_response_time": 7200,
			},
			update_modified=False,
		)
		frappe.db.sql(
			"update tabIssue set creation = %s, modified = %s where name = %s",
			(LONG_AGO, LONG_AGO + timedelta(days=3), self.name),
		)

	def message(self, direction: str, sender: str, message_id: str, when):
		communication = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": direction,
				"subject": f"Printer smokes {self.mark}",
				"content": f"<p>{direction} {self.mark}</p>",
				"sender": sender,
				"message_id": message_id,
				"reference_doctype": "Issue",
				"reference_name": self.name,
			}
		).insert(ignore_permissions=True)
		frappe.db.sql(
			"update tabCommunication set creation = %s, modified = %s, communication_date = %s where name = %s",
			(when, when, when, communication.name),
		)
		return communication.name

	def attach(self, file_name: str, private: int) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "File",
					"file_name": file_name,
					"content": f"content {self.mark}",
					"attached_to_doctype": "Issue",
					"attached_to_name": self.name,
					"is_private": private,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)


class TestImportIssues(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.agent = make_agent()
		self.customer = make_customer()
		self.email = f"{frappe.generate_hash(length=8)}@customer.test"
		self.contact = make_contact(self.customer, email=self.email)
		self.issue_type = unique("Type")
		frappe.get_doc({"doctype": "Issue Type", "name": self.issue_type}).insert(ignore_permissions=True)
		self.parent = frappe.get_doc(
			{
				"doctype": "Support Category",
				"title": unique("Imported"),
				"parent_support_category": "All Topics",
			}
		).insert(ignore_permissions=True)

	def history(self, status: str) -> IssueHistory:
		return IssueHistory(status, self.customer, self.contact, self.email, self.agent, self.issue_type)

	def test_issues_in_every_status_become_tickets_with_their_whole_history(self):
		histories = {
			status: self.history(status) for status in ("Open", "Replied", "On Hold", "Resolved", "Closed")
		}
		closed, resolved = histories["Closed"].name, histories["Resolved"].name
		# SLA facts as ERPNext measured them: the closed one met its agreement, the resolved one failed.
		frappe.db.set_value(
			"Issue",
			closed,
			{
				"service_level_agreement": None,
				"agreement_status": "Fulfilled",
				"response_by": LONG_AGO + timedelta(hours=4),
				"sla_resolution_by": LONG_AGO + timedelta(days=5),
				"sla_resolution_date": LONG_AGO + timedelta(days=2),
				"resolution_time": 172800,
				"user_resolution_time": 86400,
			},
			update_modified=False,
		)
		frappe.db.set_value(
			"Issue",
			resolved,
			{
				"agreement_status": "Failed",
				"response_by": LONG_AGO + timedelta(hours=1),
				"sla_resolution_by": LONG_AGO + timedelta(days=5),
				"sla_resolution_date": LONG_AGO + timedelta(days=1),
				"resolution_time": 86400,
			},
			update_modified=False,
		)
		before_import = now_datetime()
		report = run_import(batch_size=2, category_parent=self.parent.name)

		self.assertIn(self.issue_type, report.categories_created)
		self.assertEqual(
			frappe.db.get_value("Support Category", self.issue_type, "parent_support_category"),
			self.parent.name,
		)
		expected = {
			"Open": "Open",
			"Replied": "Replied",
			"On Hold": "Waiting on Customer",
			"Resolved": "Resolved",
			"Closed": "Closed",
		}
		contact_name = frappe.db.get_value("Contact", self.contact, "full_name")
		customer_name = frappe.db.get_value("Customer", self.customer, "customer_name")
		for status, history in histories.items():
			with self.subTest(status=status):
				ticket = ticket_of(history.name)
				self.assertIsNotNone(ticket)
				self.assertEqual(ticket.status, expected[status])
				self.assertEqual(ticket.subject, f"Printer smokes {history.mark}")
				self.assertIn(f"It smokes {history.mark}", ticket.description)
				self.assertEqual(
					(ticket.priority, ticket.category, ticket.channel), ("High", self.issue_type, "Email")
				)
				self.assertEqual((ticket.customer, ticket.customer_name), (self.customer, customer_name))
				self.assertEqual((ticket.contact, ticket.raised_by), (self.contact, self.email))
				self.assertEqual(ticket.raised_by_name, contact_name)
				self.assertEqual(get_datetime(ticket.creation), LONG_AGO)
				self.assertEqual(get_datetime(ticket.modified), LONG_AGO + timedelta(days=3))
				self.assertEqual(get_datetime(ticket.first_responded_on), LONG_AGO + timedelta(hours=2))
				self.assertEqual(ticket.first_response_time, 7200)
				self.assertEqual(frappe.db.get_value("Issue", history.name, TICKET_FIELD), str(ticket.name))
				# Messages moved, not copied, with their ids and times.
				for communication, message_id, when in (
					(history.received, history.received_id, LONG_AGO),
					(history.sent, history.sent_id, LONG_AGO + timedelta(hours=2)),
				):
					row = frappe.db.get_value(
						"Communication",
						communication,
						[
							"reference_doctype",
							"reference_name",
							"message_id",
							"creation",
							"communication_date",
						],
						as_dict=True,
					)
					self.assertEqual(
						(row.reference_doctype, row.reference_name), ("Ticket", str(ticket.name))
					)
					self.assertEqual(row.message_id, message_id)
					self.assertEqual(
						(get_datetime(row.creation), get_datetime(row.communication_date)), (when, when)
					)
				self.assertFalse(
					frappe.db.exists(
						"Communication", {"reference_doctype": "Issue", "reference_name": history.name}
					)
				)
				# The comment is an internal note of the ticket.
				self.assertTrue(
					frappe.db.exists(
						"Comment",
						{
							"reference_doctype": "Ticket",
							"reference_name": str(ticket.name),
							"comment_type": "Comment",
							"content": f"Internal {history.mark}",
						},
					)
				)
				# The timeline says where the ticket came from.
				self.assertEqual(
					frappe.db.get_value(
						"Comment",
						{
							"reference_doctype": "Ticket",
							"reference_name": str(ticket.name),
							"comment_type": "Info",
						},
						"content",
					),
					f"Imported from ERPNext Issue {history.name}",
				)
				# Files follow with their privacy.
				for file, private in ((history.private_file, 1), (history.public_file, 0)):
					row = frappe.db.get_value(
						"File", file, ["attached_to_doctype", "attached_to_name", "is_private"], as_dict=True
					)
					self.assertEqual(
						(row.attached_to_doctype, row.attached_to_name), ("Ticket", str(ticket.name))
					)
					self.assertEqual(row.is_private, private)
				# The assignment and the tag.
				self.assertEqual(
					frappe.get_all(
						"ToDo",
						filters={"reference_type": "Ticket", "reference_name": str(ticket.name)},
						pluck="allocated_to",
					),
					[self.agent],
				)
				self.assertEqual(frappe.parse_json(ticket._assign), [self.agent])
				self.assertIn(f"vip{history.mark}", ticket._user_tags or "")
				self.assertTrue(
					frappe.db.exists(
						"Tag Link",
						{
							"document_type": "Ticket",
							"document_name": str(ticket.name),
							"tag": f"vip{history.mark}",
						},
					)
				)

		# Closed history keeps what ERPNext measured, and the monitor has nothing to announce.
		met = ticket_of(closed)
		self.assertEqual((met.sla_status, met.sla_notified_status), ("Met", "Met"))
		self.assertEqual(met.resolution_time, 86400)
		self.assertEqual(get_datetime(met.resolved_on), LONG_AGO + timedelta(days=2))
		self.assertEqual(get_datetime(met.response_due), LONG_AGO + timedelta(hours=4))
		self.assertIsNone(met.sla_policy)
		breached = ticket_of(resolved)
		self.assertEqual((breached.sla_status, breached.sla_notified_status), ("Breached", "Breached"))
		self.assertEqual(get_datetime(breached.sla_breached_on), LONG_AGO + timedelta(hours=1))
		# Saving closed history (a manager edits its category) recomputes nothing.
		met.category = self.parent.name
		met.save(ignore_permissions=True)
		met.reload()
		self.assertEqual((met.sla_status, met.resolution_time, met.first_response_time), ("Met", 86400, 7200))
		self.assertIsNone(met.sla_policy)

		# Open tickets run the matching policy from the import on, not from 2023.
		from support_center.sla.service import choose_for

		running = ticket_of(histories["Open"].name)
		self.assertEqual(running.sla_policy, choose_for(running).policy)
		self.assertTrue(running.sla_policy and running.sla_clock)
		self.assertGreaterEqual(get_datetime(running.response_due), before_import)
		self.assertNotEqual(running.sla_status, "Breached")
		paused = ticket_of(histories["On Hold"].name)
		self.assertEqual(paused.sla_status, "Paused")
		self.assertEqual(report.statuses[("On Hold", "Waiting on Customer")], 1)

	def test_a_reopened_imported_ticket_starts_its_clock_at_the_reopening(self):
		history = self.history("Closed")
		run_import()
		ticket = ticket_of(history.name)
		self.assertIsNone(ticket.sla_policy)
		reopened_at = now_datetime()
		ticket.status = "Open"
		ticket.flags.status_set_by_app = True
		ticket.save(ignore_permissions=True)
		ticket.reload()
		self.assertTrue(ticket.sla_policy)
		self.assertTrue(ticket.sla_clock)
		self.assertEqual(ticket.first_response_time, 7200)
		self.assertGreaterEqual(get_datetime(ticket.response_due), reopened_at - timedelta(seconds=5))
		self.assertNotEqual(ticket.sla_status, "Breached")

	def test_a_reply_to_an_old_issue_mail_lands_on_the_new_ticket(self):
		history = self.history("Replied")
		run_import()
		ticket = ticket_of(history.name)
		account = outgoing_account()
		raw, _message_id = mail_from(
			self.email,
			f"Re: Printer smokes {history.mark}",
			"Still smoking",
			In_Reply_To=f"<{history.sent_id}>",
		)
		communication = take_in(raw, account)
		self.assertEqual(
			(communication.reference_doctype, str(communication.reference_name)), ("Ticket", str(ticket.name))
		)
		# The customer wrote: the ticket is theirs to answer again.
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Open")
		# A mail naming only the old received mail in References threads the same way.
		raw, _message_id = mail_from(
			self.email, "Another thing", "And the paper", References=f"<{history.received_id}>"
		)
		self.assertEqual(str(take_in(raw, account).reference_name), str(ticket.name))

	def test_running_twice_imports_each_issue_once(self):
		histories = [self.history("Open"), self.history("Closed")]
		first = run_import(batch_size=1)
		tickets = {h.name: ticket_of(h.name).name for h in histories}
		second = run_import(batch_size=1)
		self.assertEqual(second.imported, 0)
		self.assertGreaterEqual(second.already_imported, first.imported)
		for history in histories:
			self.assertEqual(
				frappe.db.count("Ticket", {"imported_from_doctype": "Issue", "imported_from": history.name}),
				1,
			)
			self.assertEqual(ticket_of(history.name).name, tickets[history.name])
		# The database refuses a second ticket for the same Issue, whoever tries.
		with self.assertRaises(frappe.exceptions.UniqueValidationError):
			frappe.get_doc(
				{
					"doctype": "Ticket",
					"subject": "duplicate",
					"imported_from_doctype": "Issue",
					"imported_from": histories[0].name,
				}
			).insert(ignore_permissions=True)

	def test_a_crash_halfway_loses_and_duplicates_nothing(self):
		run_import()  # what earlier tests left is out of the way
		histories = [self.history(status) for status in ("Open", "Replied", "Closed", "Resolved")]

		def crash(batch: int, tickets: list[int]) -> None:
			if batch == 2:
				raise ImportCrash("power cut")

		with self.assertRaises(ImportCrash):
			run_import(batch_size=2, on_batch=crash)
		done = [h for h in histories if ticket_of(h.name)]
		waiting = [h for h in histories if not ticket_of(h.name)]
		self.assertEqual(len(done), 2)
		self.assertEqual(len(waiting), 2)
		for history in waiting:
			# The crashed batch left no trace: its messages still belong to the Issue.
			self.assertEqual(
				frappe.db.get_value("Communication", history.received, "reference_doctype"), "Issue"
			)
			self.assertFalse(frappe.db.get_value("Issue", history.name, TICKET_FIELD))
		report = run_import(batch_size=2)
		self.assertEqual(report.imported, 2)
		for history in histories:
			ticket = ticket_of(history.name)
			self.assertEqual(
				frappe.db.count("Ticket", {"imported_from_doctype": "Issue", "imported_from": history.name}),
				1,
			)
			self.assertEqual(
				frappe.db.count(
					"Communication", {"reference_doctype": "Ticket", "reference_name": str(ticket.name)}
				),
				2,
			)
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

	def test_the_dry_run_reports_everything_and_changes_nothing(self):
		run_import()
		mapped = self.history("On Hold")
		odd = self.history("Open")
		# A status a customised site added to Issue.
		frappe.db.set_value("Issue", odd.name, "status", "Escalated", update_modified=False)
		new_type = unique("Type")
		frappe.get_doc({"doctype": "Issue Type", "name": new_type}).insert(ignore_permissions=True)
		frappe.db.set_value(
			"Issue", mapped.name, {"issue_type": new_type, "priority": None}, update_modified=False
		)
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": unique("Issues inbox"),
				"email_id": f"{frappe.generate_hash(length=8)}@desk.test",
				"enable_incoming": 1,
				"append_to": "Issue",
			}
		)
		account.db_insert()
		tickets_before = frappe.db.count("Ticket")

		report = run_import(dry_run=True)

		self.assertEqual(frappe.db.count("Ticket"), tickets_before)
		self.assertFalse(frappe.db.exists("Support Category", new_type))
		self.assertEqual(frappe.db.get_value("Communication", mapped.received, "reference_doctype"), "Issue")
		self.assertIn((odd.name, report.unmappable[-1][1]), report.unmappable)
		reason = dict(report.unmappable)[odd.name]
		self.assertIn("'Escalated' has no Ticket status", reason)
		self.assertIn("--map-status", reason)
		self.assertIn(new_type, report.categories_created)
		self.assertGreaterEqual(report.statuses[("On Hold", "Waiting on Customer")], 1)
		self.assertGreaterEqual(report.statuses[("Escalated", None)], 1)
		self.assertIn(account.name, report.email_accounts)
		text = "\n".join(report.lines())
		self.assertIn("dry run", text)
		self.assertIn("On Hold -> Waiting on Customer", text)
		self.assertIn(f"{odd.name}: its status 'Escalated'", text)
		self.assertIn(account.name, text)
		self.assertIn(new_type, text)

		# Mapped on purpose, the odd one comes over too.
		report = run_import(status_overrides={"Escalated": "Open"})
		self.assertEqual(ticket_of(odd.name).status, "Open")
		self.assertEqual(ticket_of(mapped.name).category, new_type)
		self.assertNotIn(odd.name, dict(report.unmappable))

	def test_since_limits_the_import_to_newer_issues(self):
		run_import()
		old = self.history("Closed")
		recent = self.history("Open")
		frappe.db.sql("update tabIssue set creation = %s where name = %s", (now_datetime(), recent.name))
		report = run_import(since=add_to_date(now_datetime(), days=-1))
		self.assertEqual(report.imported, 1)
		self.assertIsNotNone(ticket_of(recent.name))
		self.assertIsNone(ticket_of(old.name))

	def test_the_settings_button_runs_the_import_as_a_job_with_progress_for_managers_only(self):
		from unittest.mock import patch

		from support_center.migration import api

		history = self.history("Open")
		frappe.set_user(self.agent)
		with self.assertRaises(frappe.PermissionError):
			api.start_import("Issue")
		manager = make_agent(roles=("Support Manager", "Support Team"))
		frappe.set_user(manager)
		with patch("frappe.enqueue") as enqueue:
			answer = api.start_import("Issue", dry_run=False)
		self.assertTrue(answer["queued"])
		job = enqueue.call_args.kwargs
		self.assertEqual(enqueue.call_args.args[0], "support_center.migration.api.run_import_job")
		self.assertEqual((job["queue"], job["deduplicate"], job["user"]), ("long", True, manager))
		self.assertFalse(job["dry_run"])
		with patch("frappe.enqueue", return_value=None):
			self.assertFalse(api.start_import("Issue")["queued"])  # one import at a time

		# The job itself, as the worker runs it: progress on the Settings form, the report to the user.
		frappe.set_user("Administrator")
		savepoints = Savepoints()
		published = []
		with (
			patch("frappe.db.commit", savepoints.commit),
			patch("frappe.db.rollback", savepoints.rollback),
			patch("frappe.publish_progress", lambda *a, **k: published.append(("progress", a, k))),
			patch("frappe.publish_realtime", lambda *a, **k: published.append(("realtime", a, k))),
		):
			report = api.run_import_job(
				source=job["source"], dry_run=job["dry_run"], since=job["since"], user=job["user"]
			)
		self.assertIsNotNone(ticket_of(history.name))
		progress = [entry for entry in published if entry[0] == "progress"]
		self.assertTrue(progress)
		self.assertEqual(progress[-1][1][0], 100)
		self.assertEqual(progress[-1][2]["doctype"], "Support Center Settings")
		done = [entry for entry in published if entry[0] == "realtime"]
		self.assertEqual(done[-1][1][0], api.DONE_EVENT)
		self.assertEqual(done[-1][2]["user"], manager)
		self.assertGreaterEqual(report["imported"], 1)
		frappe.set_user(manager)
		self.assertEqual(api.last_report("Issue")["imported"], report["imported"])
		frappe.set_user("Administrator")


class TestImportBenchmark(FrappeTestCase):
	def test_the_import_benchmark_imports_everything_it_made_and_leaves_nothing_behind(self):
		# Small numbers: this checks the area works; the figures come from a run at 100,000 Issues.
		from support_center.benchmarks import NAME_BASE, run
		from support_center.benchmarks.import_issues import PREFIX, import_figures

		figures = {figure.name: figure for figure in import_figures(60, customers=7, batch_size=25)}
		self.assertEqual(figures["import_issues"].value, 60)
		self.assertFalse(figures["import_issues"].missed)
		self.assertEqual(figures["import_communications_relinked"].value, 240)
		self.assertGreater(figures["import_total_seconds"].value, 0)
		self.assertLess(figures["import_queries_per_issue"].value, 5)
		self.assertEqual(figures["import_seconds_per_100k_issues"].reference, 900)
		self.assertFalse(frappe.db.exists("Ticket", {"name": (">", NAME_BASE)}))
		self.assertFalse(frappe.db.exists("Issue", {"name": ("like", f"{PREFIX}%")}))
		self.assertFalse(frappe.db.exists("Communication", {"name": ("like", f"{PREFIX}%")}))
		lines = []
		run(Scale(tickets=30, customers=3, repeats=1), ["import"], echo=lines.append)
		self.assertTrue(any(line.startswith("import_seconds_per_100k_issues") for line in lines))
