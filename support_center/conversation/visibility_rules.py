"""Which of a ticket's messages the customer sees: the rules that need no database.

support_center.conversation.visibility applies them to Communications and enforces them on every path.
"""

from collections.abc import Iterable
from email.utils import getaddresses


def addresses(*headers: str | None) -> list[str]:
	"""The mail addresses of To / Cc / Bcc style headers, lower-cased, in order, without duplicates."""
	found = [address.strip().lower() for _name, address in getaddresses([h for h in headers if h])]
	return list(dict.fromkeys(address for address in found if "@" in address))


def sent_is_internal(recipients: Iterable[str], party: Iterable[str]) -> bool:
	"""A message sent from the desk is the customer's only when it went to the ticket's own party.

	Mail to a supplier or any other third party is internal. A message without recipient addresses is a
	reply on the ticket's own channel (messenger, phone), which reaches the customer. A ticket whose party
	has no address yet has no third party to tell apart (and no portal user who could read it): its mail
	is the customer's.
	"""
	recipients = {address.strip().lower() for address in recipients if address}
	party = {address.strip().lower() for address in party if address}
	if not recipients or not party:
		return False
	return not recipients & party
