"""Email intake: Frappe's own mail pipeline (Email Account → InboundMail → Communication), with our rules.

An Email Account with ``append_to = Ticket`` (or an IMAP folder with it) pulls mail as usual; this module
only changes the decisions that are ours (hooked with ``override_doctype_class`` on Email Account):

- **Threading**: a mail joins the ticket of the message it answers, found by In-Reply-To, then by each id
  of References from the newest back (our own Communications and Email Queue: the acknowledgement and the
  agents' replies), then by a ticket number in the subject ("#42") when the sender is the ticket's own
  (its sender, its contact's addresses, or a contact of its customer). Frappe's own subject matching
  (any "#<name>" by anyone, or the same subject text) is not used: a guessed number or a common subject
  never puts one customer's mail into someone else's ticket. A merged ticket's mail goes to where it was
  merged.
- **New tickets**: sender → Contact (made when unknown) → Customer, channel Email, the mail's text as the
  description, and the acknowledgement flag for a genuine first message.
- **Auto-generated mail** (``rules.is_auto_generated``: Auto-Submitted, X-Auto-Response-Suppress,
  Precedence bulk/junk/list, mailer-daemon/postmaster) never creates a ticket and is never answered. When
  it names a ticket (a bounce or an out-of-office answer to our reply) it is recorded on that ticket as an
  "Automated Message" Communication: visible in the timeline, but the status, the SLA and the workflow do
  not move (they only react to ``communication_type == "Communication"``). Unthreaded, it stays in the
  Email Account's inbox as an unlinked Communication.
- **Closed tickets**: a genuine message to a Closed ticket closed within ``reopen_closed_within_days``
  (Support Center Settings, default 14) goes onto it and reopens it; after that (or always, with 0) it
  opens a new ticket with ``reopened_from`` pointing at the old one. Resolved tickets are reopened by
  routing.workflow, as for every channel.
- **Duplicates**: Frappe keeps one Communication per Message-ID (``InboundMail.is_exist_in_system``), so
  the same message pulled twice makes one ticket and one Communication. A mail without a Message-ID gets
  one made from its content (``email_rules.content_message_id``), so it too is taken in once, and a mail
  recorded as Failed is not taken in again by a later pull (only by ``retry``). The folder's UIDVALIDITY,
  which Frappe writes while fetching, is committed before any mail is processed: a mail that fails (and
  is rolled back) no longer undoes it, which made every later pull an initial sync of the whole folder.
- **Attachments**: one bad attachment costs that attachment only. Names are made safe (no path, markup
  or control characters); a part Frappe cannot store (an image PIL cannot read, one too large to decode)
  is kept unchanged as ``<name>.bin``, and what could not be stored at all (over the site's file size
  limit, which Frappe skips without a word) is said in an internal note on the ticket. Attachments
  without a file name are kept instead of dropped, and text whose declared charset is wrong is decoded
  in the right one instead of losing its accented letters.
- **One bad message costs one message**: Frappe 15 parses the whole batch in ``get_inbound_mails`` and a
  mail that does not parse (e.g. no From header: ``Email.set_from`` does ``"@" in None``) throws out every
  mail of the batch, which the server has already marked seen. Here each mail is parsed on its own; one
  that fails is kept as an Intake Message (status Failed, the raw mail attached, the error) and as Frappe's
  Unhandled Email, and the others go on. Mail that fails later, while being processed, is rolled back by
  Frappe and recorded the same way (``handle_bad_emails``). ``retry`` processes a recorded mail again.
"""

import hashlib
import io
import mimetypes

import frappe
from frappe import _
from frappe.core.doctype.file.exceptions import MaxFileSizeReachedError
from frappe.core.doctype.file.utils import get_random_filename
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.email.receive import ALTERNATE_CHARSET_MAP, InboundMail, SentEmailInInboxError
from frappe.exceptions import DuplicateEntryError, FileAlreadyAttachedException
from frappe.utils import (
	cint,
	escape_html,
	get_datetime,
	get_string_between,
	now_datetime,
	strip_html,
	validate_email_address,
)

