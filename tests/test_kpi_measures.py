"""The KPI definitions (support_center/kpi/measures.py), without Frappe."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_center.kpi import measures as m

PERIOD = m.Period.of_dates(date(2026, 3, 1), date(2026, 3, 31))
T0 = datetime(2026, 3, 10, 12, 0)


def ticket(name="1", created=T0, status="Open", **values):
	return m.TicketFacts(name=name, created=created, status=status, **values)


def test_period_is_half_open_and_covers_the_whole_last_day():
	assert PERIOD.start == datetime(2026, 3, 1)
	assert PERIOD.end == datetime(2026, 4, 1)
	assert datetime(2026, 3, 31, 23, 59, 59) in PERIOD
	assert datetime(2026, 4, 1) not in PERIOD
	assert datetime(2026, 2, 28, 23, 59, 59) not in PERIOD
	assert None not in PERIOD
	assert PERIOD.days == 31
	with pytest.raises(ValueError):
		m.Period.of_dates(date(2026, 3, 2), date(2026, 3, 1))


def test_percentile_is_nearest_rank():
	assert m.median([5, 1, 3]) == 3
	# Even count: the lower middle value, a real ticket's time (SQL's PERCENTILE_DISC).
	assert m.median([4, 1, 3, 2]) == 2
	assert m.p90(range(1, 11)) == 9
	assert m.p90(range(1, 12)) == 10
	assert m.p90([7]) == 7
	assert m.median([]) is None
	assert m.nearest_rank(10, 0.9) == 9
	assert m.nearest_rank(1, 0.5) == 1
	with pytest.raises(ValueError):
		m.nearest_rank(0, 0.5)
	with pytest.raises(ValueError):
		m.nearest_rank(3, 0)


@given(
	st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=200), st.sampled_from([0.5, 0.9])
)
def test_percentile_is_the_smallest_value_whose_cumulative_share_reaches_it(values, share):
	result = m.percentile(values, share)
	assert result in values
	assert sum(v <= result for v in values) / len(values) >= share - 1e-12
	smaller = [v for v in values if v < result]
	assert not smaller or sum(v <= max(smaller) for v in values) / len(values) < share


def test_first_contact_resolution_needs_one_public_reply_and_no_reopen():
	resolved = dict(status="Resolved", resolved_on=T0 + timedelta(hours=1))
	assert m.is_first_contact_resolution(ticket(public_replies=1, **resolved))
	assert not m.is_first_contact_resolution(ticket(public_replies=2, **resolved))
	assert not m.is_first_contact_resolution(ticket(public_replies=0, **resolved))  # zero-touch
	assert not m.is_first_contact_resolution(ticket(public_replies=1, reopen_count=1, **resolved))
	assert not m.is_first_contact_resolution(ticket(public_replies=1, merged_into="7", **resolved))
	assert not m.is_first_contact_resolution(ticket(public_replies=1, status="Replied"))


def test_resolved_in_period_and_reopened_tickets():
	inside = ticket(status="Closed", resolved_on=datetime(2026, 3, 31, 23, 0), created=datetime(2026, 2, 20))
	assert m.is_resolved_in(inside, PERIOD)
	assert not m.is_new_in(inside, PERIOD)  # opened before the period
	reopened = ticket(status="Open", reopen_count=1)
	assert not m.is_resolved_in(reopened, PERIOD)
	assert m.is_reopened(reopened)
	merged = ticket(status="Closed", resolved_on=T0, merged_into="3")
	assert not m.is_resolved_in(merged, PERIOD)
	assert not m.is_new_in(merged, PERIOD)


def test_backlog_at_a_moment():
	moment = datetime(2026, 3, 15)
	assert m.is_open_at(ticket(created=T0), moment)
	assert not m.is_open_at(ticket(created=moment), moment)
	assert not m.is_open_at(ticket(created=T0, status="Resolved", resolved_on=T0 + timedelta(days=1)), moment)
	assert m.is_open_at(ticket(created=T0, status="Resolved", resolved_on=moment), moment)
	assert not m.is_open_at(ticket(created=T0, merged_into="2"), moment)


def test_waiting_three_calendar_days_without_an_answer():
	now = T0 + timedelta(days=3)
	assert m.is_waiting_too_long(ticket(), now)
	assert not m.is_waiting_too_long(ticket(), now - timedelta(seconds=1))
	assert not m.is_waiting_too_long(ticket(first_responded_on=T0 + timedelta(hours=1)), now)
	assert not m.is_waiting_too_long(ticket(status="Resolved"), now)


def test_breaches():
	now = T0 + timedelta(days=1)
	assert m.first_response_late(ticket(), now) is None  # no target
	target = dict(first_response_target=3600.0)
	assert m.first_response_late(ticket(first_responded_on=T0, first_response_seconds=3601, **target), now)
	assert not m.first_response_late(
		ticket(first_responded_on=T0, first_response_seconds=3600, **target), now
	)
	assert m.first_response_late(ticket(response_due=T0 + timedelta(hours=1), **target), now)
	assert not m.first_response_late(ticket(response_due=now + timedelta(hours=1), **target), now)
	# A paused clock's deadline is not the promise: it moves when the clock runs again.
	assert not m.first_response_late(ticket(response_due=T0, sla_status="Paused", **target), now)
	assert m.resolution_late(ticket(resolution_target=100.0, resolution_seconds=101)) is True
	assert m.resolution_late(ticket(resolution_target=100.0, resolution_seconds=100)) is False
	assert m.resolution_late(ticket(resolution_seconds=100)) is None
	assert m.is_breached_now(ticket(sla_status="Breached"))
	assert not m.is_breached_now(ticket(sla_status="Breached", status="Resolved"))


def test_repeat_contacts_same_customer_same_category_within_seven_days():
	first = ticket("1", created=datetime(2026, 2, 25), party="ACME", category="Billing")
	again = ticket("2", created=datetime(2026, 3, 4), party="ACME", category="Billing")  # 7 days later
	late = ticket("3", created=datetime(2026, 3, 11, 0, 0, 1), party="ACME", category="Billing")  # 7 d + 1 s
	other_category = ticket("4", created=datetime(2026, 3, 5), party="ACME", category="Shipping")
	other_customer = ticket("5", created=datetime(2026, 3, 5), party="Globex", category="Billing")
	no_category = ticket("6", created=datetime(2026, 3, 5), party="ACME")
	no_category_again = ticket("7", created=datetime(2026, 3, 6), party="ACME")
	tickets = [first, again, late, other_category, other_customer, no_category, no_category_again]
	assert m.repeat_contacts(tickets, PERIOD) == {"2"}
	merged_duplicate = ticket(
		"8", created=datetime(2026, 3, 12), party="ACME", category="Billing", merged_into="3"
	)
	assert m.repeat_contacts([*tickets, merged_duplicate], PERIOD) == {"2"}  # counted as the earlier one only
	assert m.repeat_contacts(
		[*tickets, ticket("9", created=datetime(2026, 3, 13), party="ACME", category="Billing")], PERIOD
	) == {"2", "9"}


def test_rates_and_ratings():
	assert m.rate(1, 3) == 33.3
	assert m.rate(0, 0) is None
	assert m.stars(0.8) == 4
	assert m.stars(0.6000000001) == 3
	assert m.stars(1) == 5
	result = m.satisfaction({5: 2, 4: 1, 2: 1})
	assert result == m.Satisfaction(4, 4.0, 75.0)
	assert m.satisfaction({}) == m.Satisfaction(0, None, None)


def test_loyalty_score_is_promoters_minus_detractors():
	# 3 promoters (9, 10, 10), 2 passives (7, 8), 5 detractors (0-6)
	counts = {10: 2, 9: 1, 8: 1, 7: 1, 6: 2, 3: 2, 0: 1}
	assert m.loyalty(counts) == m.Loyalty(10, 3, 2, 5, -20.0)
	assert m.loyalty({}) == m.Loyalty(0, 0, 0, 0, None)
	assert m.loyalty({9: 1}).score == 100.0
	with pytest.raises(ValueError):
		m.loyalty({11: 1})


def test_per_day_per_customer_and_helpfulness():
	assert m.per_day(62, PERIOD) == 2.0
	assert m.per_customer(10, 4) == 2.5
	assert m.per_customer(3, 0) is None
	assert m.helpfulness(3, 1) == 75.0
	assert m.helpfulness(0, 0) is None
	assert m.deflection_rate(2, 1) == 66.7
	assert m.deflection_rate(0, 0) is None


def test_buckets():
	assert m.bucket_starts(m.Period.of_dates(date(2026, 3, 30), date(2026, 4, 2)), "Daily")[0] == datetime(
		2026, 3, 30
	)
	weeks = m.bucket_starts(PERIOD, "Weekly")
	assert weeks[0] == datetime(2026, 2, 23) and weeks[-1] == datetime(2026, 3, 30) and len(weeks) == 6
	months = m.bucket_starts(m.Period.of_dates(date(2025, 12, 15), date(2026, 2, 1)), "Monthly")
	assert months == [datetime(2025, 12, 1), datetime(2026, 1, 1), datetime(2026, 2, 1)]
	assert m.default_interval(PERIOD) == "Daily"
	assert m.default_interval(m.Period.of_dates(date(2026, 1, 1), date(2026, 12, 31))) == "Monthly"
	with pytest.raises(ValueError):
		m.bucket_starts(PERIOD, "Hourly")
