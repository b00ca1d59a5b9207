"""One way in for every channel: a message becomes a ticket, or joins the ticket of its conversation.

Every message is first stored as an Intake Message (with its attachments), then delivered in a savepoint.
If delivery fails, the savepoint is rolled back, the Intake Message stays with status Failed and the
error, and a manager can Retry it: nothing is dropped. An Intake Message is unique per channel and
external message id, so a retried webhook or a mail delivered twice is one message.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, escape_html, now_datetime, strip_html

from support_center.intake.party import customer_of, sender_contact
from support_center.intake.rules import (
	PORTAL,
	WEBHOOK,
	Attachment,
	IncomingMessage,
	acknowledgement_address,
	validation_errors,
	verified_identity,
)

DEFAULT_MAX_ATTACHMENT_MB = 10
# A conversation whose ticket was closed starts a new ticket; one merely resolved is picked up again.
CLOSED = "Closed"


class IntakeError(frappe.ValidationError):
	"""The message is not acceptable as sent; nothing was stored."""


# Stored and committed, its delivery waiting for a background job (``accept``).
QUEUED = "Queued"


@dataclass(frozen=True)
class IntakeResult:
	intake_message: str
	ticket: int | None
	communication: str | None
	created: bool
	duplicate: bool = False
	queued: bool = False


def max_attachment_bytes() -> int:
	megabytes = cint(frappe.db.get_single_value("Support Center Settings", "max_attachment_mb"))
	return (megabytes or DEFAULT_MAX_ATTACHMENT_MB) * 1024 * 1024


def check(message: IncomingMessage) -> None:
	"""Refuse, clearly and before anything is stored, a message that could not be taken in as sent."""
	errors = validation_errors(message, max_attachment_bytes())
	if message.sender_email and not errors and not frappe.utils.validate_email_address(message.sender_email):
		# Frappe's own rule, stricter than ours: what it would refuse when storing is refused here, clearly.
		errors.append(_("{0} is not a valid email address.").format(repr(message.sender_email)))
	if errors:
		raise IntakeError("\n".join(errors))


def dedupe_key_of(message: IncomingMessage) -> str | None:
	return f"{message.channel}:{message.message_id}" if message.message_id else None


def accept(message: IncomingMessage) -> IntakeResult:
	"""Take one message in and answer at once: it is stored and committed (from then on it cannot be lost),
	and delivered (routing, assignment, SLA, acknowledgement) by a background job, ``deliver_queued``. The
	same message id again answers with the first one's state as a duplicate, its ticket once delivered."""
	check(message)
	dedupe_key = dedupe_key_of(message)
	if dedupe_key and (existing := stored_state({"dedupe_key": dedupe_key})):
		return existing
	savepoint = "support_center_intake_accept"
	frappe.db.savepoint(savepoint)
	try:
		record = store(message, dedupe_key, status=QUEUED)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		# The same message reached another web server at the same moment and was stored there (dedupe_key
		# is unique); a new snapshot sees its committed row, and its job delivers it.
		frappe.db.rollback(save_point=savepoint)
		commit_intake()
		existing = stored_state({"dedupe_key": dedupe_key})
		if not existing:
			raise
		return existing
	# After the commit, so that no worker looks for the message before it can be read.
	frappe.enqueue(
		"support_center.intake.core.deliver_queued",
		queue="short",
		enqueue_after_commit=True,
		intake_message=record.name,
	)
	commit_intake()
	return IntakeResult(record.name, None, None, created=False, queued=True)


def stored_state(filters: dict) -> IntakeResult | None:
	"""A stored message's result as a duplicate: its ticket once delivered, queued until then."""
	state = frappe.db.get_value(
		"Intake Message", filters, ["name", "status", "ticket", "communication"], as_dict=True
	)
	if not state:
		return None
	return IntakeResult(
		state.name,
		cint(state.ticket) or None,
		state.communication,
		False,
		duplicate=True,
		queued=state.status != "Processed",
	)