from support_center import settings
from support_center.conversation.visibility import copies_for_staff_only, is_customer_visible, is_internal
from support_center.intake import email_rules
from support_center.intake.core import as_html
from support_center.intake.party import customer_of, find_or_create_contact
from support_center.intake.rules import is_auto_generated, ticket_number_from_subject
from support_center.permissions.customer_input import clean_markup, looks_like_markup

TICKET = "Ticket"
SETTINGS = "Support Center Settings"
DEFAULT_REOPEN_WITHIN_DAYS = 14
# Frappe strips EXIF from every JPEG it stores by building a Python list of all its pixels (about 70 bytes
# each): a 25-megapixel image already takes ~1.7 GB. Larger ones are kept as they came.
MAX_JPEG_PIXELS = 25_000_000


class ImageTooLarge(Exception):
	pass


class SupportEmailAccount(EmailAccount):
	"""Frappe's Email Account, with mail parsed one by one and our InboundMail.

	More than one worker, and workers that die: a mailbox is pulled by one worker at a time (a database
	lock, so across machines; a second worker that finds it taken skips that run), and an IMAP mail is
	marked seen only after it was taken in and committed (or recorded as Failed). Frappe marks every mail
	of the batch seen as it downloads it, so a worker killed mid-batch lost the rest for good; now they are
	still unseen and the next pull takes them, and one taken in but not yet marked is recognised by its
	Message-ID and not taken in twice.
	"""

	def receive(self):
		# Frappe 15.74's receive, under the mailbox's lock and marking each mail seen once it is committed.
		lock = "sc_pull_" + hashlib.sha1(str(self.name).encode()).hexdigest()
		# A MariaDB named lock (get_lock/release_lock) has no query-builder form.
		if not frappe.db.sql("select get_lock(%s, 0)", lock)[0][0]:  # nosemgrep: frappe-using-db-sql
			return
		exceptions = []
		try:
			for mail in self.get_inbound_mails():
				try:
					communication = mail.process()
					# Each mail is committed on its own (as Frappe's receive does) before it is marked seen.
					frappe.db.commit()  # nosemgrep: frappe-manual-commit
					if communication and mail.flags.is_new_communication:
						if self.enable_auto_reply:
							self.send_auto_reply(communication, mail)
						communication.send_email(is_inbound_mail_communcation=True)
				except SentEmailInInboxError:
					frappe.db.rollback()
				except Exception:
					frappe.db.rollback()
					try:
						self.log_error(title="EmailAccount.receive")
						if self.use_imap:
							self.handle_bad_emails(mail.uid, mail.raw_message, frappe.get_traceback())
						exceptions.append(frappe.get_traceback())
					except Exception:
						# Not recorded: it stays unseen and the next pull tries again.
						frappe.db.rollback()
						continue
					frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the failure is recorded
				else:
					frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the auto-reply is queued
				self.mark_seen(getattr(mail, "imap_folder", None), mail.uid)
		finally:
			self.close_incoming()
			frappe.db.sql("select release_lock(%s)", lock)  # nosemgrep: frappe-using-db-sql
		if exceptions:
			raise Exception(frappe.as_json(exceptions))

	def mark_seen(self, folder: str | None, uid) -> None:
		"""Mark one IMAP mail seen (as Frappe does at download when syncing unseen mail), after its commit."""
		server = getattr(self, "_incoming", None)
		if not (server and folder and uid and folder in self._mark_seen_in):
			return
		try:
			if self._selected != folder:
				server.imap.select(folder)
				self._selected = folder
			server.imap.uid("STORE", frappe.safe_encode(uid), "+FLAGS", "(\\SEEN)")
		except Exception:
			# The next pull sees it again and recognises it by its Message-ID.
			pass

	def close_incoming(self) -> None:
		server, self._incoming = getattr(self, "_incoming", None), None
		if server:
			try:
				server.logout()
			except Exception:
				pass

	def get_inbound_mails(self) -> list[InboundMail]:
		# Frappe 15.74's get_inbound_mails, except that each message is parsed in isolation and IMAP mail is
		# not marked seen here: receive() marks each once it is committed, on the connection kept open.
		mails = []
		self._incoming, self._selected, self._mark_seen_in = None, None, set()

		def process_mail(messages, append_to=None, folder=None):
			for index, message in enumerate(messages.get("latest_messages", [])):
				uid = messages["uid_list"][index] if messages.get("uid_list") else None
				seen_status = messages.get("seen_status", {}).get(uid)
				if self.email_sync_option != "UNSEEN" or seen_status != "SEEN":
					try:
						mail = SupportInboundMail(
							message, self, frappe.safe_decode(uid), seen_status, append_to
						)
						mail.imap_folder = folder
						mails.append(mail)
					except Exception:
						if self.record_unparsable(uid, message):
							self.mark_seen(folder, frappe.safe_decode(uid))

		if not self.enable_incoming:
			return []

		email_sync_rule = self.build_email_sync_rule()
		try:
			email_server = self.get_incoming_server(in_receive=True, email_sync_rule=email_sync_rule)
			if self.use_imap:
				self._incoming = email_server
				# Frappe marks each mail seen as it downloads it; here that waits for the mail's commit.
				email_server._post_retrieve_cleanup = lambda uid, msg_num: None
				for folder in self.imap_folder:
					if email_server.select_imap_folder(folder.folder_name):
						email_server.settings["uid_validity"] = folder.uidvalidity
						quoted = f'"{folder.folder_name}"'
						messages = email_server.get_messages(folder=quoted) or {}
						self._selected = quoted
						if email_server.settings.email_sync_rule == "UNSEEN":
							self._mark_seen_in.add(quoted)
						process_mail(messages, folder.append_to, quoted)
			else:
				messages = email_server.get_messages() or {}
				process_mail(messages)
				email_server.logout()
		except Exception:
			self.log_error(title=_("Error while connecting to email account {0}").format(self.name))
			# What was parsed is kept.
		# Fetching wrote the folder's UIDVALIDITY and UIDNEXT. Frappe's receive() rolls back a mail that
		# fails, which undid them when no mail had committed before it: the next pull was an initial sync
		# again, fetching every mail a second time.
		frappe.db.commit()  # nosemgrep: frappe-manual-commit
		return mails

	def record_unparsable(self, uid, raw) -> bool:
		"""Keep a mail that does not parse; True once it is recorded (and committed)."""
		# Nothing of this mail was written: no rollback (the folder's UIDVALIDITY update must stay).
		reason = frappe.get_traceback()
		if failed_record(mail_key(raw)):
			# Fetched again (an initial sync, a renumbered folder): it is recorded already.
			return True
		try:
			self.log_error(title=_("Incoming mail could not be read"))
			record_failed_mail(raw, reason, self.name)
			if cint(self.use_imap):
				# Frappe's Unhandled Email commits on its own.
				self.handle_bad_emails(frappe.safe_decode(uid), raw, reason, record=False)
			frappe.db.commit()
			return True
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=_("Incoming mail could not be recorded"))
			frappe.db.commit()
			return False

	def handle_bad_emails(self, uid, raw, reason, record: bool = True):
		# Called by Frappe's receive() when a mail fails while processed (after a rollback).
		if record:
			record_failed_mail(raw, reason, self.name)
		return super().handle_bad_emails(uid, raw, reason)

	def send_auto_reply(self, communication, email):
		# Frappe's own auto reply (enable_auto_reply) never answers a machine, nor internal mail (a
		# colleague's answer to a consult, a supplier's reply).
		if getattr(email, "auto_generated", False):
			return
		if communication.reference_doctype == TICKET and not is_customer_visible(communication):
			return
		return super().send_auto_reply(communication, email)


