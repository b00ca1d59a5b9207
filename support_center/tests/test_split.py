"""Split: a customer's message becomes a new ticket for the same customer, with a pointer both ways."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import ticket_split as api
from support_center.conversation.split import SplitError
from support_center.tests.factories import make_agent, make_ticket, portal_customer


def message(ticket, text: str, direction: str = "Received", **values) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": direction,
				"content": f"<p>{text}</p>",
				"sender": values.pop("sender", "buyer@customer.test"),
				"reference_doctype": "Ticket",
				"reference_name": ticket.name,
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


class TestSplit(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.agent = make_agent()
		self.customer = portal_customer()
		self.ticket = make_ticket(
			contact=self.customer.contact,
			customer=self.customer.customer,
			raised_by=self.customer.user,
			channel="Email",
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_a_message_moves_to_a_new_ticket_of_the_same_customer(self):
		message(self.ticket, "Thanks for the fix.")
		question = message(self.ticket, "Also: how do I add a second user to the portal?")
		frappe.set_user(self.agent)
		new_name = api.split(self.ticket.name, question)
		frappe.set_user("Administrator")
		new = frappe.get_doc("Ticket", new_name)
		self.assertEqual(str(new.split_from), str(self.ticket.name))
		self.assertEqual(
			(new.customer, new.contact, new.raised_by, new.channel),
			(self.ticket.customer, self.ticket.contact, self.ticket.raised_by, self.ticket.channel),
		)
		self.assertEqual(new.subject, "Also: how do I add a second user to the portal?")
		self.assertEqual(str(frappe.db.get_value("Communication", question, "reference_name")), str(new.name))
		old_notes = frappe.get_all(
			"Comment",
			filters={"reference_name": str(self.ticket.name), "comment_type": "Info"},
			pluck="content",
		)
		self.assertTrue(any(f"#{new.name}" in note for note in old_notes), old_notes)
		self.assertTrue(new.response_due or new.sla_policy is None)

	def test_only_customer_messages_of_that_ticket_can_be_split(self):
		reply = message(self.ticket, "We are on it.", "Sent", sender=self.agent)
		elsewhere = message(make_ticket(), "Other ticket")
		frappe.set_user(self.agent)
		with self.assertRaises(SplitError):
			api.split(self.ticket.name, reply)
		with self.assertRaises(SplitError):
			api.split(self.ticket.name, elsewhere)
		frappe.set_user(self.customer.user)
		with self.assertRaises(frappe.PermissionError):
			api.split(self.ticket.name, message(self.ticket, "mine"))