def deliver_queued(intake_message: str) -> IntakeResult | None:
	"""The background job of ``accept``. Messages of one conversation are delivered in the order they
	arrived, whichever job runs first: the earlier ones still queued go before this one (each delivered once
	between all jobs, see ``process``). A job lost with its worker is queued again by ``requeue_stalled``."""
	channel, conversation, creation = frappe.db.get_value(
		"Intake Message", intake_message, ["channel", "conversation_id", "creation"]
	) or (None, None, None)
	if not creation:
		return None
	earlier = []
	if conversation:
		intake = frappe.qb.DocType("Intake Message")
		earlier = (
			frappe.qb.from_(intake)
			.select(intake.name)
			.where(
				(intake.channel == channel)
				& (intake.conversation_id == conversation)
				& (intake.status == QUEUED)
				& (intake.creation < creation)
			)
			.orderby(intake.creation)
			.orderby(intake.name)
			.run(pluck=True)
		)
	for name in earlier:
		try:
			process(name, durable=True, conversation=(channel, conversation))
		except Exception:
			# Kept as Failed with its reason and a Retry (process); this job's own message still goes in.
			frappe.db.rollback()
	return process(intake_message, durable=True, conversation=(channel, conversation))


def receive(message: IncomingMessage, durable: bool = False) -> IntakeResult:
	"""Take one message in and deliver it in this request. ``durable`` (the web endpoints): the stored
	message is committed before it is delivered, and a failure after, so a crash, a dropped database
	connection or a later error in the request never takes the message with it (see ``fail_interrupted``)."""
	check(message)
	dedupe_key = dedupe_key_of(message)
	if dedupe_key:
		existing = frappe.db.get_value("Intake Message", {"dedupe_key": dedupe_key}, "name")
		if existing:
			if durable:
				# A fresh snapshot: what the row lock in process() waits for must be visible after it.
				commit_intake()
			return process(existing, durable)
	savepoint = "support_center_intake_store"
	frappe.db.savepoint(savepoint)
	try:
		record = store(message, dedupe_key)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		# The same message reached another web server or worker at the same moment and was stored there
		# (dedupe_key is unique): that one delivers it. A locking read sees its committed row.
		frappe.db.rollback(save_point=savepoint)
		if durable:
			# A new snapshot sees the other's committed row; no row lock may be held while process()
			# waits for the conversation's lock (the other holds that lock and wants this row).
			commit_intake()
		existing = frappe.db.get_value(
			"Intake Message", {"dedupe_key": dedupe_key}, "name", for_update=not durable
		)
		if not existing:
			raise
		return process(existing, durable)
	if durable:
		commit_intake()
	return process(record.name, durable)


def commit_intake() -> None:
	# Tests keep their transaction (FrappeTestCase rolls back) unless they ask for real commits.
	if not frappe.flags.in_test or frappe.flags.support_center_commit_intake:
		# The message is stored before it is processed so that it is never lost, and a conversation's
		# messages are committed one by one (see process): this commit is the point of intake.
		frappe.db.commit()  # nosemgrep: frappe-manual-commit


def store(message: IncomingMessage, dedupe_key: str | None, status: str = "Pending"):
	record = frappe.get_doc(
		{
			"doctype": "Intake Message",
			"channel": message.channel,
			"status": status,
			"message_id": message.message_id,
			"conversation_id": message.conversation_id,
			"dedupe_key": dedupe_key,
			"received_at": message.received_at or now_datetime(),
			"sender_name": message.sender_name,
			"sender_email": message.sender_email,
			"sender_phone": message.sender_phone,
			"source": message.source,
			"support_channel": message.support_channel,
			"language": message.language,
			"subject": message.subject,
			"text": message.text,
			"attachments": json.dumps(
				[{"filename": a.filename, "size": len(a.content)} for a in message.attachments]
			),
		}
	).insert(ignore_permissions=True)
	# A file Frappe cannot store as sent (an image it cannot read, a name it refuses) costs that file only:
	# it is kept unchanged under another name, and the message says so (the same rule as for mail).
	from support_center.intake.email import store_attachment

	problems = []
	for attachment in message.attachments:
		_file, problem = store_attachment(record, attachment.filename, attachment.content)
		if problem:
			problems.append(f"[{problem}]")
	if problems:
		record.text = "\n\n".join(part for part in (record.text, *problems) if part)
		frappe.db.set_value("Intake Message", record.name, "text", record.text, update_modified=False)
	return record