class SupportInboundMail(InboundMail):
	"""One incoming mail; our rules apply when it goes to tickets, Frappe's otherwise."""

	def __init__(self, content, email_account, uid=None, seen_status=None, append_to=None):
		super().__init__(content, email_account, uid, seen_status, append_to)
		if not strip_html(self.subject or "").strip():
			# A subject that is only markup ("<img onerror=…>") is empty once sanitised, and the message and
			# its ticket need one: the mail was refused as a whole.
			self.subject = _("Email from {0}").format(self.from_email or self.from_real_name or "?")
		if not self.message_id:
			self.message_id = email_rules.content_message_id(as_bytes(content))
		headers = {key: str(value) for key, value in self.mail.items()}
		self.auto_generated = is_auto_generated(headers, self.from_email)
		self.reopened_from = None
		self.reopen_ticket = None
		self.attachment_problems: list[str] = []

	# Parsing (called by Email.__init__)

	def process_part(self, part):
		# Frappe keeps a part as an attachment only when it has a file name (or is an image): a PDF sent
		# as "Content-Disposition: attachment" without one was dropped, and an attached .html file was
		# merged into the body.
		if (
			part.get_content_disposition() == "attachment"
			and not part.is_multipart()
			and part.get_content_type() not in ("text/plain", "message/rfc822")
		):
			self.get_attachment(part)
			return
		super().process_part(part)

	def get_payload(self, part):
		payload = part.get_payload(decode=True)
		if not isinstance(payload, bytes):
			return super().get_payload(part)
		declared = part.get_content_charset()
		return email_rules.decode_text(
			payload, [declared, ALTERNATE_CHARSET_MAP.get(declared or ""), "utf-8"], guess=guess_charset
		)

	def get_attachment(self, part):
		content = part.get_payload(decode=True)
		if not content:
			return
		content_type = part.get_content_type()
		try:
			name = email_rules.header_text(part.get_filename())
		except Exception:
			name = None
		name = email_rules.safe_file_name(name, get_random_filename(content_type=content_type))
		while name in self.cid_map:
			name = get_random_filename(content_type=content_type)
		self.attachments.append({"content_type": content_type, "fname": name, "fcontent": content})
		cid = (str(part.get("Content-Id") or "")).strip().strip("<>")
		if cid:
			self.cid_map[name] = cid

	# Storing

	def save_attachments_in_doc(self, doc):
		saved = []
		for attachment in self.attachments:
			file, problem = store_attachment(doc, attachment["fname"], attachment["fcontent"])
			if problem:
				self.attachment_problems.append(problem)
			if not file:
				continue
			saved.append(file)
			if attachment["fname"] in self.cid_map:
				self.cid_map[file.name] = self.cid_map[attachment["fname"]]
		return saved

	def replace_inline_images(self, attachments):
		# What Frappe saves as the message's content once the attachments are stored (see as_dict).
		content = super().replace_inline_images(attachments)
		if self.for_tickets() and looks_like_markup(content):
			content = clean_markup(content, linkify=True)
		return content

	def for_tickets(self) -> bool:
		append_to = self.append_to if self.email_account.use_imap else self.email_account.append_to
		return append_to == TICKET

	def as_dict(self):
		data = super().as_dict()
		if self.for_tickets() and looks_like_markup(data.get("content")):
			# Frappe's sanitiser skips text that parses as JSON (`{"":"<img onerror=…>"}`), and the ticket
			# hooks clean only messages on a ticket: an unthreaded automated mail kept live markup.
			data["content"] = clean_markup(data["content"], linkify=True)
		if self.auto_generated:
			# Recorded, but nothing reacts to it as to a customer's message.
			data["communication_type"] = "Automated Message"
		return data

	def process(self):
		if not self.flags.retry and failed_record(self.message_id):
			# Recorded as Failed by an earlier pull; it waits for a Retry, not for the next pull.
			return None
		communication = super().process()
		if not (self.flags.is_new_communication and communication):
			return communication
		if communication.reference_doctype == TICKET and communication.reference_name:
			if not is_customer_visible(communication):
				# Internal mail: its files stay on it (staff see them in the timeline), not on the ticket
				# the customer reads, and Frappe's copy to the ticket's owner goes to staff only.
				copies_for_staff_only(communication)
			else:
				if self.reopen_ticket and str(self.reopen_ticket) == str(communication.reference_name):
					reopen(self.reopen_ticket)
				self.attachment_problems += attach_to_ticket(communication)
		if self.attachment_problems:
			note_attachment_problems(communication, self.attachment_problems)
		return communication

	def reference_document(self):
		if not self.for_tickets():
			return super().reference_document()
		if self._reference_document is not None:
			return self._reference_document
		name = self.threaded_ticket()
		if name:
			name = final_ticket(name)
			# An internal thread (a consult, mail with a supplier) neither reopens the ticket nor opens one.
			internal = is_internal(self.parent_communication() or {})
			if (
				not self.auto_generated
				and not internal
				and frappe.db.get_value(TICKET, name, "status") == "Closed"
			):
				action = email_rules.closed_reply_action(
					closed_at(name), now_datetime(), reopen_within_days()
				)
				if action == email_rules.NEW_TICKET:
					self.reopened_from = name
					name = None
				else:
					self.reopen_ticket = name
		self._reference_document = frappe.get_doc(TICKET, name) if name else ""
		return self._reference_document

	def parent_communication(self):
		# Frappe looks at In-Reply-To only. A reply to a mail the desk never got (one colleague answering
		# another who was asked by the desk) names our mail in References only: its parent is the newest
		# of those we have, so the thread's rules (consult, internal) follow it.
		if self._parent_communication is not None:
			return self._parent_communication
		if super().parent_communication() or not self.for_tickets():
			return self._parent_communication
		for message_id in email_rules.thread_ids(None, self.mail.get("References")):
			name = frappe.db.get_value(
				"Communication", {"message_id": ("in", [message_id, f"<{message_id}>"])}, "name"
			)
			if name:
				self._parent_communication = frappe.get_doc("Communication", name)
				break
		return self._parent_communication

	def threaded_ticket(self) -> str | None:
		for message_id in email_rules.thread_ids(self.mail.get("In-Reply-To"), self.mail.get("References")):
			name = ticket_of_message(message_id)
			if name:
				return name
		number = ticket_number_from_subject(self.subject)
		if number and frappe.db.exists(TICKET, number):
			ticket = frappe.db.get_value(
				TICKET, number, ["name", "raised_by", "contact", "customer"], as_dict=True
			)
			party = email_rules.TicketParty(ticket.raised_by, contact_emails(ticket.contact), ticket.customer)
			sender_customer = customer_of(find_contact_of(self.from_email))
			if email_rules.may_use_ticket_number(self.from_email, sender_customer, party):
				return str(ticket.name)
		return None

	def _create_reference_document(self, doctype):
		if doctype != TICKET:
			return super()._create_reference_document(doctype)
		if self.auto_generated:
			return None
		return create_ticket(self)


