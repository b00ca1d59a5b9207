"""Incidents: linked tickets get the incident's public reply on their own channel and are resolved with it."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import incidents as api
from support_center.incidents import IncidentError
from support_center.tests.factories import make_agent, make_ticket, portal_customer, unique
from support_center.tests.test_acknowledgement import outgoing_account

DELIVERED = []


def record_reply(**values):
	DELIVERED.append(values)


def public_replies(ticket) -> list[frappe._dict]:
	return frappe.get_all(
		"Communication",
		filters={
			"reference_doctype": "Ticket",
			"reference_name": str(ticket),
			"sent_or_received": "Sent",
			"communication_type": "Communication",
		},
		fields=["name", "content", "recipients", "communication_medium"],
	)


class TestIncidents(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		outgoing_account()
		self.agent = make_agent()
		self.incident = make_ticket(subject=unique("Outage"), channel="Staff")
		self.mail_customer = portal_customer()
		self.by_mail = make_ticket(
			contact=self.mail_customer.contact,
			customer=self.mail_customer.customer,
			raised_by=self.mail_customer.user,
			channel="Email",
		)
		self.by_chat = make_ticket(channel="API", external_conversation=unique("conv"))
		self.by_phone = make_ticket(channel="Phone")

	def tearDown(self):
		frappe.set_user("Administrator")

	def link_all(self):
		frappe.set_user(self.agent)
		api.link(self.incident.name, [self.by_mail.name, self.by_chat.name, self.by_phone.name])
		frappe.set_user("Administrator")

	def test_linking_in_bulk_marks_the_incident_and_points_each_ticket_at_it(self):
		self.link_all()
		self.assertEqual(frappe.db.get_value("Ticket", self.incident.name, "is_incident"), 1)
		for ticket in (self.by_mail, self.by_chat, self.by_phone):
			self.assertEqual(
				frappe.db.get_value("Ticket", ticket.name, "parent_incident"), str(self.incident.name)
			)
		frappe.set_user(self.agent)
		self.assertEqual(len(api.linked(self.incident.name)), 3)
		api.unlink(self.by_phone.name)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("Ticket", self.by_phone.name, "parent_incident"))

	def test_a_public_reply_on_the_incident_reaches_each_customer_on_their_channel(self):
		self.link_all()
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"content": "<p>The outage is fixed.</p>",
				"sender": self.agent,
				"reference_doctype": "Ticket",
				"reference_name": self.incident.name,
			}
		).insert(ignore_permissions=True)
		[mail] = public_replies(self.by_mail.name)
		self.assertIn("The outage is fixed.", mail.content)
		self.assertIn(self.mail_customer.user, mail.recipients)
		self.assertTrue(
			frappe.db.exists(
				"Email Queue", {"reference_doctype": "Ticket", "reference_name": str(self.by_mail.name)}
			)
		)
		[chat] = public_replies(self.by_chat.name)
		self.assertEqual(chat.communication_medium, "Chat")
		self.assertIn("The outage is fixed.", chat.content)
		# No address and no chat: an internal note says the customer was not reached.
		self.assertEqual(public_replies(self.by_phone.name), [])
		notes = frappe.get_all(
			"Comment",
			filters={"reference_name": str(self.by_phone.name), "comment_type": "Comment"},
			pluck="content",
		)
		self.assertTrue(any("no address or chat" in note for note in notes), notes)
		# Each linked reply moved its own ticket as an agent's reply does.
		self.assertEqual(frappe.db.get_value("Ticket", self.by_mail.name, "status"), "Replied")

	def test_resolving_the_incident_resolves_the_linked_tickets_with_the_message(self):
		self.link_all()
		closed = make_ticket(channel="Email", raised_by="someone@customer.test")
		api.link(self.incident.name, [closed.name])
		frappe.db.set_value("Ticket", closed.name, "status", "Closed")
		frappe.set_user(self.agent)
		result = api.resolve(self.incident.name, "Fixed at 10:40.\n\nSorry for the trouble.")
		frappe.set_user("Administrator")
		self.assertEqual(len(result["linked"]), 4)
		self.assertEqual(frappe.db.get_value("Ticket", self.incident.name, "status"), "Resolved")
		for ticket in (self.by_mail, self.by_chat, self.by_phone):
			self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Resolved", ticket.name)
		self.assertTrue(
			any("Fixed at 10:40." in reply.content for reply in public_replies(self.by_mail.name))
		)
		self.assertEqual(frappe.db.get_value("Ticket", closed.name, "status"), "Closed")
		self.assertEqual(public_replies(closed.name), [])

	def test_resolving_in_the_form_resolves_the_linked_tickets_too(self):
		self.link_all()
		incident = frappe.get_doc("Ticket", self.incident.name)
		incident.status = "Resolved"
		incident.flags.status_set_by_app = True
		incident.save()
		self.assertEqual(frappe.db.get_value("Ticket", self.by_chat.name, "status"), "Resolved")

	def test_bad_links_are_refused(self):
		self.link_all()
		frappe.set_user(self.agent)
		with self.assertRaises(IncidentError):
			api.link(self.by_mail.name, [make_ticket().name])  # a linked ticket cannot be an incident
		with self.assertRaises(IncidentError):
			api.link(self.incident.name, [self.incident.name])
		with self.assertRaises(IncidentError):
			api.resolve(self.incident.name, "  ")
		frappe.set_user("Administrator")
