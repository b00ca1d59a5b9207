"""Intake rules that need no database: what a message must carry, what its sender details prove, phone
numbers, auto-replies, subjects."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

CHANNELS = ("Portal", "Email", "Phone", "Messenger", "Staff", "API", "Chat", "Website Comment")
# Channels where a customer writes to us and expects an acknowledgement.
CUSTOMER_CHANNELS = frozenset({"Portal", "Email", "Messenger", "API", "Chat", "Website Comment"})

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_TICKET_NUMBER = re.compile(r"(?:#|\bticket\s*#?\s*)(\d{1,12})\b", re.IGNORECASE)
_MAILER_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|noreply-dmarc)@", re.IGNORECASE)
# C1 controls and invisible or bidirectional marks: "report\u202efdp.exe" shows as "reportexe.pdf".
_INVISIBLE = re.compile("[\x80-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_PHONE_EXTENSION = re.compile(r"\s*(?:;\s*ext=|ext\.?|x|#)\s*\d+\s*$", re.IGNORECASE)

# How a message reached us decides what its sender details prove (see verified_identity).
WEBHOOK = "Webhook"
TRUSTED_WEBHOOK = "Trusted Webhook"
PORTAL = "Portal"
TELEPHONY = "Telephony"
# A portal visitor without an account who opened the confirmation link mailed to the address they gave.
CONFIRMED_EMAIL = "Confirmed Email"
SOURCES = (WEBHOOK, TRUSTED_WEBHOOK, PORTAL, TELEPHONY, CONFIRMED_EMAIL)

# The prefix dialled before a national number where it is not "0"; none where a leading 0 is part of the
# number itself (Italy, San Marino, the Vatican). Keyed by country calling code.
_TRUNK_PREFIXES = {"1": ("1",), "7": ("8",), "39": (), "378": (), "379": ()}
_E164_MAX_DIGITS = 15
MAX_FILE_NAME_BYTES = 200
_MIN_DIGITS = 5


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
	# Who vouches for the sender details; a plain webhook only relays what its user typed.
	source: str = WEBHOOK
	# The Support Channel (bot, number, site chat) it came through: the ticket's category, team and replies.
	support_channel: str | None = None
	# The sender's language as their messenger or browser reports it (the acknowledgement's language).
	language: str | None = None


@dataclass(frozen=True)
class SenderIdentity:
	"""The sender details the route vouches for: only these may find (or be stored on) a Contact."""

	email: str | None = None
	phone: str | None = None


def verified_identity(source: str, email: str | None, phone: str | None) -> SenderIdentity:
	"""What a message proves about its sender; everything else it says is a claim.

	- Portal: the logged-in user's own address.
	- Telephony (ERPNext Call Log): the caller's number, as the telephony provider reports it.
	- Trusted Webhook: an integration whose user has the Support Trusted Integration role, because its
	  channel verifies them (a signed-in chat, a messenger that verifies phone numbers).
	- Webhook: nothing. A messenger user who types "laura@example.com" is not Laura; the conversation id,
	  which the messenger does verify, is what ties their messages together.
	A name is never an identity.
	"""
	if source in (PORTAL, CONFIRMED_EMAIL):
		return SenderIdentity(email=email)
	if source == TELEPHONY:
		return SenderIdentity(phone=phone)
	if source == TRUSTED_WEBHOOK:
		return SenderIdentity(email=email, phone=phone)
	return SenderIdentity()


def acknowledgement_address(
	source: str, channel: str, identity: SenderIdentity, known_address: bool
) -> str | None:
	"""Where the acknowledgement may be mailed, if anywhere: a verified address of the sender, never a claim.

	``known_address``: the address already belonged to the Contact the message was matched to. A
	webhook's address, even a vouched-for one, is mailed only then, so that no request can make the site
	mail an address it first heard of in that request (a mail relay). Otherwise the integration
	acknowledges in its own channel, with the ticket number the endpoint returns.
	"""
	if channel not in CUSTOMER_CHANNELS or not identity.email:
		return None
	if source in (PORTAL, CONFIRMED_EMAIL):
		return identity.email
	if source == TRUSTED_WEBHOOK and known_address:
		return identity.email
	return None


def validation_errors(message: IncomingMessage, max_attachment_bytes: int) -> list[str]:
	"""Everything wrong with a message, worded for the system or person that sent it."""
	errors = []
	if message.channel not in CHANNELS:
		errors.append(f"Unknown channel {message.channel!r}: use one of {', '.join(CHANNELS)}.")
	if message.source not in SOURCES:
		errors.append(f"Unknown source {message.source!r}.")
	if not (message.sender_email or message.sender_phone or message.sender_name):
		errors.append("The message has no sender: give an email address, a phone number or a name.")
	if message.sender_email and not is_email(message.sender_email):
		errors.append(f"{message.sender_email!r} is not a valid email address.")
	if message.sender_phone and not normalise_phone(message.sender_phone):
		errors.append(f"{message.sender_phone!r} is not a phone number.")
	if not (message.text or "").strip() and not message.attachments:
		errors.append("The message is empty.")
	for attachment in message.attachments:
		if (
			not attachment.filename
			or "/" in attachment.filename
			or "\\" in attachment.filename
			or attachment.filename.strip() in (".", "..")
			or any(ord(c) < 32 or ord(c) == 127 for c in attachment.filename)
			or _INVISIBLE.search(attachment.filename)
		):
			errors.append(f"Attachment name {attachment.filename!r} is not a plain file name.")
		elif len(attachment.filename.encode()) > MAX_FILE_NAME_BYTES:
			# File systems refuse names over 255 bytes; Frappe adds to the name when it is taken.
			errors.append(
				f"Attachment name {attachment.filename[:40]!r}... is longer than {MAX_FILE_NAME_BYTES} bytes."
			)
		if len(attachment.content) > max_attachment_bytes:
			errors.append(
				f"Attachment {attachment.filename!r} is {len(attachment.content)} bytes; "
				f"the limit is {max_attachment_bytes} bytes."
			)
	return errors


def is_email(value: str) -> bool:
	return bool(_EMAIL.match(value.strip()))


def normalise_phone(raw: str | None, country_code: str | None = None) -> str | None:
	"""A whole phone number as "+", country code and national number (E.164's digits), to compare numbers.

	"+7 (495) 123-45-67" and "007 495 1234567" are "+74951234567"; so are "8 495 123 45 67" and
	"495 123 45 67" when the site's ``country_code`` is "7" (the trunk prefix, "8" there and "0" in most
	countries, is dropped). Without a country code a national number stays its bare digits (no "+"), equal
	only to itself written another way. Two numbers are the same only when their whole normalised forms
	are: "0101" never meets "+1 206 555 0101". Fewer than five digits or more than fifteen is no number.
	"""
	if not raw:
		return None
	# "+44 (0)20 ...": the bracketed trunk prefix is dialled only from within the country.
	text = _PHONE_EXTENSION.sub("", raw.strip()).replace("(0)", "")
	digits = re.sub(r"\D", "", text)
	if len(digits) < _MIN_DIGITS:
		return None
	country_code = re.sub(r"\D", "", country_code or "") or None
	if text.startswith("+"):
		number = digits
	elif digits.startswith("00"):
		number = digits[2:]
	elif country_code == "1" and digits.startswith("011"):
		number = digits[3:]
	elif country_code:
		for prefix in _TRUNK_PREFIXES.get(country_code, ("0",)):
			if digits.startswith(prefix):
				digits = digits[len(prefix) :]
				break
		number = country_code + digits
	else:
		return digits if len(digits) <= _E164_MAX_DIGITS else None
	if not _MIN_DIGITS <= len(number) <= _E164_MAX_DIGITS:
		return None
	return "+" + number


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
