"""The support KPIs, each defined once: pure functions over plain values, no Frappe import.

The SQL in ``support_center.kpi.queries`` only gathers what these functions need (one row per ticket fact
or a count per group); what a measure *means* is decided here and described in the README ("KPIs").
Instants are naive datetimes in the site's time zone, as Frappe stores them; durations are business seconds
from the SLA engine (``first_response_time``, ``resolution_time``), so paused time is already left out.

Periods are half-open: ``[start, end)``. A report's ``to_date`` is the whole day, so its period ends at the
next midnight.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

DONE_STATUSES = frozenset({"Resolved", "Closed"})
# Customers who got no answer for three calendar days have mostly given up (issue 12).
NO_ANSWER_AFTER = timedelta(days=3)
# The same customer writing again about the same category within this window is a repeat contact.
REPEAT_WINDOW = timedelta(days=7)
# Ratings are 1-5 stars; "satisfied" is 4 or 5.
SATISFIED_STARS = 4
MAX_STARS = 5
# The 0-10 loyalty question: promoters answer 9-10, detractors 0-6.
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6
VOICE_TYPES = ("Suggestion", "Complaint", "Bug Report")


@dataclass(frozen=True)
class Period:
	start: datetime
	end: datetime

	@classmethod
	def of_dates(cls, from_date: date, to_date: date) -> Period:
		"""From the first day's midnight to the midnight after the last day."""
		if to_date < from_date:
			raise ValueError("The period ends before it starts")
		start = datetime.combine(from_date, datetime.min.time())
		return cls(start, datetime.combine(to_date, datetime.min.time()) + timedelta(days=1))

	def __contains__(self, moment: datetime | None) -> bool:
		return moment is not None and self.start <= moment < self.end

	@property
	def days(self) -> float:
		return (self.end - self.start).total_seconds() / 86400


@dataclass(frozen=True)
class TicketFacts:
	"""What the measures read of one ticket."""

	name: str
	created: datetime
	status: str
	party: str | None = None  # the customer, else the contact
	category: str | None = None
	first_responded_on: datetime | None = None
	resolved_on: datetime | None = None
	first_response_seconds: float | None = None
	resolution_seconds: float | None = None
	public_replies: int = 0
	reopen_count: int = 0
	merged_into: str | None = None
	sla_status: str | None = None
	response_due: datetime | None = None
	first_response_target: float | None = None
	resolution_target: float | None = None
	rating: float | None = None  # Frappe's Rating field: stars / 5, 0..1
	rated_on: datetime | None = None
	loyalty_score: int | None = None
	loyalty_answered_on: datetime | None = None


# -- which tickets count ------------------------------------------------------------------------------


def is_counted(ticket: TicketFacts) -> bool:
	"""A ticket merged into another is a duplicate: its conversation lives on in the target."""
	return not ticket.merged_into


def is_open(ticket: TicketFacts) -> bool:
	return is_counted(ticket) and ticket.status not in DONE_STATUSES


def is_new_in(ticket: TicketFacts, period: Period) -> bool:
	return is_counted(ticket) and ticket.created in period


def is_resolved_in(ticket: TicketFacts, period: Period) -> bool:
	"""Resolved (or closed) within the period. Reopening clears ``resolved_on``, so a reopened ticket counts
	when it is resolved again, once."""
	return is_counted(ticket) and ticket.status in DONE_STATUSES and ticket.resolved_on in period


def is_open_at(ticket: TicketFacts, moment: datetime) -> bool:
	"""In the backlog at that moment: created before it and not resolved by then.

	A reopened ticket has no resolution stamp until it is resolved again, so it counts as open since its
	creation (the ticket keeps no history of earlier resolutions)."""
	if not is_counted(ticket) or ticket.created >= moment:
		return False
	if ticket.status in DONE_STATUSES:
		# A finished ticket without a stamp (imported, say) is not in anyone's backlog.
		return ticket.resolved_on is not None and ticket.resolved_on >= moment
	return True


def is_waiting_too_long(ticket: TicketFacts, now: datetime) -> bool:
	"""Open, never answered, and opened at least three calendar days ago."""
	return is_open(ticket) and ticket.first_responded_on is None and now - ticket.created >= NO_ANSWER_AFTER


def is_breached_now(ticket: TicketFacts) -> bool:
	return is_open(ticket) and ticket.sla_status == "Breached"


def is_first_contact_resolution(ticket: TicketFacts) -> bool:
	"""Resolved with exactly one public agent reply and never reopened."""
	return (
		is_counted(ticket)
		and ticket.status in DONE_STATUSES
		and ticket.resolved_on is not None
		and ticket.public_replies == 1
		and ticket.reopen_count == 0
	)


def is_reopened(ticket: TicketFacts) -> bool:
	return ticket.reopen_count > 0


def first_response_late(ticket: TicketFacts, now: datetime) -> bool | None:
	"""Whether the first answer missed its target; None when the ticket has no first-response target.

	Answered: its business time (pauses excluded) exceeds the target. Unanswered: the deadline (moved by
	pauses) has passed and the clock is not paused."""
	if ticket.first_response_target is None:
		return None
	if ticket.first_responded_on is not None:
		return (ticket.first_response_seconds or 0) > ticket.first_response_target
	return ticket.response_due is not None and ticket.response_due <= now and ticket.sla_status != "Paused"


def resolution_late(ticket: TicketFacts) -> bool | None:
	"""Whether a resolved ticket took longer than its resolution target (business time)."""
	if ticket.resolution_target is None or ticket.resolution_seconds is None:
		return None
	return ticket.resolution_seconds > ticket.resolution_target


