"""Hostile input through the intake on a site: the intake module, the portal's filing and the email parser.

Every input ends in a ticket (or a message on one) or a clear error with nothing stored; what is stored
never carries markup that runs in the desk or the portal; a mail is always either taken in or kept as a
Failed Intake Message. Short runs here; SUPPORT_CENTER_LONG_TESTS=1 runs twenty times as many examples.
"""

import frappe
from frappe.tests.utils import FrappeTestCase
from hypothesis import given
from hypothesis import strategies as st

from support_center.intake import core
from support_center.intake.core import IntakeError
from support_center.intake.rules import CHANNELS, Attachment, IncomingMessage
from support_center.tests.factories import portal_customer
from support_center.tests.hostile_input import (
	HOSTILE_FILE_NAMES,
	SCRIPTS,
	fuzz_settings,
	hostile_text,
	raw_mail,
	text,
)
from support_center.tests.live_data import active_markup

maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731

messages = st.builds(
	IncomingMessage,
	channel=st.one_of(
		st.sampled_from(("Messenger", "API", "Portal", "Email")), st.sampled_from(CHANNELS), text
	),
	text=hostile_text,
	subject=maybe(hostile_text),
	sender_name=maybe(hostile_text),
	sender_email=maybe(st.sampled_from(("olga@example.com", "<script>@x.io", "a@b", '"x"@evil.example'))),
	sender_phone=maybe(
		st.sampled_from(("+7 916 765 43 21", "123", "<svg/onload=1>", "+1 (206) 555-0101 ext. 9"))
	),
	attachments=st.lists(
		st.builds(Attachment, st.one_of(st.sampled_from(HOSTILE_FILE_NAMES), text), st.binary(max_size=32)),
		max_size=2,
	).map(tuple),
)


def stored_markup(ticket: int) -> list[str]:
	"""Active markup anywhere a ticket's text is shown: its fields, its messages, its notes."""
	found = []
	row = frappe.db.get_value("Ticket", ticket, ["subject", "description", "raised_by_name"], as_dict=True)
	for value in row.values():
		found += active_markup(value)
	for doctype, field in (("Communication", "content"), ("Comment", "content")):
		for value in frappe.get_all(
			doctype, filters={"reference_doctype": "Ticket", "reference_name": str(ticket)}, pluck=field
		):
			found += active_markup(value)
	return found


class TestFuzzIntake(FrappeTestCase):
	@fuzz_settings(15)
	@given(message=messages, follow_up=hostile_text)
	def test_any_message_is_a_ticket_or_a_clear_error_and_stores_no_script(self, message, follow_up):
		conversation = f"fuzz-{frappe.generate_hash(length=10)}"
		message = IncomingMessage(**{**message.__dict__, "conversation_id": conversation})
		try:
			result = core.receive(message)
		except IntakeError as error:
			self.assertTrue(str(error).strip())
			self.assertFalse(frappe.db.exists("Intake Message", {"conversation_id": conversation}))
			return
		self.assertTrue(result.ticket)
		self.assertEqual(frappe.db.get_value("Intake Message", result.intake_message, "status"), "Processed")
		self.assertEqual(stored_markup(result.ticket), [])
		# A second message of the conversation joins the ticket, whatever it says.
		if follow_up.strip():
			again = core.receive(
				IncomingMessage(
					channel=message.channel,
					text=follow_up,
					sender_name="Same sender",
					conversation_id=conversation,
					source=message.source,
				)
			)
			self.assertEqual(int(again.ticket), int(result.ticket))
			self.assertEqual(stored_markup(result.ticket), [])


