"""The SLA clock of one ticket: pure rules over instants, with no Frappe import.

A ticket runs two clocks: the response clock (waiting for the first answer, then for the answer to each
new customer message) and the resolution clock (from opening until resolved). Each clock has a start
and the business time it was stopped for; its deadline is always

    due = add_business_time(start, target + stopped_seconds, calendar)

so changing the target (a new priority or policy) or stopping the clock moves the deadline exactly,
and measuring the time a clock ran is ``business_time_between(start, end) - stopped_seconds``.

The clocks stop while the ticket is in a pause status (Waiting on Customer by default) and while it is
fulfilled (Resolved, Closed); a reopened ticket's resolution clock continues where it stopped. A breach
is remembered: a ticket that missed a deadline stays Breached, also once it is resolved.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from support_center.sla.calendar import BusinessCalendar, add_business_time, business_time_between


class SlaStatus(StrEnum):
	ON_TRACK = "On Track"
	AT_RISK = "At Risk"
	BREACHED = "Breached"
	MET = "Met"
	PAUSED = "Paused"


@dataclass(frozen=True)
class Targets:
	"""Business seconds allowed; None means no promise of that kind."""

	first_response: float | None = None
	next_response: float | None = None
	resolution: float | None = None


@dataclass(frozen=True)
class Rules:
	calendar: BusinessCalendar
	targets: Targets
	pause_statuses: frozenset[str]
	fulfil_statuses: frozenset[str]
	warning_percent: float = 75.0


@dataclass(frozen=True)
class Clock:
	start: datetime
	stopped_seconds: float = 0.0


@dataclass(frozen=True)
class SlaState:
	"""What the ticket stores of its SLA. All instants are timezone-aware."""

	resolution: Clock
	# The response being waited for: None once answered, until the customer writes again.
	response: Clock | None
	responded_once: bool = False
	stopped_since: datetime | None = None
	breached_on: datetime | None = None
	first_response_seconds: float | None = None
	resolution_seconds: float | None = None


@dataclass(frozen=True)
class Deadlines:
	response_due: datetime | None
	resolution_due: datetime | None
	warning_at: datetime | None
	next_due: datetime | None


def open_ticket(opened_at: datetime) -> SlaState:
	return SlaState(resolution=Clock(opened_at), response=Clock(opened_at))


def response_target(state: SlaState, rules: Rules) -> float | None:
	return rules.targets.next_response if state.responded_once else rules.targets.first_response


def deadlines(state: SlaState, rules: Rules) -> Deadlines:
	"""The deadlines of the running clocks, the moment the ticket becomes at risk, and the nearest due."""
	due_and_warning = []
	response_due = resolution_due = None
	response = response_target(state, rules)
	if state.response and response is not None:
		response_due, warning = _due(state.response, response, rules)
		due_and_warning.append((response_due, warning))
	if rules.targets.resolution is not None and state.resolution_seconds is None:
		resolution_due, warning = _due(state.resolution, rules.targets.resolution, rules)
		due_and_warning.append((resolution_due, warning))
	if not due_and_warning:
		return Deadlines(response_due, resolution_due, None, None)
	return Deadlines(
		response_due,
		resolution_due,
		min(warning for _, warning in due_and_warning),
		min(due for due, _ in due_and_warning),
	)


def _due(clock: Clock, target: float, rules: Rules) -> tuple[datetime, datetime]:
	calendar = rules.calendar
	due = add_business_time(clock.start, target + clock.stopped_seconds, calendar)
	warning = add_business_time(
		clock.start, target * rules.warning_percent / 100 + clock.stopped_seconds, calendar
	)
	return due, warning


def status_at(state: SlaState, ticket_status: str, now: datetime, rules: Rules) -> SlaStatus:
	if ticket_status in rules.fulfil_statuses:
		return SlaStatus.BREACHED if state.breached_on else SlaStatus.MET
	if state.breached_on:
		return SlaStatus.BREACHED
	if ticket_status in rules.pause_statuses:
		return SlaStatus.PAUSED
	due = deadlines(state, rules)
	if due.next_due is not None and now >= due.next_due:
		return SlaStatus.BREACHED
	if due.warning_at is not None and now >= due.warning_at:
		return SlaStatus.AT_RISK
	return SlaStatus.ON_TRACK


def record_breach(state: SlaState, now: datetime, rules: Rules) -> SlaState:
	"""Remember a deadline that passed while the clocks ran."""
	if state.breached_on or state.stopped_since:
		return state
	due = deadlines(state, rules).next_due
	if due is not None and now >= due:
		return replace(state, breached_on=due)
	return state


def change_status(
	state: SlaState, old_status: str | None, new_status: str, at: datetime, rules: Rules
) -> SlaState:
	"""Stop the clocks when the ticket enters a pause or fulfil status, restart them when it leaves."""
	state = record_breach(state, at, rules)
	stops = rules.pause_statuses | rules.fulfil_statuses
	was_stopped = state.stopped_since is not None
	now_stopped = new_status in stops
	if new_status in rules.fulfil_statuses and state.resolution_seconds is None:
		state = replace(state, resolution_seconds=_ran(state.resolution, at, state, rules))
	elif new_status not in rules.fulfil_statuses and state.resolution_seconds is not None:
		state = replace(state, resolution_seconds=None)  # reopened: the resolution clock runs on
	if now_stopped and not was_stopped:
		return replace(state, stopped_since=at)
	if was_stopped and not now_stopped:
		since = state.stopped_since
		return replace(
			state,
			stopped_since=None,
			resolution=_add_stop(state.resolution, _stopped_within(state.resolution, since, at, rules)),
			response=(
				_add_stop(state.response, _stopped_within(state.response, since, at, rules))
				if state.response
				else None
			),
		)
	return state


def agent_replied(state: SlaState, at: datetime, rules: Rules) -> SlaState:
	"""A public reply answers the awaited response."""
	state = record_breach(state, at, rules)
	if not state.response:
		return state
	answered = replace(state, response=None, responded_once=True)
	if state.first_response_seconds is None and not state.responded_once:
		answered = replace(answered, first_response_seconds=_ran(state.response, at, state, rules))
	return answered


def customer_wrote(state: SlaState, at: datetime, rules: Rules) -> SlaState:
	"""A customer message starts the clock for the next response, unless one is already running."""
	state = record_breach(state, at, rules)
	if state.response:
		return state
	return replace(state, response=Clock(at))


def _ran(clock: Clock, end: datetime, state: SlaState, rules: Rules) -> float:
	"""Business seconds the clock ran up to ``end``, not counting the time it was stopped."""
	stopped = clock.stopped_seconds
	if state.stopped_since is not None:
		stopped += _stopped_within(clock, state.stopped_since, end, rules)
	return max(business_time_between(clock.start, end, rules.calendar) - stopped, 0.0)


def _stopped_within(clock: Clock, since: datetime, until: datetime, rules: Rules) -> float:
	"""Business time the clock stood still: a clock started during a stop only stood still since its start."""
	return business_time_between(max(since, clock.start), until, rules.calendar)


def _add_stop(clock: Clock, seconds: float) -> Clock:
	return replace(clock, stopped_seconds=clock.stopped_seconds + seconds)