def process(
	name: str, durable: bool = False, conversation: tuple[str, str | None] | None = None
) -> IntakeResult:
	"""Deliver a stored message; on failure keep it as Failed with the reason, and raise.

	The message's row is locked first: two requests or workers delivering the same message (a webhook
	posted to two web servers at once, a retry racing the first attempt) deliver it once between them; the
	second waits and gets the first one's result as a duplicate. ``durable``: messages of one conversation
	are delivered one at a time (a database lock, so across web servers), each committed before the next
	looks for the conversation's ticket: two first messages of a chat arriving at once make one ticket.
	``conversation``: the message's (channel, conversation id) when the caller has read them already."""
	if not durable:
		return _process(name, durable)
	channel, conversation = (
		conversation
		or frappe.db.get_value("Intake Message", name, ["channel", "conversation_id"])
		or (None, None)
	)
	if not conversation:
		return _process(name, durable)
	lock = "sc_intake_" + hashlib.sha1(f"{channel}:{conversation}".encode()).hexdigest()
	# A MariaDB named lock (get_lock/release_lock) has no query-builder form.
	if not frappe.db.sql("select get_lock(%s, 60)", lock)[0][0]:  # nosemgrep: frappe-using-db-sql
		frappe.throw(_("The conversation is busy; please send the message again."), frappe.QueryTimeoutError)
	try:
		# A new transaction: its reads see what the conversation's previous message committed.
		commit_intake()
		result = _process(name, durable)
		commit_intake()
		return result
	finally:
		frappe.db.sql("select release_lock(%s)", lock)  # nosemgrep: frappe-using-db-sql


def _process(name: str, durable: bool) -> IntakeResult:
	record = frappe.get_doc("Intake Message", name, for_update=True)
	if record.status == "Processed":
		# The Link column holds the ticket's number as text; the first answer gave it as a number.
		return IntakeResult(name, cint(record.ticket) or None, record.communication, False, duplicate=True)
	savepoint = "support_center_intake"
	frappe.db.savepoint(savepoint)
	try:
		ticket, communication, created = deliver(record)
	except Exception as error:
		frappe.db.rollback(save_point=savepoint)
		# Not db_set, here and below: that would read the message once more as it was before.
		frappe.db.set_value(
			"Intake Message",
			record.name,
			{"status": "Failed", "error": frappe.get_traceback() or repr(error)},
		)
		if durable:
			# The request that raises is rolled back by Frappe: the Failed record must outlive it.
			commit_intake()
		raise
	frappe.db.set_value(
		"Intake Message",
		record.name,
		{"status": "Processed", "error": None, "ticket": ticket.name, "communication": communication},
	)
	return IntakeResult(record.name, ticket.name, communication, created)


# A message is delivered within a request or a job; one still Pending this long after it was stored was
# interrupted (the process was killed, the database connection dropped) before its delivery committed.
INTERRUPTED_AFTER_MINUTES = 10


