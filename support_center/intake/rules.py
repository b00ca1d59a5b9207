"""Intake rules that need no database: what a message must carry, phones, auto-replies, subjects."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

CHANNELS = ("Portal", "Email", "Phone", "Messenger", "Staff", "API")
# Channels where a customer writes to us and expects an acknowledgement.
CUSTOMER_CHANNELS = frozenset({"Portal", "Email", "Messenger", "API"})

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_TICKET_NUMBER = re.compile(r"(?:#|\bticket\s*#?\s*)(\d{1,12})\b", re.IGNORECASE)
_MAILER_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|noreply-dmarc)@", re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
	filename: str
	content: bytes


@dataclass(frozen=True)
class IncomingMessage:
	channel: str
	text: str
	subject: str | None = None
	sender_name: str | None = None
	sender_email: str | None = None
	sender_phone: str | None = None
	# The sender system's id of this message: the same id twice is the same message.
	message_id: str | None = None
	# The sender system's id of the conversation (a chat, a phone number): it keeps one open ticket.
	conversation_id: str | None = None
	attachments: tuple[Attachment, ...] = field(default_factory=tuple)
	received_at: datetime | None = None


def validation_errors(message: IncomingMessage, max_attachment_bytes: int) -> list[str]:
	"""Everything wrong with a message, worded for the system or person that sent it."""
	errors = []
	if message.channel not in CHANNELS:
		errors.append(f"Unknown channel {message.channel!r}: use one of {', '.join(CHANNELS)}.")
	if not (message.sender_email or message.sender_phone or message.sender_name):
		errors.append("The message has no sender: give an email address, a phone number or a name.")
	if message.sender_email and not is_email(message.sender_email):
		errors.append(f"{message.sender_email!r} is not a valid email address.")
	if message.sender_phone and not phone_key(message.sender_phone):
		errors.append(f"{message.sender_phone!r} is not a phone number.")
	if not (message.text or "").strip() and not message.attachments:
		errors.append("The message is empty.")
	for attachment in message.attachments:
		if not attachment.filename or "/" in attachment.filename or "\\" in attachment.filename:
			errors.append(f"Attachment name {attachment.filename!r} is not a plain file name.")
		if len(attachment.content) > max_attachment_bytes:
			errors.append(
				f"Attachment {attachment.filename!r} is {len(attachment.content)} bytes; "
				f"the limit is {max_attachment_bytes} bytes."
			)
	return errors


def is_email(value: str) -> bool:
	return bool(_EMAIL.match(value.strip()))


def phone_key(raw: str | None) -> str | None:
	"""A number as its last ten digits, so "+7 (495) 123-45-67", "8 495 1234567" and "4951234567" meet.

	Ten digits are the national number in most numbering plans; shorter numbers (extensions, short
	codes) are kept whole. Fewer than five digits is not a phone number.
	"""
	if not raw:
		return None
	digits = re.sub(r"\D", "", raw)
	if len(digits) < 5:
		return None
	return digits[-10:]


def is_auto_generated(headers: Mapping[str, str], sender: str | None) -> bool:
	"""Mail that no person wrote: answering it could start a loop between two auto-responders."""
	lowered = {key.lower(): (value or "").strip().lower() for key, value in headers.items()}
	auto_submitted = lowered.get("auto-submitted")
	if auto_submitted and auto_submitted != "no":
		return True
	if "x-auto-response-suppress" in lowered:
		return True
	if lowered.get("precedence") in ("bulk", "junk", "list", "auto_reply"):
		return True
	if lowered.get("x-autoreply") or lowered.get("x-autorespond"):
		return True
	return bool(sender and _MAILER_DAEMON.match(sender.strip()))


def ticket_number_from_subject(subject: str | None) -> int | None:
	"""The ticket a subject names, as in "Re: Printer on fire (#123)" or "Ticket 123"."""
	if not subject:
		return None
	match = _TICKET_NUMBER.search(subject)
	return int(match.group(1)) if match else None
