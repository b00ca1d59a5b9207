"""Ticket status rules that need no database."""

from datetime import datetime

DONE_STATUSES = frozenset({"Resolved", "Closed"})


def resolved_on_after_change(
	old_status: str | None, new_status: str, resolved_on: datetime | None, now: datetime
) -> datetime | None:
	"""When the ticket counts as resolved after a status change.

	Resolving stamps the moment once (closing a resolved ticket keeps the resolution time);
	reopening clears it so the next resolution is measured again.
	"""
	if new_status in DONE_STATUSES:
		if old_status in DONE_STATUSES and resolved_on:
			return resolved_on
		return resolved_on or now
	return None