def create_ticket(mail: SupportInboundMail) -> str:
	contact = find_or_create_contact(mail.from_email, None, mail.from_real_name or None)
	ticket = frappe.get_doc(
		{
			"doctype": TICKET,
			"subject": (mail.subject or _("Email from {0}").format(mail.from_email))[:140],
			"description": description_of(mail),
			"channel": "Email",
			"contact": contact,
			"customer": customer_of(contact),
			"raised_by": mail.from_email,
			"raised_by_name": mail.from_real_name or None,
			"reopened_from": mail.reopened_from,
			# Routing rules can send each mailbox's tickets their own way.
			"incoming_email_account": mail.email_account.name,
		}
	)
	# A person's first message, not a machine's: it gets the acknowledgement.
	ticket.flags.acknowledge = not mail.auto_generated
	ticket.flags.party_from_intake = True
	ticket.flags.ignore_mandatory = True
	ticket.insert(ignore_permissions=True)
	if mail.reopened_from:
		ticket.add_comment(
			"Info", _("Opened from a new message to the closed ticket #{0}.").format(mail.reopened_from)
		)
	return ticket.name


def description_of(mail) -> str:
	"""The mail's text as safe HTML; an HTML-only mail's text is taken from its markup."""
	text = (mail.text_content or "").strip()
	if not text and mail.html_content:
		text = strip_html(mail.html_content).strip()
	return as_html(text) if text else escape_html(mail.subject or "")