def fail_interrupted(minutes: int = INTERRUPTED_AFTER_MINUTES) -> int:
	"""Scheduled: interrupted messages become Failed, listed with a Retry, never left in between."""
	intake = frappe.qb.DocType("Intake Message")
	names = (
		frappe.qb.from_(intake)
		.select(intake.name)
		.where(
			(intake.status == "Pending") & (intake.creation < add_to_date(now_datetime(), minutes=-minutes))
		)
		.run(pluck=True)
	)
	for name in names:
		frappe.db.set_value(
			"Intake Message",
			name,
			{
				"status": "Failed",
				"error": _(
					"Interrupted while it was delivered (a process stopped or the database connection dropped). Retry it."
				),
			},
			update_modified=False,
		)
	return len(names)


# A queued message still waiting this long lost its job (a worker killed mid-job, Redis restarted).
STALLED_AFTER_MINUTES = 10


def requeue_stalled(minutes: int = STALLED_AFTER_MINUTES) -> int:
	"""Scheduled: queued messages whose job was lost are queued again. A message is delivered once however
	many jobs carry it (``process``), and one job per message waits in the queue at a time."""
	intake = frappe.qb.DocType("Intake Message")
	names = (
		frappe.qb.from_(intake)
		.select(intake.name)
		.where((intake.status == QUEUED) & (intake.creation < add_to_date(now_datetime(), minutes=-minutes)))
		.orderby(intake.creation)
		.run(pluck=True)
	)
	for name in names:
		frappe.enqueue(
			"support_center.intake.core.deliver_queued",
			queue="short",
			job_id=f"support_center_intake::{name}",
			deduplicate=True,
			intake_message=name,
		)
	return len(names)


def deliver(record) -> tuple:
	# Stored with the message, so a manager's Retry trusts the sender no more than the first attempt did.
	source = record.source or WEBHOOK
	identity = verified_identity(source, record.sender_email, record.sender_phone)
	ticket = conversation_ticket(record.channel, record.conversation_id)
	if ticket:
		return ticket, add_message(ticket, record, identity.email), False
	contact, known_address = sender_contact(
		identity, record.sender_name, record.channel, record.conversation_id
	)
	ticket = frappe.get_doc(
		{
			"doctype": "Ticket",
			"subject": ticket_subject(record),
			"description": as_html(record.text),
			"channel": record.channel,
			"contact": contact,
			"customer": customer_of(contact),
			# Only a verified address: replies, mail threading and the portal all trust this field.
			"raised_by": identity.email,
			"raised_by_name": record.sender_name,
			"external_conversation": record.conversation_id,
		}
	)
	ticket.flags.acknowledge = bool(acknowledgement_address(source, record.channel, identity, known_address))
	if record.get("support_channel"):
		# A messenger or the site chat: routed by its channel, acknowledged in it (support_center/channels).
		from support_center.channels.routing import apply_channel

		apply_channel(ticket, record)
	# The party above was found from what the channel proves about the sender. Only the portal's own
	# users are held to their portal scope (the controller does that); integrations post for anyone.
	# The site chat's logged-in customers are portal users too, but the server, not their browser, builds
	# the ticket from their session (support_center/channels/chat_session.py).
	ticket.flags.party_from_intake = source != PORTAL or bool(record.get("support_channel"))
	ticket.insert(ignore_permissions=True)
	note_claims(ticket, record, identity)
	attach_files(record, ticket)
	return ticket, None, True


def note_claims(ticket, record, identity) -> None:
	"""Tell the agent what the sender said about themselves that nothing verified (staff-only note)."""
	claims = [
		escape_html(value)
		for value, verified in ((record.sender_email, identity.email), (record.sender_phone, identity.phone))
		if value and not verified
	]
	if claims:
		ticket.add_comment(
			"Info",
			_(
				"The sender gave {0}; the channel does not verify it, so it was not used to find "
				"the customer. Link the contact yourself once you have checked it."
			).format(", ".join(claims)),
		)