class TestFuzzPortalFiling(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = portal_customer()

	def tearDown(self):
		frappe.set_user("Administrator")

	@fuzz_settings(10)
	@given(subject=hostile_text, description=hostile_text)
	def test_a_customer_files_anything_and_gets_a_ticket_of_their_own_or_a_clear_error(
		self, subject, description
	):
		from support_center.portal.actions import PortalInputError, file_request

		frappe.set_user(self.customer.user)
		try:
			filed = file_request(subject, description, None, [])
		except (PortalInputError, frappe.ValidationError) as error:
			self.assertTrue(str(error).strip())
			return
		finally:
			frappe.set_user("Administrator")
		ticket = frappe.db.get_value("Ticket", filed.ticket, ["customer", "channel"], as_dict=True)
		self.assertEqual(ticket.customer, self.customer.customer)
		self.assertEqual(ticket.channel, "Portal")
		self.assertEqual(stored_markup(filed.ticket), [])


class TestFuzzEmailParser(FrappeTestCase):
	"""Generated MIME through the Email Account's own parser and intake, mail by mail as a pull does."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": f"Fuzz {frappe.generate_hash(length=8)}",
				"email_id": f"fuzz-{frappe.generate_hash(length=8).lower()}@example.com",
				"enable_incoming": 0,
				"enable_outgoing": 0,
				"append_to": "Ticket",
			}
		).insert(ignore_permissions=True)

	def take_in(self, raw: bytes):
		"""What SupportEmailAccount does with one pulled mail: parse, process, or record it as Failed."""
		from support_center.intake.email import SupportInboundMail, record_failed_mail

		frappe.db.savepoint("fuzz_mail")
		try:
			mail = SupportInboundMail(raw, self.account, None, None, "Ticket")
			communication = mail.process()
		except Exception:
			frappe.db.rollback(save_point="fuzz_mail")
			return None, record_failed_mail(raw, frappe.get_traceback(), self.account.name)
		return communication, None

	@fuzz_settings(20)
	@given(raw=raw_mail(sender="Fuzz Sender <fuzz-sender@example.org>"))
	def test_any_mail_is_taken_in_or_kept_as_failed_and_stores_no_script(self, raw):
		# A Message-ID of its own (the first header wins): a mail already taken in would only be found again.
		raw = f"Message-ID: <{frappe.generate_hash(length=16)}@fuzz.example>\r\n".encode() + raw
		communication, failed = self.take_in(raw)
		if failed:
			record = frappe.get_doc("Intake Message", failed)
			self.assertEqual(record.status, "Failed")
			self.assertTrue(
				frappe.db.exists(
					"File", {"attached_to_doctype": "Intake Message", "attached_to_name": failed}
				),
				"the raw mail is kept with the failed message",
			)
			return
		if communication is None:
			return  # a mail recorded as Failed earlier waits for its Retry
		self.assertEqual(active_markup(communication.content), [])
		if communication.reference_doctype == "Ticket" and communication.reference_name:
			self.assertEqual(stored_markup(communication.reference_name), [])
		for file_name in frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Communication", "attached_to_name": communication.name},
			pluck="file_name",
		):
			self.assertFalse(any(c in file_name for c in '/\\<>"\x00'), file_name)

	@fuzz_settings(12)
	@given(raw=raw_mail())
	def test_mail_without_or_with_a_broken_from_header_is_never_lost(self, raw):
		communication, failed = self.take_in(raw)
		self.assertTrue(communication is not None or failed or self.already_failed(raw))

	def already_failed(self, raw: bytes) -> bool:
		from support_center.intake.email import failed_record, mail_key

		return bool(failed_record(mail_key(raw)))

	def test_scripts_in_every_part_of_a_mail_are_not_stored_live(self):
		from email.message import EmailMessage

		for script in SCRIPTS:
			message = EmailMessage()
			message["From"] = f"{script} <fuzz-script@example.org>"
			message["Subject"] = script
			message["Message-ID"] = f"<{frappe.generate_hash(length=12)}@example.org>"
			message.set_content(script)
			message.add_alternative(f"<p>{script}</p>", subtype="html")
			message.add_attachment(b"x", maintype="text", subtype="html", filename=f"{script}.html")
			communication, failed = self.take_in(bytes(message))
			self.assertIsNone(failed, script)
			self.assertEqual(active_markup(communication.content), [], script)
			self.assertEqual(stored_markup(communication.reference_name), [], script)

	def test_a_mail_from_a_huge_address_is_kept(self):
		# Found by the long fuzz run: a From address of thousands of characters failed the contact, and then
		# recording the mail as Failed failed too (its sender fields hold 140 characters).
		raw = (
			f"From: {'x' * 5000}@example.com\r\nSubject: long\r\n"
			f"Message-ID: <{frappe.generate_hash(length=12)}@example.org>\r\n\r\nHello"
		).encode()
		communication, failed = self.take_in(raw)
		self.assertTrue(communication is not None or failed)

	def test_a_json_shaped_automated_mail_keeps_no_live_markup(self):
		# Found by the long fuzz run: an automated mail (no ticket) whose text parses as JSON skipped Frappe's
		# sanitiser and the ticket hooks, and kept `<img onerror=…>` live in the desk.
		for body in ('{"":"<SCRIPT>"}', '{"a": "<img src=x onerror=alert(1)>"}'):
			raw = (
				"From: F <fuzz-auto@example.org>\r\nAuto-Submitted: auto-replied\r\n"
				f"Message-ID: <{frappe.generate_hash(length=12)}@example.org>\r\n"
				f'Content-Type: text/plain; charset="utf-8"\r\n\r\n{body}'
			).encode()
			communication, failed = self.take_in(raw)
			self.assertIsNone(failed)
			self.assertEqual(active_markup(communication.content), [], communication.content)