def ticket_of_message(message_id: str) -> str | None:
	"""The ticket a message we know belongs to: a Communication on a ticket, or mail we sent for one."""
	ids = [message_id, f"<{message_id}>"]
	for doctype in ("Communication", "Email Queue"):
		row = frappe.db.get_value(
			doctype,
			{"message_id": ("in", ids), "reference_doctype": TICKET},
			"reference_name",
			order_by="creation desc",
		)
		if row:
			return str(row)
	return None


def final_ticket(name: str) -> str:
	from support_center.conversation.merge import MergeCycleError
	from support_center.conversation.merge import final_ticket as end_of_merge_chain

	try:
		return end_of_merge_chain(name)
	except MergeCycleError:
		return str(name)


def find_contact_of(email: str | None) -> str | None:
	if not email:
		return None
	return frappe.db.get_value("Contact Email", {"email_id": email, "parenttype": "Contact"}, "parent")


def contact_emails(contact: str | None) -> list[str]:
	if not contact:
		return []
	return frappe.get_all(
		"Contact Email", filters={"parent": contact, "parenttype": "Contact"}, pluck="email_id"
	)


def reopen_within_days() -> int:
	if not settings.is_stored("reopen_closed_within_days"):
		return DEFAULT_REOPEN_WITHIN_DAYS
	return cint(frappe.db.get_single_value(SETTINGS, "reopen_closed_within_days"))


