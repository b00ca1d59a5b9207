"""The email channel end to end on loopback: a real Dovecot that Frappe's Email Account pulls from over
IMAP, and a real SMTP listener that keeps what the desk sends, so threading is checked on the wire.

The pull commits (Frappe's receive() commits after each mail), so everything this class makes carries
its own domain and is deleted in tearDownClass.
"""

import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import frappe
from frappe.query_builder import DocType
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime

from support_center.tests.factories import make_contact, make_customer, unique
from support_center.tests.mail_servers import Dovecot, SMTPSink

PASSWORD = "imap-secret"


def text_of(message) -> str:
	"""Every text part of a received message, decoded."""
	parts = []
	for part in message.walk():
		if part.get_content_maintype() == "text":
			parts.append(frappe.safe_decode(part.get_payload(decode=True) or b""))
	return "\n".join(parts)


class TestEmailIntake(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.domain = f"{frappe.generate_hash(length=8).lower()}.example.com"
		cls.support = f"support@{cls.domain}"
		cls.dovecot = Dovecot(cls.support, PASSWORD)
		cls.smtp = SMTPSink()
		cls.saved_flags = (frappe.flags.mute_emails, frappe.flags.testing_email)
		cls.saved_settings = {
			f: frappe.db.get_single_value("Support Center Settings", f)
			for f in ("send_acknowledgement", "reopen_closed_within_days")
		}
		try:
			cls.dovecot.start()
			cls.smtp.start()
		except Exception:
			cls.dovecot.stop()
			cls.smtp.stop()
			raise
		# Frappe caches the outgoing account per process: earlier test classes may have left theirs there.
		frappe.local.outgoing_email_account = {}
		# Mail that names no account (Frappe's assignment notices) goes out through the default one: during
		# this class that is the sink's account, not one another class left pointing at no server.
		cls.other_defaults = frappe.get_all("Email Account", filters={"default_outgoing": 1}, pluck="name")
		# Mail really goes out, to the sink.
		frappe.flags.mute_emails = False
		frappe.flags.testing_email = True
		frappe.db.set_single_value("Support Center Settings", "send_acknowledgement", 1)
		frappe.db.set_single_value("Support Center Settings", "reopen_closed_within_days", 14)
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": f"Support {cls.domain}",
				"email_id": cls.support,
				"password": PASSWORD,
				"enable_incoming": 1,
				"use_imap": 1,
				"use_ssl": 0,
				"use_starttls": 0,
				"email_server": "127.0.0.1",
				"incoming_port": str(cls.dovecot.port),
				"email_sync_option": "UNSEEN",
				"initial_sync_count": "100",
				"append_to": "Ticket",
				"imap_folder": [{"folder_name": "INBOX", "append_to": "Ticket"}],
				"enable_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": str(cls.smtp.port),
				"use_tls": 0,
				"use_ssl_for_outgoing": 0,
				"no_smtp_authentication": 1,
				"default_outgoing": 1,
				"enable_auto_reply": 0,
			}
		).insert(ignore_permissions=True)
		cls.account = account.name
		frappe.db.commit()
		# The first pull learns the mailbox's UIDVALIDITY; from then on it takes only unseen mail.
		cls.pull()

	@classmethod
	def tearDownClass(cls):
		try:
			cls.cleanup()
		finally:
			frappe.flags.mute_emails, frappe.flags.testing_email = cls.saved_flags
			for field, value in cls.saved_settings.items():
				frappe.db.set_single_value("Support Center Settings", field, value)
			frappe.db.commit()
			cls.dovecot.stop()
			cls.smtp.stop()
			super().tearDownClass()

	@classmethod
	def cleanup(cls):
		like = f"%{cls.domain}%"
		tickets = frappe.get_all("Ticket", filters={"raised_by": ("like", like)}, pluck="name")
		communications = frappe.get_all(
			"Communication",
			or_filters={"sender": ("like", like), "recipients": ("like", like)},
			pluck="name",
		)
		communications += frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": ("in", tickets or [""])},
			pluck="name",
		)
		accounts = [cls.account, *getattr(cls, "extra_accounts", [])]
		intake = frappe.get_all(
			"Intake Message",
			or_filters={"conversation_id": ("in", accounts), "email_account": ("in", accounts)},
			pluck="name",
		)
		communications += frappe.get_all(
			"Communication", filters={"email_account": ("in", accounts)}, pluck="name"
		)
		for doctype, names in (
			("Ticket", tickets),
			("Communication", communications),
			("Intake Message", intake),
		):
			for name in set(names):
				for file in frappe.get_all(
					"File",
					filters={"attached_to_doctype": doctype, "attached_to_name": str(name)},
					pluck="name",
				):
					frappe.delete_doc("File", file, force=True, ignore_permissions=True)
		for name in set(communications):
			frappe.delete_doc("Communication", name, force=True, ignore_permissions=True)
		for name in tickets:
			frappe.db.delete("Comment", {"reference_doctype": "Ticket", "reference_name": str(name)})
			frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": str(name)})
			frappe.db.delete("Version", {"ref_doctype": "Ticket", "docname": str(name)})
			frappe.db.delete("Ticket", {"name": name})
		queue = DocType("Email Queue")
		names = (
			frappe.qb.from_(queue)
			.select(queue.name)
			.where((queue.email_account == cls.account) | queue.sender.like(like))
			.run(pluck=True)
		)
		for name in names:
			frappe.db.delete("Email Queue Recipient", {"parent": name})
			frappe.db.delete("Email Queue", {"name": name})
		for name in intake:
			frappe.db.delete("Intake Message", {"name": name})
		frappe.db.delete("Unhandled Email", {"email_account": ("in", accounts)})
		for contact in frappe.get_all("Contact Email", filters={"email_id": ("like", like)}, pluck="parent"):
			frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
		for customer in getattr(cls, "customers", []):
			frappe.delete_doc("Customer", customer, force=True, ignore_permissions=True)
		for account in accounts:
			frappe.delete_doc("Email Account", account, force=True, ignore_permissions=True)
		for account in getattr(cls, "other_defaults", []):
			frappe.db.set_value("Email Account", account, "default_outgoing", 1)
		frappe.local.outgoing_email_account = {}
		frappe.db.commit()

	# Helpers

	@classmethod
	def pull(cls, account_name: str | None = None):
		account = frappe.get_doc("Email Account", account_name or cls.account)
		account.receive()
		frappe.db.commit()

	def address(self, who: str) -> str:
		return f"{who}-{frappe.generate_hash(length=6).lower()}@{self.domain}"

	def mail(self, sender: str | None, subject: str, body: str, **headers) -> tuple[bytes, str]:
		message = EmailMessage()
		if sender:
			message["From"] = sender
		message["To"] = self.support
		message["Subject"] = subject
		message["Date"] = format_datetime(now_datetime().astimezone())
		message_id = headers.pop("message_id", None) or make_msgid(domain=self.domain)
		if headers.pop("without_message_id", False):
			message_id = ""
		else:
			message["Message-ID"] = message_id
		for key, value in headers.items():
			message[key.replace("_", "-")] = value
		message.set_content(body)
		return bytes(message), message_id.strip("<>")

	def deliver(self, *raws: bytes) -> None:
		for raw in raws:
			self.dovecot.append(raw)
		self.pull()

	def customer_with(self, *emails: str) -> tuple[str, list[str]]:
		customer = make_customer()
		type(self).customers = [*getattr(type(self), "customers", []), customer]
		contacts = [make_contact(customer, email=email) for email in emails]
		frappe.db.commit()
		return customer, contacts

	def ticket_of(self, message_id: str):
		name = frappe.db.get_value(
			"Communication", {"message_id": message_id}, "reference_name", order_by="creation"
		)
		return frappe.get_doc("Ticket", name) if name else None

	def received(self, ticket) -> list:
		return frappe.get_all(
			"Communication",
			filters={
				"reference_doctype": "Ticket",
				"reference_name": str(ticket.name),
				"sent_or_received": "Received",
			},
			fields=["name", "message_id", "communication_type", "sender"],
			order_by="creation",
		)

	def sent_to(self, address: str, wait: float = 5.0) -> list:
		"""What reached the SMTP sink for an address (queued mail is sent first)."""
		self.send_queue()
		deadline = time.monotonic() + wait
		while not self.smtp.to(address) and time.monotonic() < deadline:
			time.sleep(0.1)
		return self.smtp.to(address)

	def send_queue(self):
		for name in frappe.get_all(
			"Email Queue",
			filters={"status": ("in", ["Not Sent", "Partially Sent"]), "email_account": self.account},
			pluck="name",
		):
			frappe.get_doc("Email Queue", name).send()
		frappe.db.commit()

	# Tests

	def test_new_mail_makes_a_ticket_for_the_customer_and_is_acknowledged_with_threading_headers(self):
		alice = self.address("alice")
		customer, (contact,) = self.customer_with(alice)
		raw, message_id = self.mail(f"Alice Example <{alice}>", "Printer on fire", "It smokes.\n<b>help</b>")
		self.deliver(raw)

		ticket = self.ticket_of(message_id)
		self.assertIsNotNone(ticket, "the mail made no ticket")
		self.assertEqual(ticket.channel, "Email")
		self.assertEqual(ticket.raised_by, alice)
		self.assertEqual(ticket.raised_by_name, "Alice Example")
		self.assertEqual(ticket.contact, contact)
		self.assertEqual(ticket.customer, customer)
		self.assertEqual(ticket.subject, "Printer on fire")
		self.assertIn("&lt;b&gt;help&lt;/b&gt;", ticket.description)

		# The acknowledgement went out on the wire, marked automatic, naming the ticket, with a Message-ID.
		(ack,) = self.sent_to(alice)
		self.assertEqual(ack["X-Auto-Response-Suppress"], "All")
		self.assertIn(f"#{ticket.name}", str(ack["Subject"]))
		ack_id = "".join((ack["Message-ID"] or "").split()).strip("<>")
		self.assertTrue(ack_id)

		# The customer answers the acknowledgement: In-Reply-To brings it to the ticket.
		reply, reply_id = self.mail(alice, "Re: something else", "More smoke.", In_Reply_To=f"<{ack_id}>")
		self.deliver(reply)
		self.assertEqual(str(self.ticket_of(reply_id).name), str(ticket.name))

		# An agent replies from the desk; the mail carries a Message-ID the customer's answer points to.
		from frappe.core.doctype.communication.email import make

		make(
			doctype="Ticket",
			name=ticket.name,
			content="Please unplug it.",
			subject=f"Re: Printer on fire (#{ticket.name})",
			recipients=alice,
			sender=self.support,
			send_email=1,
			now=True,
		)
		frappe.db.commit()
		agent_mail = [m for m in self.sent_to(alice) if "unplug" in text_of(m)]
		self.assertTrue(agent_mail, "the agent's reply did not reach the SMTP server")
		agent_id = "".join(agent_mail[0]["Message-ID"].split()).strip("<>")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Replied")

		# Only References (a client that drops In-Reply-To, or one answering an older mail): still threads.
		answer, answer_id = self.mail(
			alice,
			"Re: Printer on fire",
			"Unplugged.",
			References=f"<{message_id}> <{agent_id}>",
		)
		self.deliver(answer)
		self.assertEqual(str(self.ticket_of(answer_id).name), str(ticket.name))
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Open")
		self.assertEqual(len(self.received(ticket)), 3)
		# One acknowledgement only: replies are not first messages.
		self.assertEqual(len([m for m in self.smtp.to(alice) if m["X-Auto-Response-Suppress"]]), 1)

	def test_the_acknowledgement_is_marked_automatic_for_other_auto_responders(self):
		# RFC 3834: other auto-responders recognise "Auto-Submitted", not "X-Auto-Submitted"; without it two
		# auto-responders can answer each other. Frappe's email_headers prefixes "X-" to every header.
		kim = self.address("kim")
		raw, _first = self.mail(kim, "Loop check", "Hello.")
		self.deliver(raw)
		(ack,) = self.sent_to(kim)
		self.assertEqual(ack["Auto-Submitted"], "auto-replied", f"headers on the wire: {ack.items()}")

	def test_unknown_sender_html_and_attachments(self):
		bob = self.address("bob")
		# Names of this run's own: Frappe renames a file whose name another test's file already holds.
		pdf_name, csv_name = (
			f"{stem}-{frappe.generate_hash(length=6)}.{ext}"
			for stem, ext in (("invoice", "pdf"), ("lines", "csv"))
		)
		message = EmailMessage()
		message["From"] = f"Bob Unknown <{bob}>"
		message["To"] = self.support
		message["Subject"] = "Invoice wrong"
		message_id = make_msgid(domain=self.domain)
		message["Message-ID"] = message_id
		message.set_content("The invoice is wrong, see attached.")
		message.add_alternative("<p>The invoice is <i>wrong</i><script>alert(1)</script></p>", subtype="html")
		message.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename=pdf_name)
		message.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename=csv_name)
		self.deliver(bytes(message))

		ticket = self.ticket_of(message_id.strip("<>"))
		self.assertIsNotNone(ticket)
		self.assertTrue(ticket.contact, "an unknown sender gets a Contact")
		self.assertEqual(frappe.db.get_value("Contact Email", {"parent": ticket.contact}, "email_id"), bob)
		self.assertFalse(ticket.customer)
		self.assertNotIn("<script", ticket.description)
		(communication,) = self.received(ticket)
		content = frappe.db.get_value("Communication", communication.name, "content")
		self.assertNotIn("<script", content)
		for doctype, name in (("Communication", communication.name), ("Ticket", ticket.name)):
			files = frappe.get_all(
				"File",
				filters={"attached_to_doctype": doctype, "attached_to_name": str(name)},
				pluck="file_name",
			)
			self.assertEqual(sorted(files), [pdf_name, csv_name], doctype)
		pdf = frappe.get_doc(
			"File",
			{
				"attached_to_doctype": "Ticket",
				"attached_to_name": str(ticket.name),
				"file_name": pdf_name,
			},
		)
		self.assertEqual(frappe.safe_decode(pdf.get_content()), "%PDF-1.4 fake")

		# An HTML-only mail: the description is its text, escaped.
		html_only = EmailMessage()
		html_only["From"] = bob
		html_only["To"] = self.support
		html_only["Subject"] = "Only HTML"
		html_id = make_msgid(domain=self.domain)
		html_only["Message-ID"] = html_id
		html_only.set_content("<p>Hello &amp; <b>bye</b></p>", subtype="html")
		self.deliver(bytes(html_only))
		ticket = self.ticket_of(html_id.strip("<>"))
		self.assertIn("Hello", ticket.description)
		self.assertNotIn("<b>", ticket.description)

	def test_ticket_number_in_the_subject_threads_only_for_the_tickets_own_people(self):
		carol, dave, mallory = self.address("carol"), self.address("dave"), self.address("mallory")
		self.customer_with(carol, dave)
		raw, first = self.mail(carol, "VPN down", "Cannot connect.")
		self.deliver(raw)
		ticket = self.ticket_of(first)

		own, own_id = self.mail(carol, f"Re: #{ticket.name}", "Still down.")
		colleague, colleague_id = self.mail(dave, f"VPN (#{ticket.name})", "Me too.")
		stranger, stranger_id = self.mail(mallory, f"Re: #{ticket.name}", "Injected.")
		self.deliver(own, colleague, stranger)

		self.assertEqual(str(self.ticket_of(own_id).name), str(ticket.name))
		self.assertEqual(str(self.ticket_of(colleague_id).name), str(ticket.name))
		strangers = self.ticket_of(stranger_id)
		self.assertNotEqual(str(strangers.name), str(ticket.name))
		self.assertEqual(strangers.raised_by, mallory)
		self.assertEqual(len(self.received(ticket)), 3)

	def test_the_same_message_twice_is_one_ticket_and_one_communication(self):
		erin = self.address("erin")
		raw, message_id = self.mail(erin, "Duplicate me", "Once.")
		self.deliver(raw, raw)
		self.deliver(raw)
		self.assertEqual(frappe.db.count("Communication", {"message_id": message_id}), 1)
		self.assertEqual(frappe.db.count("Ticket", {"raised_by": erin}), 1)

	def test_auto_generated_mail_makes_no_ticket_and_gets_no_answer(self):
		frank = self.address("frank")
		out_of_office, ooo_id = self.mail(
			frank, "Out of office", "Back Monday.", Auto_Submitted="auto-replied"
		)
		bulk, bulk_id = self.mail(frank, "Newsletter", "News.", Precedence="bulk")
		suppress, suppress_id = self.mail(frank, "Auto", "Auto.", X_Auto_Response_Suppress="All")
		daemon = f"MAILER-DAEMON@{self.domain}"
		bounce, bounce_id = self.mail(daemon, "Undelivered Mail Returned to Sender", "No such user.")
		self.deliver(out_of_office, bulk, suppress, bounce)
		for message_id in (ooo_id, bulk_id, suppress_id, bounce_id):
			communication = frappe.db.get_value(
				"Communication",
				{"message_id": message_id},
				["reference_doctype", "communication_type"],
				as_dict=True,
			)
			self.assertIsNotNone(communication, "auto-generated mail is still recorded")
			self.assertFalse(communication.reference_doctype, "auto-generated mail made a ticket")
			self.assertEqual(communication.communication_type, "Automated Message")
		self.assertEqual(frappe.db.count("Ticket", {"raised_by": ("in", [frank, daemon.lower()])}), 0)
		self.assertEqual(self.sent_to(frank, wait=0.5), [])

		# A bounce of our acknowledgement threads onto the ticket, but moves nothing and is not answered.
		grace = self.address("grace")
		raw, first = self.mail(grace, "Help", "Please.")
		self.deliver(raw)
		ticket = self.ticket_of(first)
		(ack,) = self.sent_to(grace)
		frappe.db.set_value("Ticket", ticket.name, "status", "Resolved")
		frappe.db.commit()
		bounce, bounce_id = self.mail(
			daemon,
			"Delivery Status Notification (Failure)",
			"Bounced.",
			# A long Message-ID arrives folded over two lines.
			In_Reply_To="".join(str(ack["Message-ID"]).split()),
		)
		self.deliver(bounce)
		communication = frappe.get_doc("Communication", {"message_id": bounce_id})
		self.assertEqual(str(communication.reference_name), str(ticket.name))
		self.assertEqual(communication.communication_type, "Automated Message")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Resolved")
		self.assertEqual(len(self.sent_to(grace, wait=0.5)), 1)

	def test_one_bad_message_costs_one_message_not_the_batch(self):
		henry = self.address("henry")
		good_one, good_one_id = self.mail(henry, "Before the bad one", "One.")
		bad, bad_id = self.mail(None, "No sender at all", "Who am I?")
		good_two, good_two_id = self.mail(henry, "After the bad one", "Two.")
		self.deliver(good_one, bad, good_two)

		self.assertIsNotNone(self.ticket_of(good_one_id))
		self.assertIsNotNone(self.ticket_of(good_two_id))
		record = frappe.get_doc("Intake Message", {"message_id": bad_id})
		self.assertEqual(record.status, "Failed")
		self.assertEqual(record.channel, "Email")
		self.assertIn("Traceback", record.error)
		(eml,) = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Intake Message", "attached_to_name": record.name},
			pluck="name",
		)
		self.assertIn("No sender at all", frappe.safe_decode(frappe.get_doc("File", eml).get_content()))
		self.assertTrue(frappe.db.exists("Unhandled Email", {"email_account": self.account}))
		self.assertEqual(self.dovecot.unseen_count(), 0)

	def fresh_account(self) -> tuple[str, str]:
		"""A second account on a folder of its own, never pulled: its first pull is an initial sync."""
		folder = f"Fresh{frappe.generate_hash(length=6)}"
		self.dovecot.create_folder(folder)
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": f"{folder} {self.domain}",
				"email_id": f"{folder.lower()}@{self.domain}",
				"login_id_is_different": 1,
				"login_id": self.support,
				"password": PASSWORD,
				"enable_incoming": 1,
				"use_imap": 1,
				"use_ssl": 0,
				"use_starttls": 0,
				"email_server": "127.0.0.1",
				"incoming_port": str(self.dovecot.port),
				"email_sync_option": "UNSEEN",
				"initial_sync_count": "100",
				"append_to": "Ticket",
				"imap_folder": [{"folder_name": folder, "append_to": "Ticket"}],
				"enable_outgoing": 0,
				"enable_auto_reply": 0,
			}
		).insert(ignore_permissions=True)
		type(self).extra_accounts = [*getattr(type(self), "extra_accounts", []), account.name]
		frappe.db.commit()
		return account.name, folder

	def test_a_failing_first_pull_takes_nothing_in_twice_however_often_it_is_repeated(self):
		account, folder = self.fresh_account()
		tag = unique("first-pull")
		lena = self.address("lena")
		# No Contact can hold this address, so the mail fails while processed. It comes first: Frappe's
		# rollback then also undid the folder's UIDVALIDITY, and every later pull was an initial sync again.
		invalid = f"kate@{self.domain.replace('.', '..', 1)}"
		mails = {
			"bad without id": self.mail(invalid, f"{tag} bad without id", "Fails.", without_message_id=True),
			"with id": self.mail(lena, f"{tag} with id", "Has an id."),
			"plain one": self.mail(lena, f"{tag} plain one", "No id, one.", without_message_id=True),
			"plain two": self.mail(lena, f"{tag} plain two", "No id, two.", without_message_id=True),
			"bad with id": self.mail(invalid, f"{tag} bad with id", "Fails too."),
		}
		for raw, _message_id in mails.values():
			self.dovecot.append(raw, folder)

		# Frappe's receive() raises at the end of a pull in which mail failed (the scheduler logs it).
		with self.assertRaises(Exception):
			self.pull(account)
		self.assertTrue(
			frappe.db.get_value("IMAP Folder", {"parent": account}, "uidvalidity"),
			"the folder's UIDVALIDITY was not kept after the first pull",
		)
		# Later pulls find the failed mails recorded: they wait for a Retry, nothing fails again.
		self.pull(account)
		self.pull(account)
		# The server renumbers the folder (a restored mailbox): the latest mails come again by UID range.
		frappe.db.set_value("IMAP Folder", {"parent": account}, "uidvalidity", "1")
		frappe.db.commit()
		self.pull(account)
		self.pull(account)

		for key in ("with id", "plain one", "plain two"):
			subject = f"{tag} {key}"
			self.assertEqual(frappe.db.count("Ticket", {"subject": subject}), 1, subject)
			self.assertEqual(frappe.db.count("Communication", {"subject": subject}), 1, subject)
			self.assertEqual(frappe.db.count("Intake Message", {"subject": subject}), 0, subject)
		for key in ("bad without id", "bad with id"):
			subject = f"{tag} {key}"
			self.assertEqual(frappe.db.count("Ticket", {"subject": subject}), 0, subject)
			self.assertEqual(
				frappe.db.count("Intake Message", {"subject": subject, "status": "Failed"}), 1, subject
			)
		self.assertEqual(frappe.db.count("Unhandled Email", {"email_account": account}), 2)
		self.assertEqual(self.dovecot.unseen_count(folder), 0)

	def attachments_of(self, ticket) -> dict[str, bytes]:
		return {
			file.file_name: frappe.get_doc("File", file.name).get_content()
			for file in frappe.get_all(
				"File",
				filters={"attached_to_doctype": "Ticket", "attached_to_name": str(ticket.name)},
				fields=["name", "file_name"],
			)
		}

	def notes_of(self, ticket) -> str:
		return "\n".join(
			frappe.get_all(
				"Comment",
				filters={
					"reference_doctype": "Ticket",
					"reference_name": str(ticket.name),
					"comment_type": "Comment",
				},
				pluck="content",
			)
		)

	def mail_with_attachments(self, sender: str, subject: str, text: str, *attachments) -> tuple[bytes, str]:
		message = EmailMessage()
		message["From"] = sender
		message["To"] = self.support
		message["Subject"] = subject
		message_id = make_msgid(domain=self.domain)
		message["Message-ID"] = message_id
		message.set_content(text)
		for content, maintype, subtype, filename in attachments:
			message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
		return bytes(message), message_id.strip("<>")

	def test_a_bad_attachment_costs_that_attachment_only(self):
		import io

		from PIL import Image

		nora = self.address("nora")
		buffer = io.BytesIO()
		Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
		good_jpeg = buffer.getvalue()
		# An image PIL cannot read (Frappe strips EXIF from every JPEG it stores).
		photo_mail, photo_id = self.mail_with_attachments(
			nora,
			"Broken photo",
			"The photo and the estimate are attached.",
			(b"%PDF-1.4 estimate", "application", "pdf", "estimate.pdf"),
			(b"this is not a jpeg", "image", "jpeg", "photo.jpg"),
			(good_jpeg, "image", "jpeg", "thumb.jpg"),
		)
		# A file name with markup in it.
		markup_mail, markup_id = self.mail_with_attachments(
			nora,
			"Odd name",
			"The report is attached.",
			(b"%PDF-1.4 report", "application", "pdf", "<b>report</b>.pdf"),
			(b"a,b\n3,4\n", "text", "csv", "figures.csv"),
		)
		self.deliver(photo_mail, markup_mail)

		ticket = self.ticket_of(photo_id)
		self.assertIsNotNone(ticket, "a mail with an unreadable image made no ticket")
		self.assertIn("The photo and the estimate are attached.", ticket.description)
		files = self.attachments_of(ticket)
		self.assertEqual(frappe.safe_encode(files.pop("estimate.pdf")), b"%PDF-1.4 estimate")
		self.assertTrue(files.pop("thumb.jpg"), "a readable image is stored as an image")
		# The unreadable image is kept as it came, under a name nothing tries to read as an image.
		(raw_name,) = files
		self.assertTrue(raw_name.startswith("photo.jpg"), raw_name)
		self.assertEqual(frappe.safe_encode(files[raw_name]), b"this is not a jpeg")
		notes = self.notes_of(ticket)
		self.assertIn("photo.jpg", notes)
		self.assertIn(raw_name, notes)
		self.assertFalse(frappe.db.exists("Intake Message", {"message_id": photo_id}))

		ticket = self.ticket_of(markup_id)
		self.assertIsNotNone(ticket, "a mail with an attachment named with < > made no ticket")
		self.assertIn("The report is attached.", ticket.description)
		files = {name: frappe.safe_encode(content) for name, content in self.attachments_of(ticket).items()}
		self.assertEqual(files.pop("figures.csv"), b"a,b\n3,4\n")
		(report_name,) = files
		self.assertFalse(set(report_name) & set("<>/\\"), report_name)
		self.assertTrue(report_name.endswith(".pdf"), report_name)
		self.assertEqual(files[report_name], b"%PDF-1.4 report")
		self.assertFalse(frappe.db.exists("Intake Message", {"message_id": markup_id}))

	def test_nameless_path_like_encoded_huge_and_oversized_attachments_and_a_wrong_charset_lose_nothing(self):
		import base64
		import io
		import os
		from unittest.mock import patch

		from PIL import Image

		olga = self.address("olga")
		message_id = make_msgid(domain=self.domain)
		# A tiny JPEG whose header claims 30000 × 30000 pixels: PIL refuses it as a decompression bomb.
		buffer = io.BytesIO()
		Image.new("RGB", (8, 8)).save(buffer, "JPEG")
		jpeg = bytearray(buffer.getvalue())
		sof = jpeg.index(b"\xff\xc0")
		jpeg[sof + 5 : sof + 9] = (30000).to_bytes(2, "big") * 2
		bomb = bytes(jpeg)
		oversized = os.urandom(1_200_000)

		def part(headers: str, content: bytes) -> bytes:
			return (
				headers.encode()
				+ b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
				+ base64.encodebytes(content)
			)

		raw = b"\r\n".join(
			[
				f"From: Olga <{olga}>".encode(),
				f"To: {self.support}".encode(),
				b"Subject: Odd shapes",
				f"Message-ID: {message_id}".encode(),
				b"MIME-Version: 1.0",
				b'Content-Type: multipart/mixed; boundary="outer"',
				b"",
				b"--outer",
				b'Content-Type: multipart/related; boundary="inner"',
				b"",
				b"--inner",
				# Declared UTF-8, written in Latin-1: Frappe dropped the accented letters.
				b"Content-Type: text/html; charset=utf-8",
				b"Content-Transfer-Encoding: 8bit",
				b"",
				b'<p>Caf\xe9 cr\xe8me, see <img src="cid:huge@x"></p>',
				b"--inner",
				part(
					'Content-Type: image/jpeg\r\nContent-ID: <huge@x>\r\nContent-Disposition: inline; filename="huge.jpg"',
					bomb,
				),
				b"--inner--",
				b"--outer",
				part(
					"Content-Type: application/pdf\r\nContent-Disposition: attachment", b"%PDF-1.4 nameless"
				),
				b"--outer",
				part('Content-Type: text/csv\r\nContent-Disposition: attachment; filename=""', b"x,y\n5,6\n"),
				b"--outer",
				part(
					'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="../../etc/passwd.pdf"',
					b"%PDF-1.4 path",
				),
				b"--outer",
				part(
					"Content-Type: application/pdf\r\n"
					'Content-Disposition: attachment; filename="=?utf-8?q?Rechnung_M=C3=A4rz?= 2024.pdf"',
					b"%PDF-1.4 encoded",
				),
				b"--outer",
				part(
					'Content-Type: application/zip\r\nContent-Disposition: attachment; filename="big.zip"',
					oversized,
				),
				b"--outer--",
				b"",
			]
		)
		# The site's largest file: 1 MB.
		with patch("frappe.core.api.file.get_max_file_size", return_value=1024 * 1024):
			self.deliver(raw)

		ticket = self.ticket_of(message_id.strip("<>"))
		self.assertIsNotNone(ticket, "the mail made no ticket")
		self.assertIn("Café crème", ticket.description)
		files = {name: frappe.safe_encode(content) for name, content in self.attachments_of(ticket).items()}
		by_content = {content: name for name, content in files.items()}
		self.assertIn(b"%PDF-1.4 nameless", by_content, "an attachment without a file name was dropped")
		self.assertTrue(by_content[b"%PDF-1.4 nameless"].endswith(".pdf"))
		self.assertIn(b"x,y\n5,6\n", by_content, "an attachment with an empty file name was dropped")
		path_like = by_content[b"%PDF-1.4 path"]
		self.assertNotIn("/", path_like)
		self.assertFalse(path_like.startswith("."), path_like)
		self.assertEqual(by_content[b"%PDF-1.4 encoded"], "Rechnung März 2024.pdf")
		self.assertTrue(by_content[bomb].startswith("huge.jpg"), by_content[bomb])
		self.assertNotIn(oversized, by_content)
		notes = self.notes_of(ticket)
		self.assertIn("huge.jpg", notes)
		self.assertIn("big.zip", notes)

	def test_a_failed_mail_without_message_id_waits_for_retry_and_is_then_taken_in_once(self):
		from unittest.mock import patch

		from support_center.intake.email import retry

		paul = self.address("paul")
		subject = unique("retry me")
		raw, _message_id = self.mail(paul, subject, "No id.", without_message_id=True)
		# Whatever fails while the mail is processed (here: the ticket cannot be made).
		with patch("support_center.intake.email.create_ticket", side_effect=RuntimeError("database away")):
			with self.assertRaises(Exception):
				self.deliver(raw)
		record = frappe.get_doc("Intake Message", {"subject": subject})
		self.assertEqual(record.status, "Failed")
		self.assertIn("database away", record.error)
		# The server hands it out again (the same mail, delivered twice): it waits for the Retry.
		self.deliver(raw)
		self.assertEqual(frappe.db.count("Ticket", {"subject": subject}), 0)

		result = retry(record.name)
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Intake Message", record.name, "status"), "Processed")
		self.assertEqual(frappe.db.get_value("Ticket", result["ticket"], "subject"), subject)
		self.deliver(raw)
		self.assertEqual(frappe.db.count("Ticket", {"subject": subject}), 1)
		self.assertEqual(frappe.db.count("Communication", {"subject": subject}), 1)
		self.assertEqual(frappe.db.count("Intake Message", {"subject": subject}), 1)

	def test_a_failed_mail_with_a_long_message_id_is_recorded_once(self):
		# dedupe_key holds 140 characters; a longer Message-ID made the record itself fail.
		long_id = f"<{'x' * 180}@{self.domain}>"
		raw, _message_id = self.mail(None, "No sender, long id", "Who?", message_id=long_id)
		self.deliver(raw, raw)
		self.deliver(raw)
		self.assertEqual(
			frappe.db.count("Intake Message", {"subject": "No sender, long id", "status": "Failed"}), 1
		)

	def test_reply_to_a_closed_ticket_reopens_it_within_the_window_and_opens_a_new_one_after(self):
		ivan = self.address("ivan")
		raw, first = self.mail(ivan, "Closed soon", "Hello.")
		self.deliver(raw)
		ticket = self.ticket_of(first)

		# Resolved: the customer's answer reopens it (routing.workflow, as for every channel).
		self.set_status(ticket.name, "Resolved")
		answer, answer_id = self.mail(ivan, f"Re: Closed soon #{ticket.name}", "Not fixed.")
		self.deliver(answer)
		self.assertEqual(str(self.ticket_of(answer_id).name), str(ticket.name))
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Open")

		# Closed a moment ago: back onto it, reopened.
		self.set_status(ticket.name, "Closed")
		answer, answer_id = self.mail(ivan, f"Re: Closed soon #{ticket.name}", "Again.")
		self.deliver(answer)
		self.assertEqual(str(self.ticket_of(answer_id).name), str(ticket.name))
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Open")

		# Closed 20 days ago: a new ticket, linked to the old one, which stays closed.
		self.set_status(ticket.name, "Closed")
		version = DocType("Version")
		frappe.qb.update(version).set(version.creation, add_days(now_datetime(), -20)).where(
			(version.ref_doctype == "Ticket") & (version.docname == str(ticket.name))
		).run()
		# Without a version of the close (none is written under the test runner), its last change counts.
		frappe.db.set_value(
			"Ticket", ticket.name, "modified", add_days(now_datetime(), -20), update_modified=False
		)
		frappe.db.commit()
		late, late_id = self.mail(ivan, f"Re: Closed soon #{ticket.name}", "Months later.")
		self.deliver(late)
		new = self.ticket_of(late_id)
		self.assertNotEqual(str(new.name), str(ticket.name))
		self.assertEqual(str(new.reopened_from), str(ticket.name))
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Closed")

	def set_status(self, ticket_name, status):
		ticket = frappe.get_doc("Ticket", ticket_name)
		ticket.status = status
		ticket.flags.status_set_by_app = True
		ticket.save(ignore_permissions=True)
		frappe.db.commit()

	def test_an_internal_note_never_goes_out_by_email(self):
		judy = self.address("judy")
		raw, first = self.mail(judy, "Secret stuff", "Hi.")
		self.deliver(raw)
		ticket = self.ticket_of(first)
		before = len(self.sent_to(judy))
		secret = unique("internal-only")
		from frappe.desk.form.utils import add_comment

		add_comment("Ticket", str(ticket.name), f"<p>{secret}</p>", "Administrator", "Administrator")
		frappe.db.commit()
		time.sleep(0.3)
		self.send_queue()
		self.assertEqual(len(self.sent_to(judy, wait=0.5)), before)
		self.assertFalse(any(secret in text_of(m) for m in self.smtp.messages))
		self.assertFalse(
			frappe.db.exists("Email Queue", {"message": ("like", f"%{secret}%")}),
			"an internal note was queued as mail",
		)
