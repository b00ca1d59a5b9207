"""Email intake decisions that need no database: which thread a mail names, who may use a ticket number,
what a reply to a closed ticket does. support_center.intake.email applies them to Frappe's mail pipeline.
"""

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import decode_header

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# Path separators, markup, characters Windows refuses, control characters (C0 and C1), and the invisible
# and bidirectional controls that make "report\u202efdp.exe" show as "reportexe.pdf".
_UNSAFE_IN_FILE_NAME = re.compile(
	r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+'
)
_FILE_NAME_EDGES = re.compile(r"^[\s._]+|[\s._]+$")
MAX_FILE_NAME_LENGTH = 120

# What happens to a customer's message that names a Closed ticket.
APPEND = "append"  # goes onto the ticket, which is reopened
NEW_TICKET = "new"  # opens a new ticket linked to the closed one


def message_ids(header: str | None) -> list[str]:
	"""The message ids of an In-Reply-To or References header, without angle brackets, in order."""
	if not header:
		return []
	# A header with raw non-ASCII bytes comes from the email package as a Header object, not a str.
	header = str(header)
	found = _MESSAGE_ID.findall(header)
	bare = header.strip()
	if not found and bare and not any(c in bare for c in " <>"):
		# Some clients send a bare id without brackets.
		found = [bare]
	return found


def thread_ids(in_reply_to: str | None, references: str | None) -> list[str]:
	"""The ids a reply names, most telling first: In-Reply-To, then References from the newest back."""
	ordered = []
	for candidate in message_ids(in_reply_to) + list(reversed(message_ids(references))):
		if candidate not in ordered:
			ordered.append(candidate)
	return ordered


@dataclass(frozen=True)
class TicketParty:
	raised_by: str | None
	contact_emails: Iterable[str]
	customer: str | None


def may_use_ticket_number(sender: str | None, sender_customer: str | None, ticket: TicketParty) -> bool:
	"""A number in the subject is a guessable claim: only the ticket's own people may use it.

	The sender must be the ticket's sender, one of its contact's addresses, or a contact of the ticket's
	customer; anyone else writing "#123" gets a ticket of their own.
	"""
	if not sender:
		return False
	sender = sender.strip().lower()
	own = {(ticket.raised_by or "").strip().lower()} | {e.strip().lower() for e in ticket.contact_emails if e}
	if sender in own:
		return True
	return bool(ticket.customer and sender_customer and ticket.customer == sender_customer)


def closed_reply_action(closed_at: datetime | None, now: datetime, reopen_within_days: int) -> str:
	"""A customer's message to a Closed ticket: back onto it within the window, else a new linked ticket.

	``reopen_within_days`` 0 means never reopen: every message to a closed ticket opens a new one.
	"""
	if reopen_within_days <= 0:
		return NEW_TICKET
	if closed_at is None:
		return NEW_TICKET
	return APPEND if now - closed_at <= timedelta(days=reopen_within_days) else NEW_TICKET


def content_message_id(raw: bytes) -> str:
	"""A Message-ID for a mail that came without one: the same every time the same mail is read again.

	Frappe recognises a mail it already has only by its Message-ID, so a mail without one became a new
	ticket each time the server handed it out again (an initial sync, a renumbered folder). Line endings
	are normalised: IMAP gives CRLF, a stored copy may have LF. The ``.invalid`` domain (RFC 2606) says
	that no mail server made it.
	"""
	digest = hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()
	return f"{digest}@no-message-id.invalid"


def safe_file_name(name: str | None, fallback: str) -> str:
	"""A name a mail's attachment can be stored under: no path, no markup, no control characters.

	``../../x.pdf`` becomes ``x.pdf``, ``<b>report</b>.pdf`` becomes ``b_report_b_.pdf``; a long name is
	shortened keeping its extension; nothing left gives ``fallback``.
	"""
	cleaned = _UNSAFE_IN_FILE_NAME.sub("_", (name or "").strip())
	cleaned = _FILE_NAME_EDGES.sub("", re.sub(r"_{2,}", "_", cleaned))
	if not cleaned:
		return fallback
	if len(cleaned) > MAX_FILE_NAME_LENGTH:
		stem, dot, extension = cleaned.rpartition(".")
		if dot and stem and len(extension) <= 10:
			stem = _FILE_NAME_EDGES.sub("", stem[: MAX_FILE_NAME_LENGTH - len(extension) - 1])
			cleaned = f"{stem}.{extension}" if stem else extension
		else:
			cleaned = _FILE_NAME_EDGES.sub("", cleaned[:MAX_FILE_NAME_LENGTH])
	return cleaned or fallback


def known_charset(charset: str | None) -> bool:
	if not charset:
		return False
	try:
		codec = codecs.lookup(charset)
	except (LookupError, ValueError, TypeError):
		# ValueError: a name with a NUL character, as a hostile mail may declare.
		return False
	# base64, rot13, zlib, hex...: codecs Python knows, but not text encodings (bytes.decode refuses them).
	return getattr(codec, "_is_text_encoding", True)


def decode_text(
	payload: bytes, charsets: Iterable[str | None], guess: Callable[[bytes], str | None] | None = None
) -> str:
	"""The text of a mail part: in the first charset that decodes it cleanly, then in the one ``guess``
	detects; else the first known charset with replacement characters, so a loss shows instead of
	characters silently dropped (Frappe decodes with ``errors="ignore"``).
	"""
	candidates = [c for c in charsets if known_charset(c)]
	for charset in candidates:
		try:
			return payload.decode(charset)
		except UnicodeDecodeError:
			continue
	guessed = guess(payload) if guess else None
	if known_charset(guessed):
		try:
			return payload.decode(guessed)
		except UnicodeDecodeError:
			pass
	return payload.decode(candidates[0] if candidates else "utf-8", "replace")


def header_text(value: str | None) -> str:
	"""A header value (or a file name) with every RFC 2047 encoded word decoded, not only the first.

	Frappe keeps only the first chunk: ``=?utf-8?q?M=C3=A4rz?= 2024.pdf`` lost `` 2024.pdf``.
	"""
	if not value:
		return ""
	try:
		chunks = decode_header(value)
	except Exception:
		return value
	text = []
	for chunk, charset in chunks:
		if isinstance(chunk, bytes):
			text.append(decode_text(chunk, [charset, "utf-8"]))
		else:
			text.append(chunk)
	return "".join(text)