def closed_at(ticket: str):
	"""When the ticket was last closed: its latest version that set the status to Closed."""
	versions = frappe.get_all(
		"Version",
		filters={"ref_doctype": TICKET, "docname": str(ticket)},
		fields=["creation", "data"],
		order_by="creation desc",
		limit=50,
	)
	for version in versions:
		changes = (frappe.parse_json(version.data or "{}") or {}).get("changed") or []
		if any(row[0] == "status" and row[2] == "Closed" for row in changes if len(row) == 3):
			return get_datetime(version.creation)
	return get_datetime(frappe.db.get_value(TICKET, ticket, "modified"))


def reopen(ticket_name: str) -> None:
	ticket = frappe.get_doc(TICKET, ticket_name)
	if ticket.status != "Closed":
		return
	ticket.status = "Open"
	ticket.flags.status_set_by_app = True
	ticket.save(ignore_permissions=True)
	ticket.flags.status_set_by_app = False
	ticket.add_comment("Info", _("Reopened: the customer wrote again by email."))


def attach_to_ticket(communication) -> list[str]:
	"""The mail's attachments (saved by Frappe on the Communication) are also listed on the ticket.

	Returns what could not be listed: one file that fails costs that file only."""
	problems = []
	for file in frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Communication", "attached_to_name": communication.name},
		fields=["file_name", "file_url", "is_private"],
	):
		try:
			in_savepoint(
				lambda file=file: frappe.get_doc(
					{
						"doctype": "File",
						"file_name": file.file_name,
						"file_url": file.file_url,
						"is_private": file.is_private,
						"attached_to_doctype": TICKET,
						"attached_to_name": str(communication.reference_name),
					}
				).insert(ignore_permissions=True)
			)
		except Exception as error:
			problems.append(
				_("{0} is on the message but could not be listed on the ticket: {1}").format(
					file.file_name, reason_of(error)
				)
			)
	return problems