def conversation_ticket(channel: str, conversation_id: str | None):
	"""The ticket a conversation already has, unless it was closed. A ticket split off the conversation
	(conversation/split.py) shares it for the replies; new messages go to the one it was split from while
	that is open, and to the newest open one otherwise."""
	if not conversation_id:
		return None
	ticket = frappe.qb.DocType("Ticket")
	open_tickets = (
		frappe.qb.from_(ticket)
		.select(ticket.name, ticket.split_from)
		.where(
			(ticket.channel == channel)
			& (ticket.external_conversation == conversation_id)
			& (ticket.status != CLOSED)
		)
		.orderby(ticket.creation, order=frappe.qb.desc)
		.orderby(ticket.name, order=frappe.qb.desc)
		.run(as_dict=True)
	)
	if not open_tickets:
		return None
	name = next((row.name for row in open_tickets if not row.split_from), open_tickets[0].name)
	return frappe.get_doc("Ticket", name)


def add_message(ticket, record, sender_email: str | None) -> str:
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": medium(record.channel),
			"sent_or_received": "Received",
			"subject": record.subject or ticket.subject,
			"content": as_html(record.text),
			# A claimed address would link the message to that address's contact in the desk timeline.
			"sender": sender_email,
			"sender_full_name": record.sender_name,
			"phone_no": record.sender_phone,
			"communication_date": record.received_at or now_datetime(),
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
			"status": "Linked",
		}
	).insert(ignore_permissions=True)
	attach_files(record, ticket, communication.name)
	return communication.name


def attach_files(record, ticket, communication: str | None = None) -> None:
	for file in frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Intake Message", "attached_to_name": record.name},
		fields=["file_name", "file_url", "is_private"],
	):
		for doctype, name in (("Ticket", ticket.name), ("Communication", communication)):
			if name:
				frappe.get_doc(
					{
						"doctype": "File",
						"file_name": file.file_name,
						"file_url": file.file_url,
						"is_private": file.is_private,
						"attached_to_doctype": doctype,
						"attached_to_name": str(name),
					}
				).insert(ignore_permissions=True)


def medium(channel: str) -> str:
	return {"Email": "Email", "Phone": "Phone", "Messenger": "Chat", "Chat": "Chat", "Portal": "Other"}.get(
		channel, "Other"
	)


def ticket_subject(record) -> str:
	"""The first of the subject, the first line and the sender that still says something once markup is
	removed (the saved subject is sanitised: "<script>…</script>" alone would leave it empty)."""
	candidates = (
		record.subject,
		first_line(record.text),
		_("Message from {0}").format(record.sender_name or record.sender_email or record.sender_phone or ""),
	)
	for candidate in candidates:
		if candidate and strip_html(candidate).strip():
			return candidate.strip()[:140]
	return _("Message")


def first_line(text: str | None) -> str:
	return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


def as_html(text: str | None) -> str:
	"""What a customer typed, as safe HTML paragraphs."""
	paragraphs = [escape_html(part.strip()) for part in (text or "").split("\n\n") if part.strip()]
	return "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in paragraphs)


def decode_attachments(items: list[dict] | None) -> tuple[Attachment, ...]:
	"""Attachments as the API receives them: {"filename": ..., "content_base64": ...}."""
	attachments = []
	for index, item in enumerate(items or [], start=1):
		if not isinstance(item, dict) or not item.get("filename"):
			raise IntakeError(_("Attachment {0} has no filename.").format(index))
		try:
			content = base64.b64decode(item.get("content_base64") or "", validate=True)
		except ValueError:
			raise IntakeError(_("Attachment {0} is not valid base64.").format(item["filename"]))
		attachments.append(Attachment(str(item["filename"]), content))
	return tuple(attachments)


def received_at(value: str | None) -> datetime | None:
	if not value:
		return None
	try:
		return frappe.utils.get_datetime(value)
	except (ValueError, TypeError, OverflowError):
		# dateutil's ParserError is a ValueError: a clear refusal, not a server error.
		raise IntakeError(
			_("{0} is not a date and time (use ISO 8601, e.g. 2026-01-31 14:05:00).").format(repr(value))
		)
