"""Consult a colleague: the question goes out by mail, the answer comes back as an internal note only."""

import frappe
from frappe.email.receive import InboundMail
from frappe.tests.utils import FrappeTestCase

from support_center.api import ticket_consult as api
from support_center.intake.email import SupportInboundMail
from support_center.tests.factories import make_agent, make_ticket, portal_customer
from support_center.tests.test_acknowledgement import outgoing_account
from support_center.tests.test_conversation_notes import customer_view


def mail_from(sender: str, subject: str, body: str, **headers) -> tuple[str, str]:
	"""A raw mail and its Message-ID; ``headers`` as ``In_Reply_To="<id>"``."""
	message_id = f"{frappe.generate_hash(length=10)}@elsewhere.test"
	lines = [
		f"From: {sender}",
		"To: desk@support-center.test",
		f"Subject: {subject}",
		f"Message-ID: <{message_id}>",
		"Date: Mon, 23 Nov 2026 10:00:00 +0000",
		*(f"{key.replace('_', '-')}: {value}" for key, value in headers.items()),
		"Content-Type: text/plain; charset=utf-8",
		"",
		body,
		"",
	]
	return "\r\n".join(lines), message_id


def take_in(raw: str, account: str):
	"""One pulled mail, as the ticket mailbox takes it in, including Frappe's copy to the ticket's owner."""
	email_account = frappe.get_doc("Email Account", account)
	email_account.append_to = "Ticket"
	mail = SupportInboundMail(raw, email_account, uid=1, append_to="Ticket")
	communication = mail.process()
	communication.send_email(is_inbound_mail_communcation=True)
	return communication


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

	def answered_consult(self):
		"""The consult, and the expert's answer to all (the desk and the second colleague)."""
		sent = self.consult()
		raw, answer_id = mail_from(
			"Expert <expert@partner.test>",
			f"Re: {sent.subject}",
			"Smoke is bad, replace the fuser.",
			In_Reply_To=f"<{sent.message_id}>",
			References=f"<{sent.message_id}>",
		)
		take_in(raw, self.account)
		return sent, answer_id

	def assert_internal(self, communication, text: str):
		"""Not a public message, a note for staff, and nowhere a customer looks (nor mailed to them)."""
		communication.reload()
		self.assertNotEqual(communication.communication_type, "Communication")
		self.assertEqual(str(communication.reference_name), str(self.ticket.name))
		notes = frappe.get_all(
			"Comment",
			filters={"reference_name": str(self.ticket.name), "comment_type": "Comment"},
			pluck="content",
		)
		self.assertTrue(any(text in note for note in notes), notes)
		# the customer owns the ticket (they filed it on the portal): Frappe copies new mail to owners
		queued = frappe.get_all(
			"Email Queue Recipient",
			filters={"recipient": ("like", f"%{self.customer.user}%")},
			fields=["parent"],
		)
		for row in queued:
			self.assertNotIn(text, frappe.db.get_value("Email Queue", row.parent, "message") or "")
		frappe.set_user(self.customer.user)
		seen = customer_view(self.ticket.name)
		frappe.set_user("Administrator")
		self.assertIn(frappe.utils.escape_html(self.ticket.subject), seen)
		self.assertNotIn(text, seen)
		self.assertNotIn("Is smoke bad", seen)
		after = frappe.get_doc("Ticket", self.ticket.name)
		self.assertEqual(after.status, "Open")

	def test_a_colleagues_reply_to_an_answer_stays_internal(self):
		frappe.db.set_value("Ticket", self.ticket.name, "owner", self.customer.user)
		sent, answer_id = self.answered_consult()
		raw, _ = mail_from(
			"Second <second@partner.test>",
			f"Re: {sent.subject}",
			"I disagree, clean the fan first.",
			In_Reply_To=f"<{answer_id}>",
			References=f"<{sent.message_id}> <{answer_id}>",
		)
		self.assert_internal(take_in(raw, self.account), "clean the fan first")

	def test_a_reply_whose_references_lead_to_the_consult_stays_internal(self):
		# The second colleague answers a mail the desk never got; only References name the consult.
		frappe.db.set_value("Ticket", self.ticket.name, "owner", self.customer.user)
		sent, _answer_id = self.answered_consult()
		raw, _ = mail_from(
			"Second <second@partner.test>",
			f"Re: {sent.subject}",
			"Ask the vendor about the fuser.",
			In_Reply_To="<private-thread@partner.test>",
			References=f"<{sent.message_id}> <private-thread@partner.test>",
		)
		self.assert_internal(take_in(raw, self.account), "Ask the vendor")

	def test_an_out_of_office_reply_to_a_consult_stays_internal(self):
		frappe.db.set_value("Ticket", self.ticket.name, "owner", self.customer.user)
		sent = self.consult()
		raw, _ = mail_from(
			"Expert <expert@partner.test>",
			f"Automatic reply: {sent.subject}",
			"I am away until Monday. Quoting: Is smoke bad?",
			In_Reply_To=f"<{sent.message_id}>",
			Auto_Submitted="auto-replied",
		)
		self.assert_internal(take_in(raw, self.account), "I am away until Monday")

	def test_staff_with_write_only(self):
		frappe.set_user(self.customer.user)
		self.assertRaises(frappe.PermissionError, api.consult, self.ticket.name, "x@partner.test", "?")
		frappe.set_user(self.agent)
		self.assertRaises(frappe.ValidationError, api.consult, self.ticket.name, "not an address", "?")
		self.assertRaises(frappe.ValidationError, api.consult, self.ticket.name, "x@partner.test", " ")