def store_attachment(doc, name: str, content: bytes) -> tuple:
	"""Store one attachment of a mail on ``doc``: (the File or None, what went wrong or None).

	A part Frappe cannot store as it is (an image PIL cannot read or that is too large to decode) is kept
	unchanged under ``<name>.bin``, which nothing tries to read as an image.
	"""
	try:
		return in_savepoint(lambda: save_attachment(doc, name, content, check_image=True)), None
	except (FileAlreadyAttachedException, DuplicateEntryError):
		# The same file twice on one mail: Frappe keeps it once.
		return None, None
	except MaxFileSizeReachedError:
		from frappe.core.api.file import get_max_file_size

		return None, _("{0} ({1} MB) was not stored: the largest file this site accepts is {2} MB.").format(
			name, round(len(content) / 1048576, 1), round(get_max_file_size() / 1048576, 1)
		)
	except Exception as error:
		reason = reason_of(error)
	try:
		kept = in_savepoint(lambda: save_attachment(doc, f"{name}.bin", content, check_image=False))
	except Exception as error:
		return None, _("{0} could not be stored ({1}; then {2}).").format(name, reason, reason_of(error))
	return kept, _("{0} could not be stored as sent ({1}); it is kept unchanged as {2}.").format(
		name, reason, kept.file_name
	)


def save_attachment(doc, name: str, content: bytes, check_image: bool):
	if check_image and mimetypes.guess_type(name)[0] == "image/jpeg":
		check_jpeg_size(content)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": name,
			"attached_to_doctype": doc.doctype,
			"attached_to_name": doc.name,
			"is_private": 1,
			"content": content,
		}
	)
	file.save(ignore_permissions=True)
	return file


def check_jpeg_size(content: bytes) -> None:
	from PIL import Image

	# Reads the header only; unreadable images fail later, in Frappe's own EXIF stripping.
	try:
		width, height = Image.open(io.BytesIO(content)).size
	except Image.DecompressionBombError:
		raise
	except Exception:
		return
	if width * height > MAX_JPEG_PIXELS:
		raise ImageTooLarge(_("the image is {0} × {1} pixels, too large to process").format(width, height))


def in_savepoint(action):
	"""Run ``action``; if it fails, undo its database writes only and raise."""
	savepoint = f"sc_{frappe.generate_hash(length=10)}"
	messages = len(frappe.local.message_log)
	frappe.db.savepoint(savepoint)
	try:
		result = action()
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		# What frappe.throw queued would be shown to whoever retries the mail, as if it had failed.
		del frappe.local.message_log[messages:]
		raise
	frappe.db.release_savepoint(savepoint)
	return result


def reason_of(error: Exception) -> str:
	return strip_html(str(error)).strip() or type(error).__name__


def note_attachment_problems(communication, problems: list[str]) -> None:
	"""An internal note on the ticket (or on the message, when it has none) listing what was not stored."""
	if communication.reference_doctype == TICKET and communication.reference_name:
		doc = frappe.get_doc(TICKET, communication.reference_name)
	else:
		doc = communication
	intro = _("Some attachments of the message from {0} could not be stored:").format(
		communication.sender or ""
	)
	items = "".join(f"<li>{escape_html(problem)}</li>" for problem in problems)
	doc.add_comment("Comment", f"<p>{escape_html(intro)}</p><ul>{items}</ul>")


def guess_charset(payload: bytes) -> str | None:
	import chardet

	return chardet.detect(payload).get("encoding")


def as_bytes(raw) -> bytes:
	return raw if isinstance(raw, bytes) else (raw or "").encode("utf-8", "surrogateescape")


def mail_key(raw) -> str:
	"""The id a raw mail is known by: its Message-ID, else one made from its content (as the InboundMail
	of the same mail gets)."""
	from email import message_from_bytes

	content = as_bytes(raw)
	try:
		header = str(message_from_bytes(content).get("Message-ID") or "")
	except Exception:
		header = ""
	return get_string_between("<", header, ">").strip() or email_rules.content_message_id(content)


