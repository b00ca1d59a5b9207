"""The SLA clock of a ticket, worked by hand on a Mon-Fri 09:00-18:00 calendar in Berlin.

November 2026: Monday is the 16th. Targets: first response 4 h, next response 2 h, resolution 16 h;
warnings at 75 %.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from support_center.sla.calendar import BusinessCalendar, add_business_time, business_time_between
from support_center.sla.engine import (
	Rules,
	SlaStatus,
	Targets,
	agent_replied,
	change_status,
	customer_wrote,
	deadlines,
	open_ticket,
	status_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
CALENDAR = BusinessCalendar("Europe/Berlin", {day: [(time(9), time(18))] for day in range(5)}, set())
RULES = Rules(
	calendar=CALENDAR,
	targets=Targets(first_response=4 * HOUR, next_response=2 * HOUR, resolution=16 * HOUR),
	pause_statuses=frozenset({"Waiting on Customer"}),
	fulfil_statuses=frozenset({"Resolved", "Closed"}),
	warning_percent=75,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
	return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def test_a_new_ticket_gets_its_deadlines_and_warning_point():
	due = deadlines(open_ticket(at(16, 10)), RULES)
	assert due.response_due == at(16, 14)  # Mon 10:00 + 4 h
	assert due.resolution_due == at(17, 17)  # 8 h on Monday (10-18), 8 h on Tuesday (9-17)
	assert due.warning_at == at(16, 13)  # 75 % of the response target: 3 h
	assert due.next_due == at(16, 14)


def test_status_moves_from_on_track_to_at_risk_to_breached():
	state = open_ticket(at(16, 10))
	assert status_at(state, "Open", at(16, 12, 59), RULES) == SlaStatus.ON_TRACK
	assert status_at(state, "Open", at(16, 13), RULES) == SlaStatus.AT_RISK
	assert status_at(state, "Open", at(16, 14), RULES) == SlaStatus.BREACHED


def test_a_first_reply_is_measured_and_the_resolution_deadline_comes_next():
	state = agent_replied(open_ticket(at(16, 10)), at(16, 11, 30), RULES)
	assert state.first_response_seconds == 1.5 * HOUR
	due = deadlines(state, RULES)
	assert due.response_due is None
	assert due.next_due == at(17, 17)
	assert due.warning_at == at(17, 13)  # 12 h of 16: Monday 8 h, Tuesday 9:00 + 4 h
	assert status_at(state, "Replied", at(17, 12), RULES) == SlaStatus.ON_TRACK


def test_waiting_on_the_customer_pauses_the_clock_in_business_time():
	state = agent_replied(open_ticket(at(16, 10)), at(16, 11), RULES)
	state = change_status(state, "Replied", "Waiting on Customer", at(16, 12), RULES)
	assert status_at(state, "Waiting on Customer", at(18, 12), RULES) == SlaStatus.PAUSED
	# The customer answers on Tuesday 10:00: stopped Mon 12-18 (6 h) and Tue 9-10 (1 h).
	state = customer_wrote(state, at(17, 10), RULES)
	state = change_status(state, "Waiting on Customer", "Open", at(17, 10), RULES)
	assert state.resolution.stopped_seconds == 7 * HOUR
	due = deadlines(state, RULES)
	assert due.resolution_due == at(18, 15)  # Tue 17:00 + 7 h: Tue 17-18, Wed 9-15
	assert due.response_due == at(17, 12)  # next response: Tue 10:00 + 2 h, not touched by the pause


def test_resolving_measures_resolution_time_without_the_pauses_and_reopening_continues_the_clock():
	state = agent_replied(open_ticket(at(16, 10)), at(16, 11), RULES)
	state = change_status(state, "Replied", "Waiting on Customer", at(16, 12), RULES)
	state = change_status(state, "Waiting on Customer", "Open", at(17, 10), RULES)
	state = change_status(state, "Open", "Resolved", at(18, 11), RULES)
	# Mon 10-18 (8) + Tue 9-18 (9) + Wed 9-11 (2) = 19 h, less 7 h paused.
	assert state.resolution_seconds == 12 * HOUR
	assert status_at(state, "Resolved", at(18, 11), RULES) == SlaStatus.MET
	state = change_status(state, "Resolved", "Open", at(19, 9), RULES)
	assert state.resolution_seconds is None
	# Stopped again Wed 11-18 (7 h): the Wed 15:00 deadline moves to Thu 13:00 (Wed 15-18, Thu 9-13).
	assert deadlines(state, RULES).resolution_due == at(19, 13)


def test_a_breach_is_remembered_after_resolution():
	state = open_ticket(at(16, 10))
	state = agent_replied(state, at(16, 15), RULES)  # an hour past the 14:00 deadline
	assert state.breached_on == at(16, 14)
	state = change_status(state, "Replied", "Resolved", at(16, 16), RULES)
	assert status_at(state, "Resolved", at(16, 16), RULES) == SlaStatus.BREACHED


def test_a_new_priority_moves_the_deadlines_from_the_same_start():
	state = open_ticket(at(16, 10))
	urgent = Rules(
		CALENDAR,
		Targets(first_response=HOUR, next_response=HOUR, resolution=4 * HOUR),
		RULES.pause_statuses,
		RULES.fulfil_statuses,
	)
	due = deadlines(state, urgent)
	assert (due.response_due, due.resolution_due) == (at(16, 11), at(16, 14))


def test_no_target_means_no_deadline_and_no_risk():
	rules = Rules(CALENDAR, Targets(), RULES.pause_statuses, RULES.fulfil_statuses)
	state = open_ticket(at(16, 10))
	assert deadlines(state, rules).next_due is None
	assert status_at(state, "Open", at(30, 10), rules) == SlaStatus.ON_TRACK


def test_a_customer_message_while_a_response_is_awaited_keeps_the_earlier_deadline():
	state = customer_wrote(open_ticket(at(16, 10)), at(16, 12), RULES)
	assert deadlines(state, RULES).response_due == at(16, 14)


moments = st.integers(min_value=0, max_value=14 * 24 * 60).map(lambda m: at(16, 0) + timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(opened=moments, pause=st.integers(0, 5 * 24 * 60), length=st.integers(0, 5 * 24 * 60))
def test_pausing_for_a_span_adds_exactly_that_spans_business_time(opened, pause, length):
	paused_at = opened + timedelta(minutes=pause)
	resumed_at = paused_at + timedelta(minutes=length)
	state = change_status(open_ticket(opened), "Open", "Waiting on Customer", paused_at, RULES)
	if state.breached_on:
		return
	state = change_status(state, "Waiting on Customer", "Open", resumed_at, RULES)
	expected = add_business_time(
		opened, 16 * HOUR + business_time_between(paused_at, resumed_at, CALENDAR), CALENDAR
	)
	assert deadlines(state, RULES).resolution_due == expected


def test_holidays_in_the_calendar_move_deadlines():
	calendar = BusinessCalendar("Europe/Berlin", CALENDAR.windows, {date(2026, 11, 17)})
	rules = Rules(calendar, RULES.targets, RULES.pause_statuses, RULES.fulfil_statuses)
	assert deadlines(open_ticket(at(16, 10)), rules).resolution_due == at(18, 17)