def repeat_contacts(tickets: Sequence[TicketFacts], period: Period) -> set[str]:
	"""Tickets opened in the period whose customer wrote about the same category in the 7 days before.

	The earlier ticket may be any ticket of that customer and category, a merged duplicate included (it is
	a contact all the same); tickets without a customer or contact, or without a category, never match."""
	by_key: dict[tuple[str, str], list[datetime]] = {}
	for ticket in tickets:
		if ticket.party and ticket.category:
			by_key.setdefault((ticket.party, ticket.category), []).append(ticket.created)
	repeats = set()
	for ticket in tickets:
		if not (is_new_in(ticket, period) and ticket.party and ticket.category):
			continue
		earlier = by_key[(ticket.party, ticket.category)]
		if any(timedelta(0) < ticket.created - other <= REPEAT_WINDOW for other in earlier):
			repeats.add(ticket.name)
	return repeats


# -- numbers from values --------------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
	"""A share in percent, rounded to 0.1; None when there is nothing to divide by."""
	if not whole:
		return None
	return round(100.0 * part / whole, 1)


def nearest_rank(count: int, share: float) -> int:
	"""The 1-based rank of the ``share`` percentile among ``count`` sorted values (nearest-rank method).

	This is what SQL's ``PERCENTILE_DISC`` returns: the smallest value whose cumulative share reaches
	``share``. The median of an even count is the lower middle value, which is always a real ticket's time."""
	if count <= 0:
		raise ValueError("no values")
	if not 0 < share <= 1:
		raise ValueError("share must be in (0, 1]")
	# The tolerance keeps 0.9 * 10 at rank 9, not 10, despite binary floating point.
	return max(1, math.ceil(share * count - 1e-9))


def percentile(values: Iterable[float], share: float) -> float | None:
	ordered = sorted(values)
	if not ordered:
		return None
	return ordered[nearest_rank(len(ordered), share) - 1]


def median(values: Iterable[float]) -> float | None:
	return percentile(values, 0.5)


def p90(values: Iterable[float]) -> float | None:
	return percentile(values, 0.9)


def stars(rating: float) -> int:
	"""Frappe stores a Rating as a fraction of the full score: 0.8 is 4 of 5 stars."""
	return max(0, min(MAX_STARS, round(rating * MAX_STARS)))


@dataclass(frozen=True)
class Satisfaction:
	ratings: int
	average: float | None  # stars, rounded to 0.01
	satisfied_share: float | None  # percent of 4-5 star ratings


def satisfaction(star_counts: Mapping[int, int]) -> Satisfaction:
	"""From the number of ratings per star (1-5)."""
	total = sum(star_counts.values())
	if not total:
		return Satisfaction(0, None, None)
	average = sum(star * count for star, count in star_counts.items()) / total
	satisfied = sum(count for star, count in star_counts.items() if star >= SATISFIED_STARS)
	return Satisfaction(total, round(average, 2), rate(satisfied, total))


@dataclass(frozen=True)
class Loyalty:
	responses: int
	promoters: int
	passives: int
	detractors: int
	score: float | None  # share of promoters minus share of detractors, -100..100


def loyalty(score_counts: Mapping[int, int]) -> Loyalty:
	"""From the number of answers per score (0-10) to "how likely are you to recommend us"."""
	for score in score_counts:
		if not 0 <= score <= 10:
			raise ValueError(f"loyalty answers are 0-10, not {score}")
	total = sum(score_counts.values())
	promoters = sum(count for score, count in score_counts.items() if score >= PROMOTER_FROM)
	detractors = sum(count for score, count in score_counts.items() if score <= DETRACTOR_UP_TO)
	score = round(100.0 * (promoters - detractors) / total, 1) if total else None
	return Loyalty(total, promoters, total - promoters - detractors, detractors, score)


def per_day(count: int, period: Period) -> float:
	return round(count / period.days, 2) if period.days else 0.0


def per_customer(tickets: int, customers: int) -> float | None:
	"""New tickets per customer who wrote: fewer over time means customers need the desk less."""
	return round(tickets / customers, 2) if customers else None


def deflection_rate(deflected: int, filed: int) -> float | None:
	"""Of the portal sessions that opened a suggested article, the share that filed no ticket after it."""
	return rate(deflected, deflected + filed)


def helpfulness(helpful: int, not_helpful: int) -> float | None:
	"""Share of "yes" among a knowledge-base article's was-this-helpful votes."""
	return rate(helpful, helpful + not_helpful)


# -- buckets for charts -----------------------------------------------------------------------------------


def bucket_starts(period: Period, interval: str) -> list[datetime]:
	"""The start of each Daily/Weekly/Monthly bucket that overlaps the period (weeks start on Monday)."""
	if interval not in ("Daily", "Weekly", "Monthly"):
		raise ValueError(f"unknown interval {interval}")
	current = bucket_of(period.start, interval)
	starts = []
	while current < period.end:
		starts.append(current)
		current = next_bucket(current, interval)
	return starts


def bucket_of(moment: datetime, interval: str) -> datetime:
	day = datetime.combine(moment.date(), datetime.min.time())
	if interval == "Daily":
		return day
	if interval == "Weekly":
		return day - timedelta(days=day.weekday())
	return day.replace(day=1)


def next_bucket(start: datetime, interval: str) -> datetime:
	if interval == "Daily":
		return start + timedelta(days=1)
	if interval == "Weekly":
		return start + timedelta(days=7)
	return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def default_interval(period: Period) -> str:
	if period.days <= 31:
		return "Daily"
	if period.days <= 190:
		return "Weekly"
	return "Monthly"