def failed_dedupe_key(message_key: str) -> str:
	key = f"Email:{message_key}"
	# dedupe_key holds 140 characters; some mailers make longer Message-IDs.
	return key if len(key) <= 140 else f"Email:sha256:{hashlib.sha256(message_key.encode()).hexdigest()}"


def failed_record(message_key: str | None) -> str | None:
	if not message_key:
		return None
	return frappe.db.get_value(
		"Intake Message", {"dedupe_key": failed_dedupe_key(message_key), "status": "Failed"}, "name"
	)


def record_failed_mail(raw, reason: str, email_account: str | None = None) -> str:
	"""Keep a mail that could not be taken in: an Intake Message (Failed) with the raw mail attached."""
	from email import message_from_bytes, message_from_string
	from email.utils import parseaddr

	from frappe.utils.file_manager import save_file

	content = raw if isinstance(raw, bytes) else (raw or "").encode("utf-8", "replace")
	message_id = mail_key(raw)
	try:
		parsed = message_from_bytes(content) if isinstance(raw, bytes) else message_from_string(raw or "")
		name, address = parseaddr(str(parsed.get("From") or ""))
		subject = str(parsed.get("Subject") or "")[:140] or None
	except Exception:
		name, address, subject = "", "", None
	# A mail without a Message-ID is known by its content, so fetching it again finds this record.
	dedupe_key = failed_dedupe_key(message_id)
	existing = frappe.db.get_value("Intake Message", {"dedupe_key": dedupe_key}, "name")
	if existing:
		frappe.db.set_value("Intake Message", existing, {"status": "Failed", "error": reason})
		return existing
	record = frappe.get_doc(
		{
			"doctype": "Intake Message",
			"channel": "Email",
			"status": "Failed",
			"message_id": message_id[:140],
			"email_account": email_account,
			"dedupe_key": dedupe_key,
			"received_at": now_datetime(),
			# Data fields hold 140 characters: a hostile From header must not stop the mail being kept.
			"sender_name": (name or "")[:140] or None,
			"sender_email": address
			if address and len(address) <= 140 and validate_email_address(address)
			else None,
			"subject": subject,
			"text": content.decode("utf-8", "replace")[:100000],
			"error": reason,
		}
	)
	record.flags.ignore_validate = True
	record.insert(ignore_permissions=True)
	digest = hashlib.sha1(content).hexdigest()[:10]
	save_file(f"mail-{digest}.eml", content, "Intake Message", record.name, is_private=1)
	return record.name


@frappe.whitelist(methods=["POST"])
def retry(intake_message: str) -> dict:
	"""Take a recorded mail in again (through the Email Account it came from), once its cause is fixed."""
	frappe.has_permission("Intake Message", "write", doc=intake_message, throw=True)
	record = frappe.get_doc("Intake Message", intake_message)
	if record.channel != "Email" or record.status == "Processed":
		frappe.throw(_("Only a failed email can be taken in again here."))
	file_url = frappe.db.get_value(
		"File", {"attached_to_doctype": "Intake Message", "attached_to_name": record.name}, "file_url"
	)
	if not file_url:
		frappe.throw(_("The original mail of this message is missing."))
	raw = frappe.get_doc("File", {"file_url": file_url}).get_content()
	account_name = record.email_account or frappe.db.get_value(
		"Email Account", {"enable_incoming": 1, "append_to": TICKET}, "name"
	)
	if not account_name:
		frappe.throw(_("No incoming Email Account takes mail for tickets."))
	account = frappe.get_doc("Email Account", account_name)
	mail = SupportInboundMail(raw, account, None, None, TICKET)
	mail.flags.retry = True
	communication = mail.process()
	record.db_set(
		{
			"status": "Processed",
			"error": None,
			"communication": communication.name,
			"ticket": communication.reference_name if communication.reference_doctype == TICKET else None,
		}
	)
	return {"communication": communication.name, "ticket": record.ticket}
