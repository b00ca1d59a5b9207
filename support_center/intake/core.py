"""One way in for every channel: a message becomes a ticket, or joins the ticket of its conversation.

Every message is first stored as an Intake Message (with its attachments), then delivered in a savepoint.
If delivery fails, the savepoint is rolled back, the Intake Message stays with status Failed and the
error, and a manager can Retry it: nothing is dropped. An Intake Message is unique per channel and
external message id, so a retried webhook or a mail delivered twice is one message.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

import frappe
from frappe import _
from frappe.utils import cint, escape_html, now_datetime
from frappe.utils.file_manager import save_file

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


@dataclass(frozen=True)
class IntakeResult:
	intake_message: str
	ticket: int | None
	communication: str | None
	created: bool
	duplicate: bool = False


def max_attachment_bytes() -> int:
	megabytes = cint(frappe.db.get_single_value("Support Center Settings", "max_attachment_mb"))
	return (megabytes or DEFAULT_MAX_ATTACHMENT_MB) * 1024 * 1024


def receive(message: IncomingMessage) -> IntakeResult:
	errors = validation_errors(message, max_attachment_bytes())
	if errors:
		raise IntakeError("\n".join(errors))
	dedupe_key = f"{message.channel}:{message.message_id}" if message.message_id else None
	if dedupe_key:
		existing = frappe.db.get_value(
			"Intake Message",
			{"dedupe_key": dedupe_key},
			["name", "status", "ticket", "communication"],
			as_dict=True,
		)
		if existing and existing.status == "Processed":
			return IntakeResult(existing.name, existing.ticket, existing.communication, False, duplicate=True)
		if existing:
			return process(existing.name)
	return process(store(message, dedupe_key).name)


def store(message: IncomingMessage, dedupe_key: str | None):
	record = frappe.get_doc(
		{
			"doctype": "Intake Message",
			"channel": message.channel,
			"status": "Pending",
			"message_id": message.message_id,
			"conversation_id": message.conversation_id,
			"dedupe_key": dedupe_key,
			"received_at": message.received_at or now_datetime(),
			"sender_name": message.sender_name,
			"sender_email": message.sender_email,
			"sender_phone": message.sender_phone,
			"source": message.source,
			"subject": message.subject,
			"text": message.text,
			"attachments": json.dumps(
				[{"filename": a.filename, "size": len(a.content)} for a in message.attachments]
			),
		}
	).insert(ignore_permissions=True)
	for attachment in message.attachments:
		save_file(attachment.filename, attachment.content, "Intake Message", record.name, is_private=1)
	return record


def process(name: str) -> IntakeResult:
	"""Deliver a stored message; on failure keep it as Failed with the reason, and raise."""
	record = frappe.get_doc("Intake Message", name)
	savepoint = "support_center_intake"
	frappe.db.savepoint(savepoint)
	try:
		ticket, communication, created = deliver(record)
	except Exception as error:
		frappe.db.rollback(save_point=savepoint)
		record.db_set({"status": "Failed", "error": frappe.get_traceback() or repr(error)})
		raise
	record.db_set(
		{"status": "Processed", "error": None, "ticket": ticket.name, "communication": communication}
	)
	return IntakeResult(record.name, ticket.name, communication, created)


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
			"subject": (
				record.subject
				or first_line(record.text)
				or _("Message from {0}").format(
					record.sender_name or record.sender_email or record.sender_phone
				)
			)[:140],
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
	# The party above was found from what the channel proves about the sender. Only the portal's own
	# users are held to their portal scope (the controller does that); integrations post for anyone.
	ticket.flags.party_from_intake = source != PORTAL
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
	"""The ticket a conversation already has, unless it was closed."""
	if not conversation_id:
		return None
	name = frappe.db.get_value(
		"Ticket",
		{"channel": channel, "external_conversation": conversation_id, "status": ("!=", CLOSED)},
		"name",
		order_by="creation desc",
	)
	return frappe.get_doc("Ticket", name) if name else None


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
	return {"Email": "Email", "Phone": "Phone", "Messenger": "Chat", "Portal": "Other"}.get(channel, "Other")


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
	return frappe.utils.get_datetime(value) if value else None
