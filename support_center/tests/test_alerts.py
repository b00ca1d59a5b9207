"""Ticket alerts: the assignee (or the team) hears of customer replies, consult answers and escalations."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import ticket as ticket_api
from support_center.api import ticket_alerts, ticket_consult
from support_center.intake.core import receive
from support_center.intake.rules import IncomingMessage
from support_center.notifications import alerts
from support_center.tests.factories import make_agent, make_category, make_team, make_ticket, unique
from support_center.tests.test_acknowledgement import outgoing_account


def alerts_for(user: str, ticket) -> list[frappe._dict]:
	return frappe.get_all(
		"Notification Log",
		filters={"for_user": user, "document_type": "Ticket", "document_name": str(ticket)},
		fields=["type", "subject", "read", "email_content"],
		order_by="creation",
	)


def mails_to(user: str) -> list[str]:
	queue, recipient = frappe.qb.DocType("Email Queue"), frappe.qb.DocType("Email Queue Recipient")
	return (
		frappe.qb.from_(queue)
		.join(recipient)
		.on(recipient.parent == queue.name)
		.select(queue.message)
		.where(recipient.recipient == user)
		.run(pluck=True)
	)


def set_email_notifications(user: str, enabled: int) -> None:
	settings = frappe.get_doc("Notification Settings", user)
	settings.enable_email_notifications = enabled
	settings.save(ignore_permissions=True)


class TestTicketAlerts(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		outgoing_account()
		self.agent = make_agent()
		self.team = make_team([self.agent])
		self.category = make_category(team=self.team)

	def tearDown(self):
		frappe.set_user("Administrator")

	def messenger(self, conversation: str, text: str):
		return receive(
			IncomingMessage(
				channel="Messenger",
				text=text,
				sender_name="Chat Customer",
				conversation_id=conversation,
				message_id=frappe.generate_hash(length=12),
			)
		)

	def test_a_customer_reply_alerts_the_assignee_by_log_and_mail_and_marks_the_ticket_unread(self):
		conversation = unique("chat")
		first = self.messenger(conversation, "My order is late")
		ticket = frappe.get_doc("Ticket", first.ticket)
		ticket.category = self.category
		ticket.save(ignore_permissions=True)
		frappe.set_user("Administrator")
		ticket_api.reassign(ticket.name, user=self.agent)
		# The opening message is a new ticket, not a reply.
		self.assertFalse([a for a in alerts_for(self.agent, ticket.name) if "replied" in a.subject])
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "unread_customer_reply"), 0)

		second = self.messenger(conversation, "Any news? It is urgent")
		self.assertEqual(str(second.ticket), str(ticket.name))
		replied = [a for a in alerts_for(self.agent, ticket.name) if "replied" in a.subject]
		self.assertEqual(len(replied), 1, replied)
		self.assertEqual(replied[0].type, "Alert")
		self.assertIn("Any news? It is urgent", replied[0].email_content)
		self.assertTrue(any("replied on ticket" in m and "Any news" in m for m in mails_to(self.agent)))
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "unread_customer_reply"), 1)
		self.assertIn(
			ticket.name, frappe.get_all("Ticket", filters={"unread_customer_reply": 1}, pluck="name")
		)

		# Another agent opening it reads nothing for the assignee; the assignee opening it reads it.
		other = make_agent()
		frappe.set_user(other)
		self.assertFalse(ticket_alerts.mark_seen(ticket.name))
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "unread_customer_reply"), 1)
		frappe.set_user(self.agent)
		self.assertTrue(ticket_alerts.mark_seen(ticket.name))
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "unread_customer_reply"), 0)
		self.assertTrue(all(a.read for a in alerts_for(self.agent, ticket.name)))

	def test_an_agent_who_turned_email_off_gets_the_log_only(self):
		quiet = make_agent()
		set_email_notifications(quiet, 0)
		conversation = unique("chat")
		first = self.messenger(conversation, "Hello")
		ticket_api.reassign(first.ticket, user=quiet)
		self.messenger(conversation, "Hello again, still waiting")
		self.assertTrue([a for a in alerts_for(quiet, first.ticket) if "replied" in a.subject])
		self.assertFalse([m for m in mails_to(quiet) if "replied on ticket" in m])

	def test_an_unassigned_ticket_alerts_its_team(self):
		colleague = make_agent()
		team = make_team([self.agent, colleague])
		ticket = make_ticket(category=make_category(team=team), channel="Messenger")
		frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": str(ticket.name)})
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Chat",
				"sent_or_received": "Received",
				"content": "Are you there?",
				"sender_full_name": "Someone",
				"reference_doctype": "Ticket",
				"reference_name": ticket.name,
			}
		).insert(ignore_permissions=True)
		for user in (self.agent, colleague):
			self.assertTrue([a for a in alerts_for(user, ticket.name) if "replied" in a.subject], user)

	def test_a_public_reply_clears_the_unread_mark(self):
		ticket = make_ticket(category=self.category)
		frappe.db.set_value("Ticket", ticket.name, "unread_customer_reply", 1)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"content": "We are on it.",
				"sender": self.agent,
				"recipients": "someone@customer.test",
				"reference_doctype": "Ticket",
				"reference_name": ticket.name,
			}
		).insert(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "unread_customer_reply"), 0)

	def test_an_answered_consult_alerts_its_author(self):
		ticket = make_ticket(category=self.category, raised_by="buyer@customer.test")
		author = make_agent()
		frappe.set_user(author)
		name = ticket_consult.consult(ticket.name, "expert@partner.test", "Is this covered?")
		frappe.set_user("Administrator")
		message_id = frappe.db.get_value("Communication", name, "message_id")
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"content": "Yes, under warranty.",
				"sender": "expert@partner.test",
				"sender_full_name": "The Expert",
				"in_reply_to": name,
				"message_id": f"answer-{message_id}",
			}
		).insert(ignore_permissions=True)
		answered = [a for a in alerts_for(author, ticket.name) if "answered the consult" in a.subject]
		self.assertEqual(len(answered), 1)
		self.assertIn("under warranty", answered[0].email_content)
		# Not a customer reply: nothing is unread.
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "unread_customer_reply"), 0)

	def test_escalation_alerts_the_new_team_and_assignment_is_announced_by_frappe(self):
		ticket = make_ticket(category=self.category)
		# Frappe's own Assignment notification (its type follows the user's "Assignment" email setting).
		self.assertTrue(
			[a for a in alerts_for(self.agent, ticket.name) if a.type == "Assignment"],
			alerts_for(self.agent, ticket.name),
		)
		second_line = make_agent()
		escalation_team = make_team([second_line])
		frappe.set_user(self.agent)
		ticket_api.escalate(ticket.name, escalation_team, "needs an engineer")
		frappe.set_user("Administrator")
		handed = [a for a in alerts_for(second_line, ticket.name) if "handed to you" in a.subject]
		self.assertEqual(len(handed), 1, alerts_for(second_line, ticket.name))
		self.assertIn("needs an engineer", handed[0].email_content)

	def test_the_one_who_acted_is_not_alerted(self):
		ticket = make_ticket(category=self.category)
		frappe.set_user(self.agent)
		alerts.announce(ticket.name, "test", [self.agent])
		frappe.set_user("Administrator")
		self.assertFalse([a for a in alerts_for(self.agent, ticket.name) if a.subject == "test"])
