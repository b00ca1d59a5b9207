"""The customer portal's rules that need no database: list filters and cursors, ratings, signed links,
attachment limits. The pages and endpoints (support_center/portal/*, support_center/api/portal.py) apply them.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

# The statuses a customer filters by; the names are the page's, the values the Ticket's.
STATUS_FILTERS: dict[str, tuple[str, ...]] = {
	"open": ("Open", "Replied", "Waiting on Customer"),
	"waiting": ("Waiting on Customer",),
	"resolved": ("Resolved", "Closed"),
	"all": (),
}
DEFAULT_STATUS_FILTER = "all"
OPEN_STATUSES = STATUS_FILTERS["open"]
DONE_STATUSES = STATUS_FILTERS["resolved"]
PAGE_SIZE = 20
MAX_SEARCH_LENGTH = 140

RATING_MIN, RATING_MAX = 1, 5
LOYALTY_MIN, LOYALTY_MAX = 0, 10
MAX_COMMENT_LENGTH = 2000
# Ratings at or below this notify the category's responsible and the assignee (Support Center Settings
# can change it).
DEFAULT_LOW_RATING = 2

RATING = "rating"
LOYALTY = "loyalty"
LINK_PURPOSES = (RATING, LOYALTY)
GUEST_CONFIRMATION = "guest-confirmation"

_TICKET_NUMBER = re.compile(r"^#?\s*(\d{1,12})$")


def status_filter(value: str | None) -> str:
	"""The page's status filter, from whatever the URL said."""
	value = (value or "").strip().lower()
	return value if value in STATUS_FILTERS else DEFAULT_STATUS_FILTER


@dataclass(frozen=True)
class Search:
	text: str = ""
	number: int | None = None


def parse_search(value: str | None) -> Search:
	""" "#42" or "42" looks up ticket 42 (and subjects containing 42); anything else searches subjects."""
	text = " ".join((value or "").split())[:MAX_SEARCH_LENGTH]
	match = _TICKET_NUMBER.match(text)
	return Search(
		text=text.lstrip("#").strip() if match else text, number=int(match.group(1)) if match else None
	)


@dataclass(frozen=True)
class Cursor:
	"""Where the next page of the list starts: after this (modified, ticket) pair, newest first."""

	modified: datetime
	name: int

	def encode(self) -> str:
		raw = f"{self.modified.isoformat()}|{self.name}".encode()
		return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str | None) -> Cursor | None:
	"""The cursor from the URL, or None (first page) when it is missing or malformed."""
	if not value or len(value) > 100:
		return None
	try:
		raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
		stamp, name = raw.split("|", 1)
		return Cursor(datetime.fromisoformat(stamp), int(name))
	except (ValueError, UnicodeDecodeError):
		return None


def rating_value(stars: int | str | None) -> int:
	"""Whole stars from 1 to 5, or ValueError."""
	try:
		value = int(str(stars).strip())
	except (TypeError, ValueError):
		raise ValueError("rating") from None
	if not RATING_MIN <= value <= RATING_MAX:
		raise ValueError("rating")
	return value


def loyalty_value(score: int | str | None) -> int:
	"""A 0 to 10 answer to "How likely are you to recommend us?", or ValueError."""
	try:
		value = int(str(score).strip())
	except (TypeError, ValueError):
		raise ValueError("loyalty") from None
	if not LOYALTY_MIN <= value <= LOYALTY_MAX:
		raise ValueError("loyalty")
	return value


def stars_to_fraction(stars: int) -> float:
	"""Frappe's Rating field stores stars out of five as a 0..1 fraction."""
	return round(stars / RATING_MAX, 4)


def fraction_to_stars(fraction: float | None) -> int:
	return round((fraction or 0) * RATING_MAX)


def is_low_rating(stars: int, threshold: int) -> bool:
	return stars <= threshold


def clean_comment(value: str | None) -> str:
	return (value or "").strip()[:MAX_COMMENT_LENGTH]


def sign(secret: str, purpose: str, subject: str) -> str:
	"""An HMAC of what a link may do (purpose) and on what (subject, e.g. a ticket number)."""
	message = f"support-center:{purpose}:{subject}".encode()
	return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def signature_matches(secret: str, purpose: str, subject: str, signature: str | None) -> bool:
	if not signature or purpose not in (*LINK_PURPOSES, GUEST_CONFIRMATION):
		return False
	return hmac.compare_digest(sign(secret, purpose, subject), signature.strip())


def attachment_errors(
	sizes: list[tuple[str, int]], max_bytes: int, max_count: int
) -> list[tuple[str, str | int]]:
	"""What is wrong with a set of uploads (file name, size in bytes): (problem, detail) pairs, where the
	problem is "too_many" (detail: the limit), "too_large" or "empty" (detail: the file name)."""
	errors = []
	if len(sizes) > max_count:
		errors.append(("too_many", max_count))
	for name, size in sizes:
		if size > max_bytes:
			errors.append(("too_large", name))
		elif size == 0:
			errors.append(("empty", name))
	return errors
