"""Email intake decisions that need no database: which thread a mail names, who may use a ticket number,
what a reply to a closed ticket does. support_center.intake.email applies them to Frappe's mail pipeline.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")

# What happens to a customer's message that names a Closed ticket.
APPEND = "append"  # goes onto the ticket, which is reopened
NEW_TICKET = "new"  # opens a new ticket linked to the closed one


def message_ids(header: str | None) -> list[str]:
	"""The message ids of an In-Reply-To or References header, without angle brackets, in order."""
	if not header:
		return []
	found = _MESSAGE_ID.findall(header)
	if not found and header.strip() and " " not in header.strip():
		# Some clients send a bare id without brackets.
		found = [header.strip()]
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
