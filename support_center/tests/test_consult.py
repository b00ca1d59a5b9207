"""Consult a colleague: the question goes out by mail, the answer comes back as an internal note only."""

import frappe
from frappe.email.receive import InboundMail
from frappe.tests.utils import FrappeTestCase

from support_center.api import ticket_consult as api
from support_center.tests.factories import make_agent, make_ticket, portal_customer
from support_center.tests.test_acknowledgement import outgoing_account


class TestConsult(FrappeTestCase):
	def setUp(self):
		self.account = outgoing_account()
		self.customer = portal_customer()
		self.agent = make_agent()
		self.ticket = make_ticket(
			contact=self.customer.contact, customer=self.customer.customer, raised_by=self.customer.user
		)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"subject": "Broken",
				"content": "<p>My printer <b>smokes</b></p>",
				"sender": self.customer.user,
				"reference_doctype": "Ticket",
				"reference_name": self.ticket.name,
			}
		).insert(ignore_permissions=True)
		self.ticket.reload()

	def tearDown(self):
		frappe.set_user("Administrator")

	def consult(self):
		frappe.set_user(self.agent)
		name = api.consult(
			self.ticket.name, "Expert <expert@partner.test>, second@partner.test", "Is smoke bad?"
		)
		frappe.set_user("Administrator")
		return frappe.get_doc("Communication", name)

	def test_the_question_is_mailed_with_the_context(self):
		sent = self.consult()
		[queue] = frappe.get_all(
			"Email Queue",
			filters={"communication": sent.name},
			fields=["name", "message_id", "reference_doctype", "reference_name", "message"],
		)
		self.assertEqual(
			(queue.reference_doctype, str(queue.reference_name)), ("Ticket", str(self.ticket.name))
		)
		self.assertEqual(queue.message_id, sent.message_id)
		recipients = frappe.get_all(
			"Email Queue Recipient", filters={"parent": queue.name}, pluck="recipient"
		)
		self.assertEqual(sorted(recipients), ["expert@partner.test", "second@partner.test"])
		self.assertEqual(sent.communication_type, "Comment")
		for text in ("Is smoke bad?", "My printer smokes", f"#{self.ticket.name}"):
			self.assertIn(text, sent.content)
		notes = frappe.get_all(
			"Comment",
			filters={"reference_name": str(self.ticket.name), "comment_type": "Comment"},
			pluck="content",
		)
		self.assertTrue(any("expert@partner.test" in n and "Is smoke bad?" in n for n in notes))

	def test_the_answer_threads_back_as_an_internal_note(self):
		sent = self.consult()
		before = frappe.get_doc("Ticket", self.ticket.name)
		raw = (
			"From: Expert <expert@partner.test>\r\n"
			"To: desk@support-center.test\r\n"
			f"Subject: Re: {sent.subject}\r\n"
			f"Message-ID: <answer-{frappe.generate_hash(length=8)}@partner.test>\r\n"
			f"In-Reply-To: <{sent.message_id}>\r\n"
			"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
			"Content-Type: text/plain; charset=utf-8\r\n"
			"\r\n"
			"Smoke is bad, replace the fuser.\r\n"
		)
		mail = InboundMail(raw, frappe.get_doc("Email Account", self.account), uid=1, append_to="Ticket")
		answer = mail.process()
		self.assertEqual(answer.communication_type, "Comment")
		self.assertEqual(str(answer.reference_name), str(self.ticket.name))
		notes = frappe.get_all(
			"Comment",
			filters={"reference_name": str(self.ticket.name), "comment_type": "Comment"},
			pluck="content",
		)
		self.assertTrue(any("Smoke is bad, replace the fuser." in n for n in notes), notes)
		after = frappe.get_doc("Ticket", self.ticket.name)
		for field in ("status", "response_due", "sla_clock", "first_responded_on"):
			self.assertEqual(after.get(field), before.get(field), field)
		# not a public message: not on the portal's list, not in the form's conversation, not in _comments
		public = frappe.get_all(
			"Communication",
			filters={
				"reference_name": str(self.ticket.name),
				"communication_type": "Communication",
				"content": ("like", "%fuser%"),
			},
		)
		self.assertEqual(public, [])
		self.assertNotIn("fuser", frappe.db.get_value("Ticket", self.ticket.name, "_comments") or "")
		self.assertNotIn(
			"smoke bad", (frappe.db.get_value("Ticket", self.ticket.name, "_comments") or "").lower()
		)

	def test_staff_with_write_only(self):
		frappe.set_user(self.customer.user)
		self.assertRaises(frappe.PermissionError, api.consult, self.ticket.name, "x@partner.test", "?")
		frappe.set_user(self.agent)
		self.assertRaises(frappe.ValidationError, api.consult, self.ticket.name, "not an address", "?")
		self.assertRaises(frappe.ValidationError, api.consult, self.ticket.name, "x@partner.test", " ")
