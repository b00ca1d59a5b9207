"""Follow-ups: a missed call asks the assignee to call back, the call back closes it; unanswered consults
remind their sender once."""

import random

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from support_center import followups
from support_center.api import ticket_consult, ticket_followups
from support_center.tests.factories import (
	keep_settings,
	make_agent,
	make_category,
	make_team,
	make_ticket,
	unique,
)
from support_center.tests.test_acknowledgement import outgoing_account


def callbacks(ticket) -> list[frappe._dict]:
	return frappe.get_all(
		"ToDo",
		filters={
			"reference_type": "Ticket",
			"reference_name": str(ticket),
			followups.CALLBACK_FIELD: ("is", "set"),
		},
		fields=["name", "status", "allocated_to", "date", "description", followups.CALLBACK_FIELD],
	)


class TestCallbacks(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		# Frappe commits when it mails an assignment during a test: the site's default category comes back
		# after the class's rollback, without committing what the tests made.
		keep_settings(cls)
		super().setUpClass()

	def setUp(self):
		frappe.set_user("Administrator")
		self.agent = make_agent()
		self.category = make_category(team=make_team([self.agent]))
		frappe.db.set_single_value("Support Center Settings", "default_category", self.category)
		frappe.clear_document_cache("Support Center Settings", "Support Center Settings")

	def tearDown(self):
		frappe.set_user("Administrator")

	def call(self, number, status="No Answer", call_type="Incoming", **values):
		return frappe.get_doc(
			{
				"doctype": "Call Log",
				"id": unique("call"),
				"from": number if call_type == "Incoming" else "+1 555 0100",
				"to": "+1 555 0100" if call_type == "Incoming" else number,
				"type": call_type,
				"status": status,
				"duration": 0 if status != "Completed" else 60,
				**values,
			}
		).insert(ignore_permissions=True)

	def ticket_of(self, call):
		return frappe.db.get_value(
			"Dynamic Link",
			{"parenttype": "Call Log", "parent": call.name, "link_doctype": "Ticket"},
			"link_name",
		)

	def test_a_missed_call_asks_the_assignee_to_call_back_by_the_response_deadline(self):
		number = f"+1 303 555 {random.randint(1000, 9999)}"
		first = self.call(number)
		ticket = frappe.get_doc("Ticket", self.ticket_of(first))
		[todo] = callbacks(ticket.name)
		self.assertEqual(todo.status, "Open")
		self.assertEqual(todo.allocated_to, self.agent)
		self.assertEqual(todo[followups.CALLBACK_FIELD], number)
		self.assertIn("Call back", todo.description)
		if ticket.response_due:
			self.assertEqual(get_datetime(todo.date).date(), get_datetime(ticket.response_due).date())
		# Calling again before anyone called back: the same ticket, still one callback.
		self.call(number)
		self.assertEqual(len(callbacks(ticket.name)), 1)
		# The ticket keeps its one assignment: the callback is not a second one.
		self.assertEqual(
			frappe.get_all(
				"ToDo",
				filters={
					"reference_name": str(ticket.name),
					"status": "Open",
					followups.CALLBACK_FIELD: ("is", "not set"),
				},
				pluck="allocated_to",
			),
			[self.agent],
		)

	def test_logging_the_call_back_closes_it_and_answers_for_the_sla(self):
		number = f"+1 303 555 {random.randint(1000, 9999)}"
		ticket = self.ticket_of(self.call(number))
		frappe.set_user(self.agent)
		self.assertEqual(len(ticket_followups.open_callbacks(ticket)), 1)
		name = ticket_followups.log_callback(ticket, "Called back, the router works again.")
		frappe.set_user("Administrator")
		self.assertEqual([row.status for row in callbacks(ticket)], ["Cancelled"])
		message = frappe.get_doc("Communication", name)
		self.assertEqual((message.communication_medium, message.sent_or_received), ("Phone", "Sent"))
		self.assertTrue(frappe.db.get_value("Ticket", ticket, "first_responded_on"))

	def test_an_answered_outgoing_call_to_the_number_closes_it(self):
		number = f"+1 303 555 {random.randint(1000, 9999)}"
		ticket = self.ticket_of(self.call(number))
		self.call(number, status="Completed", call_type="Outgoing")
		self.assertEqual([row.status for row in callbacks(ticket)], ["Cancelled"])

	def test_an_answered_call_asks_for_no_call_back(self):
		ticket = self.ticket_of(self.call(f"+1 303 555 {random.randint(1000, 9999)}", status="Completed"))
		self.assertEqual(callbacks(ticket), [])

	def test_logging_needs_a_note_and_support_staff(self):
		ticket = self.ticket_of(self.call(f"+1 303 555 {random.randint(1000, 9999)}"))
		frappe.set_user(self.agent)
		with self.assertRaises(frappe.ValidationError):
			ticket_followups.log_callback(ticket, "  ")
		frappe.set_user("Administrator")
		self.assertEqual([row.status for row in callbacks(ticket)], ["Open"])


class TestConsultReminders(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		keep_settings(cls)
		super().setUpClass()

	def setUp(self):
		frappe.set_user("Administrator")
		outgoing_account()
		frappe.db.set_single_value("Support Center Settings", "consult_reminder_hours", 24)

	def tearDown(self):
		frappe.set_user("Administrator")

	def consult(self, agent, ticket, hours_ago: float) -> str:
		frappe.set_user(agent)
		name = ticket_consult.consult(ticket.name, "expert@partner.test", "Is this covered?")
		frappe.set_user("Administrator")
		frappe.db.set_value(
			"Communication",
			name,
			"creation",
			add_to_date(now_datetime(), hours=-hours_ago),
			update_modified=False,
		)
		return name

	def reminders(self, agent, ticket) -> list[str]:
		return frappe.get_all(
			"Notification Log",
			filters={
				"for_user": agent,
				"document_name": str(ticket.name),
				"subject": ("like", "%Nobody has answered%"),
			},
			pluck="subject",
		)

	def test_an_unanswered_consult_reminds_its_sender_once(self):
		agent = make_agent()
		ticket = make_ticket(category=make_category())
		old = self.consult(agent, ticket, 30)
		recent = self.consult(agent, ticket, 2)
		self.assertGreaterEqual(followups.remind_unanswered_consults(), 1)
		self.assertEqual(len(self.reminders(agent, ticket)), 1)
		self.assertTrue(frappe.db.get_value("Communication", old, followups.REMINDED_FIELD))
		self.assertFalse(frappe.db.get_value("Communication", recent, followups.REMINDED_FIELD))
		self.assertEqual(followups.remind_unanswered_consults(), 0)
		self.assertEqual(len(self.reminders(agent, ticket)), 1)

	def test_an_answered_consult_and_reminders_turned_off_remind_nobody(self):
		agent = make_agent()
		ticket = make_ticket(category=make_category())
		name = self.consult(agent, ticket, 30)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"content": "Yes.",
				"sender": "expert@partner.test",
				"in_reply_to": name,
			}
		).insert(ignore_permissions=True)
		followups.remind_unanswered_consults()
		self.assertFalse(frappe.db.get_value("Communication", name, followups.REMINDED_FIELD))
		self.consult(agent, ticket, 30)
		frappe.db.set_single_value("Support Center Settings", "consult_reminder_hours", 0)
		self.assertEqual(followups.remind_unanswered_consults(), 0)
		self.assertEqual(self.reminders(agent, ticket), [])
