"""Tests for support_center.sla.calendar (pure Python, no Frappe site needed)."""

import dataclasses
import math
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from support_center.sla.calendar import (
	BusinessCalendar,
	add_business_time,
	business_time_between,
	next_business_moment,
	working_intervals,
)

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MOSCOW = ZoneInfo("Europe/Moscow")
TOKYO = ZoneInfo("Asia/Tokyo")

HOUR = 3600
WEEKDAYS = range(5)
ALL_DAYS = range(7)


def office(zone: str, *windows: tuple[time, time], holidays: set[date] | None = None) -> BusinessCalendar:
	"""Mon-Fri calendar with the given windows every weekday."""
	return BusinessCalendar(zone, {day: list(windows) for day in WEEKDAYS}, holidays or set())


def always(zone: str) -> BusinessCalendar:
	return BusinessCalendar(zone, {day: [(time(0), time(0))] for day in ALL_DAYS}, set())


def utc(value: datetime) -> datetime:
	"""Compare instants in UTC: PEP 495 makes == between zones False for ambiguous (fall-back) times."""
	return value.astimezone(UTC)


def later(instant: datetime, **delta: float) -> datetime:
	"""Real elapsed time after ``instant``: Python adds timedeltas to aware datetimes on the wall clock."""
	return instant.astimezone(UTC) + timedelta(**delta)


def assert_wall(value: datetime, zone: ZoneInfo, expected: datetime) -> None:
	"""Same instant AND expressed in the calendar's zone with the expected wall clock."""
	assert value.tzinfo == zone
	assert value.replace(tzinfo=None) == expected


# --- hand-worked cases -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("closing", "seconds", "expected"),
	[
		# Fri 16:30-18:00 uses 1 h 30, leaving 30 min; Sat/Sun have no windows; Mon 20 May is a holiday;
		# Tue 09:00 + 30 min = Tue 09:30. (The "Tuesday 10:30" of the brief needs one of the rows below.)
		(time(18), 2 * HOUR, datetime(2024, 5, 21, 9, 30)),
		# Same calendar, 3 h: 1 h 30 on Friday, 1 h 30 on Tuesday from 09:00 -> 10:30.
		(time(18), 3 * HOUR, datetime(2024, 5, 21, 10, 30)),
		# 09:00-17:00, 2 h: Fri 16:30-17:00 uses 30 min, Tue 09:00 + 1 h 30 = 10:30.
		(time(17), 2 * HOUR, datetime(2024, 5, 21, 10, 30)),
	],
)
def test_friday_afternoon_over_weekend_and_monday_holiday(closing, seconds, expected):
	calendar = office("Europe/Berlin", (time(9), closing), holidays={date(2024, 5, 20)})
	start = datetime(2024, 5, 17, 16, 30, tzinfo=BERLIN)  # a Friday
	deadline = add_business_time(start, seconds, calendar)
	assert_wall(deadline, BERLIN, expected)
	assert business_time_between(start, deadline, calendar) == seconds


def test_business_time_between_skips_weekend_and_holiday():
	calendar = office("Europe/Berlin", (time(9), time(18)), holidays={date(2024, 5, 20)})
	# Fri 16:30-18:00 = 1.5 h, Tue 09:00-10:30 = 1.5 h -> 3 h.
	start = datetime(2024, 5, 17, 16, 30, tzinfo=BERLIN)
	end = datetime(2024, 5, 21, 10, 30, tzinfo=BERLIN)
	assert business_time_between(start, end, calendar) == 3 * HOUR
	assert business_time_between(end, start, calendar) == 0.0


def test_deadline_may_be_the_closing_edge():
	calendar = office("UTC", (time(9), time(18)))
	# Mon 09:00 + 9 h uses the whole day and ends exactly at 18:00, not at Tue 09:00.
	deadline = add_business_time(datetime(2024, 6, 3, 9, tzinfo=UTC), 9 * HOUR, calendar)
	assert deadline == datetime(2024, 6, 3, 18, tzinfo=UTC)


@pytest.mark.parametrize(
	("holidays", "start", "seconds", "expected"),
	[
		# Counting starts at Fri 22:00; 22:00 + 3 h = Sat 01:00.
		(set(), datetime(2024, 5, 10, 21), 3 * HOUR, datetime(2024, 5, 11, 1)),
		# Fri 22:00-Sat 06:00 holds 8 h, 2 h left; next window Fri 17 22:00 + 2 h = Sat 18 00:00.
		(set(), datetime(2024, 5, 10, 21), 10 * HOUR, datetime(2024, 5, 18, 0)),
		# Start inside the spill-over: Sat 03:00-06:00 = 3 h, 1 h left -> Fri 17 23:00.
		(set(), datetime(2024, 5, 11, 3), 4 * HOUR, datetime(2024, 5, 17, 23)),
		# Saturday is a holiday: only Fri 22:00-24:00 (2 h) counts, 1 h left -> Fri 17 23:00.
		({date(2024, 5, 11)}, datetime(2024, 5, 10, 21), 3 * HOUR, datetime(2024, 5, 17, 23)),
		# Friday is a holiday: its 22:00-24:00 part is lost, Sat 00:00-06:00 still counts -> Sat 03:00.
		({date(2024, 5, 10)}, datetime(2024, 5, 10, 21), 3 * HOUR, datetime(2024, 5, 11, 3)),
	],
)
def test_window_across_midnight(holidays, start, seconds, expected):
	calendar = BusinessCalendar("Europe/Berlin", {4: [(time(22), time(6))]}, holidays)
	deadline = add_business_time(start.replace(tzinfo=BERLIN), seconds, calendar)
	assert_wall(deadline, BERLIN, expected)


def test_overnight_windows_all_week():
	calendar = office("UTC", (time(22), time(6)))
	# Mon..Fri nights, 8 h each, all inside [Mon 00:00, next Mon 00:00) (Fri night ends Sat 06:00) = 40 h.
	monday = datetime(2024, 6, 3, tzinfo=UTC)
	assert business_time_between(monday, monday + timedelta(days=7), calendar) == 40 * HOUR
	# Mon 05:00 is not working (no Sunday-night window); Tue 05:00 is (Monday night's spill-over).
	assert next_business_moment(monday.replace(hour=5), calendar) == monday.replace(hour=22)
	tuesday_5 = datetime(2024, 6, 4, 5, tzinfo=UTC)
	assert next_business_moment(tuesday_5, calendar) == tuesday_5


def test_dst_24_7_spring_forward_berlin():
	calendar = always("Europe/Berlin")
	# Sat 30 Mar 12:00 CET = 11:00 UTC; + 24 h real = Sun 31 Mar 11:00 UTC = 13:00 CEST (clocks jumped).
	start = datetime(2024, 3, 30, 12, tzinfo=BERLIN)
	deadline = add_business_time(start, 24 * HOUR, calendar)
	assert deadline == later(start, hours=24)
	assert_wall(deadline, BERLIN, datetime(2024, 3, 31, 13))
	# The whole of Sunday 31 March is 23 real hours.
	sunday = datetime(2024, 3, 31, tzinfo=BERLIN)
	assert business_time_between(sunday, datetime(2024, 4, 1, tzinfo=BERLIN), calendar) == 23 * HOUR


def test_dst_24_7_fall_back_berlin():
	calendar = always("Europe/Berlin")
	# Sat 26 Oct 12:00 CEST = 10:00 UTC; + 24 h real = Sun 27 Oct 10:00 UTC = 11:00 CET.
	start = datetime(2024, 10, 26, 12, tzinfo=BERLIN)
	deadline = add_business_time(start, 24 * HOUR, calendar)
	assert deadline == later(start, hours=24)
	assert_wall(deadline, BERLIN, datetime(2024, 10, 27, 11))
	# Sunday 27 October lasts 25 real hours.
	sunday = datetime(2024, 10, 27, tzinfo=BERLIN)
	assert business_time_between(sunday, datetime(2024, 10, 28, tzinfo=BERLIN), calendar) == 25 * HOUR


def test_dst_window_calendar_berlin():
	calendar = BusinessCalendar("Europe/Berlin", {6: [(time(1), time(4))]}, set())
	# 31 Mar: 01:00 CET (00:00 UTC) to 04:00 CEST (02:00 UTC) = 2 real hours.
	spring = datetime(2024, 3, 31, tzinfo=BERLIN)
	assert business_time_between(spring, spring + timedelta(days=1), calendar) == 2 * HOUR
	# 27 Oct: 01:00 CEST (23:00 UTC Sat) to 04:00 CET (03:00 UTC) = 4 real hours.
	autumn = datetime(2024, 10, 27, tzinfo=BERLIN)
	assert business_time_between(autumn, autumn + timedelta(days=1), calendar) == 4 * HOUR
	# 2 h 30 from Sat 30 Mar: 2 h on 31 Mar, 30 min left; Sun 7 Apr 01:00 CEST + 30 min = 01:30.
	deadline = add_business_time(datetime(2024, 3, 30, 12, tzinfo=BERLIN), 2.5 * HOUR, calendar)
	assert_wall(deadline, BERLIN, datetime(2024, 4, 7, 1, 30))
	# 3 h 30 from Sat 26 Oct: window opens 01:00 CEST = 23:00 UTC; + 3.5 h = 02:30 UTC = 03:30 CET.
	deadline = add_business_time(datetime(2024, 10, 26, 12, tzinfo=BERLIN), 3.5 * HOUR, calendar)
	assert deadline == datetime(2024, 10, 27, 2, 30, tzinfo=UTC)
	assert_wall(deadline, BERLIN, datetime(2024, 10, 27, 3, 30))


def test_dst_boundaries_inside_gap_and_repeat():
	calendar = BusinessCalendar("Europe/Berlin", {6: [(time(2, 30), time(3, 30))]}, set())
	# 31 Mar: 02:30 does not exist and resolves forward to the jump, 03:00 CEST (01:00 UTC); the window
	# closes at 03:30 CEST (01:30 UTC): 30 real minutes.
	saturday = datetime(2024, 3, 30, 12, tzinfo=BERLIN)
	opening = next_business_moment(saturday, calendar)
	assert opening == datetime(2024, 3, 31, 1, tzinfo=UTC)
	assert_wall(opening, BERLIN, datetime(2024, 3, 31, 3))
	assert business_time_between(saturday, saturday + timedelta(days=1), calendar) == 30 * 60
	# 27 Oct: 02:30 happens twice; the first (CEST, 00:30 UTC) opens the window, which closes at
	# 03:30 CET (02:30 UTC): 2 real hours.
	saturday = datetime(2024, 10, 26, 12, tzinfo=BERLIN)
	assert utc(next_business_moment(saturday, calendar)) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
	assert business_time_between(saturday, saturday + timedelta(days=1), calendar) == 2 * HOUR


def test_dst_office_hours_new_york():
	calendar = office("America/New_York", (time(9), time(17)))
	# Fri 8 Mar 16:00 EST: 1 h on Friday; clocks spring forward on Sunday; Mon 11 Mar 09:00 EDT + 1 h.
	start = datetime(2024, 3, 8, 16, tzinfo=NEW_YORK)
	deadline = add_business_time(start, 2 * HOUR, calendar)
	assert_wall(deadline, NEW_YORK, datetime(2024, 3, 11, 10))
	# Wall clock says 66 h passed, real time is 65 h; only 2 of them are business time.
	assert deadline.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=65)
	assert business_time_between(start, deadline, calendar) == 2 * HOUR


def test_ticket_created_on_holiday():
	calendar = office("Europe/Berlin", (time(9), time(17)), holidays={date(2024, 12, 25), date(2024, 12, 26)})
	created = datetime(2024, 12, 25, 10, tzinfo=BERLIN)  # Wednesday, a holiday; Thursday is one too
	# Nothing counts until Fri 27 Dec 09:00; + 4 h = 13:00.
	assert_wall(next_business_moment(created, calendar), BERLIN, datetime(2024, 12, 27, 9))
	assert_wall(add_business_time(created, 0, calendar), BERLIN, datetime(2024, 12, 27, 9))
	deadline = add_business_time(created, 4 * HOUR, calendar)
	assert_wall(deadline, BERLIN, datetime(2024, 12, 27, 13))
	assert business_time_between(created, deadline, calendar) == 4 * HOUR


@pytest.mark.parametrize(
	("zone", "start"),
	[
		# New York springs forward 10 Mar 2024 02:00 EST -> 03:00 EDT and falls back 3 Nov 02:00 EDT -> 01:00 EST.
		("America/New_York", datetime(2024, 3, 9, 20)),
		("America/New_York", datetime(2024, 11, 2, 20)),
		("Europe/Berlin", datetime(2024, 3, 30, 23, 30)),
		("Europe/Berlin", datetime(2024, 10, 27, 1, 59, 59)),
		("Australia/Lord_Howe", datetime(2024, 4, 6, 22)),  # 30-minute DST shift
		("Pacific/Apia", datetime(2011, 12, 29, 12)),  # skipped 30 Dec 2011 entirely
	],
)
@pytest.mark.parametrize("seconds", [1, 3 * HOUR, 12 * HOUR, 36 * HOUR, 10 * 24 * HOUR + 17])
def test_24_7_is_plain_elapsed_time(zone, start, seconds):
	calendar = always(zone)
	aware = start.replace(tzinfo=ZoneInfo(zone))
	deadline = add_business_time(aware, seconds, calendar)
	assert utc(deadline) == later(aware, seconds=seconds)
	assert deadline.tzinfo == ZoneInfo(zone)
	assert business_time_between(aware, deadline, calendar) == seconds


def test_24_7_new_york_wall_clock():
	calendar = always("America/New_York")
	# Sat 9 Mar 20:00 EST = 01:00 UTC Sun; + 12 h = 13:00 UTC = 09:00 EDT (wall clock moved 13 h).
	deadline = add_business_time(datetime(2024, 3, 9, 20, tzinfo=NEW_YORK), 12 * HOUR, calendar)
	assert_wall(deadline, NEW_YORK, datetime(2024, 3, 10, 9))


def test_skipped_day_apia():
	calendar = always("Pacific/Apia")
	apia = ZoneInfo("Pacific/Apia")
	# 29 Dec 2011 (UTC-10) lasted 24 h, 30 Dec never happened, 31 Dec (UTC+14) lasted 24 h.
	start, end = datetime(2011, 12, 29, tzinfo=apia), datetime(2012, 1, 1, tzinfo=apia)
	assert business_time_between(start, end, calendar) == 48 * HOUR


def test_start_in_utc_calendar_in_moscow():
	calendar = office("Europe/Moscow", (time(9), time(18)))
	# Fri 7 Jun 12:00 UTC = 15:00 MSK; Fri 15:00-18:00 = 3 h, 2 h left; Mon 10 Jun 09:00 + 2 h = 11:00 MSK.
	deadline = add_business_time(datetime(2024, 6, 7, 12, tzinfo=UTC), 5 * HOUR, calendar)
	assert_wall(deadline, MOSCOW, datetime(2024, 6, 10, 11))
	assert deadline == datetime(2024, 6, 10, 8, tzinfo=UTC)


def test_start_in_tokyo_calendar_in_new_york():
	calendar = office("America/New_York", (time(9), time(17)))
	# Tue 16 Jan 09:00 JST = 00:00 UTC = Mon 15 Jan 19:00 EST, after hours -> Tue 09:00 EST.
	start = datetime(2024, 1, 16, 9, tzinfo=TOKYO)
	assert_wall(next_business_moment(start, calendar), NEW_YORK, datetime(2024, 1, 16, 9))
	# + 3 h = Tue 12:00 EST = 17:00 UTC = Wed 02:00 JST.
	deadline = add_business_time(start, 3 * HOUR, calendar)
	assert_wall(deadline, NEW_YORK, datetime(2024, 1, 16, 12))
	assert deadline.astimezone(TOKYO).replace(tzinfo=None) == datetime(2024, 1, 17, 2)


def test_lunch_break_excluded():
	calendar = office("UTC", (time(14), time(18)), (time(9), time(13)))  # order does not matter
	monday = datetime(2024, 6, 3, tzinfo=UTC)
	# Mon 12:00-13:00 = 1 h, 2 h left; lunch skipped; 14:00 + 2 h = 16:00.
	assert add_business_time(monday.replace(hour=12), 3 * HOUR, calendar) == monday.replace(hour=16)
	# 08:00-20:00 holds 4 h + 4 h.
	assert business_time_between(monday.replace(hour=8), monday.replace(hour=20), calendar) == 8 * HOUR
	assert next_business_moment(monday.replace(hour=13, minute=30), calendar) == monday.replace(hour=14)
	# Exactly at 13:00 the morning window has closed.
	assert next_business_moment(monday.replace(hour=13), calendar) == monday.replace(hour=14)


def test_overlapping_and_touching_windows_merge():
	monday = datetime(2024, 6, 3, tzinfo=UTC)
	overlapping = office("UTC", (time(9), time(12)), (time(11), time(14)))
	# 09:00-12:00 and 11:00-14:00 are 09:00-14:00: 5 h, not 6.
	assert business_time_between(monday, monday + timedelta(days=1), overlapping) == 5 * HOUR
	touching = office("UTC", (time(9), time(12)), (time(12), time(15)))
	# 09:00-15:00 = 6 h, and 12:00 is working time.
	assert business_time_between(monday, monday + timedelta(days=1), touching) == 6 * HOUR
	assert next_business_moment(monday.replace(hour=12), touching) == monday.replace(hour=12)
	assert list(working_intervals(monday, monday + timedelta(days=1), touching)) == [
		(monday.replace(hour=9), monday.replace(hour=15))
	]


def test_24_hour_window_starting_mid_day():
	# Wednesday 12:00-12:00 = Wed 12:00 to Thu 12:00.
	calendar = BusinessCalendar("UTC", {2: [(time(12), time(12))]}, set())
	wednesday = datetime(2024, 6, 5, tzinfo=UTC)
	assert list(working_intervals(wednesday, wednesday + timedelta(days=7), calendar)) == [
		(wednesday.replace(hour=12), wednesday + timedelta(days=1)),
		(wednesday + timedelta(days=1), wednesday + timedelta(days=1, hours=12)),
	]


def test_zero_seconds():
	calendar = office("UTC", (time(9), time(18)))
	early = datetime(2024, 6, 3, 10, tzinfo=TOKYO)  # 01:00 UTC Monday: outside
	assert add_business_time(early, 0, calendar) == datetime(2024, 6, 3, 9, tzinfo=UTC)
	working = datetime(2024, 6, 3, 19, tzinfo=TOKYO)  # 10:00 UTC Monday: inside, returned unchanged
	assert add_business_time(working, 0, calendar) == working
	assert add_business_time(working, 0, calendar).tzinfo == ZoneInfo("UTC")
	# A closing edge is not working time: 0 s from 18:00 is the next morning.
	closing = datetime(2024, 6, 3, 18, tzinfo=UTC)
	assert add_business_time(closing, 0, calendar) == datetime(2024, 6, 4, 9, tzinfo=UTC)


def test_thirty_days_of_business_time():
	calendar = office("UTC", (time(9), time(17)))
	# 720 h at 8 h a day = 90 working days = 18 weeks starting Mon 1 Jan 2024, so the deadline is the
	# 18th Friday: 1 Jan + 17 weeks + 4 days = 3 May 2024, at 17:00.
	deadline = add_business_time(datetime(2024, 1, 1, 9, tzinfo=UTC), 720 * HOUR, calendar)
	assert deadline == datetime(2024, 5, 3, 17, tzinfo=UTC)


def test_fractional_seconds():
	calendar = office("UTC", (time(9), time(17)))
	start = datetime(2024, 6, 3, 9, tzinfo=UTC)
	deadline = add_business_time(start, 1.5, calendar)
	assert deadline == start + timedelta(seconds=1.5)
	assert business_time_between(start, deadline, calendar) == 1.5


# --- validation --------------------------------------------------------------------------------------------


def test_naive_datetimes_rejected():
	calendar = office("UTC", (time(9), time(17)))
	naive = datetime(2024, 6, 3, 10)
	aware = naive.replace(tzinfo=UTC)
	with pytest.raises(ValueError, match="start must be a timezone-aware datetime"):
		add_business_time(naive, 60, calendar)
	with pytest.raises(ValueError, match="end must be a timezone-aware datetime"):
		business_time_between(aware, naive, calendar)
	with pytest.raises(ValueError, match="instant must be a timezone-aware datetime"):
		next_business_moment(naive, calendar)
	with pytest.raises(ValueError, match="timezone-aware"):
		working_intervals(naive, None, calendar)
	with pytest.raises(ValueError, match="timezone-aware"):
		add_business_time(date(2024, 6, 3), 60, calendar)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "Europe", "../etc/passwd", None])
def test_unknown_timezone(zone):
	with pytest.raises(ValueError, match="timezone"):
		BusinessCalendar(zone, {0: [(time(9), time(17))]}, set())


@pytest.mark.parametrize(
	("windows", "message"),
	[
		({7: [(time(9), time(17))]}, "weekday must be an integer from 0"),
		({-1: [(time(9), time(17))]}, "weekday must be an integer from 0"),
		({"1": [(time(9), time(17))]}, "weekday must be an integer from 0"),
		({0: [("09:00", "17:00")]}, r"must be datetime\.time values"),
		({0: [(time(9), 17)]}, r"must be datetime\.time values"),
		({0: [(time(9),)]}, r"must be a \(start, end\) pair"),
		({0: [(time(9, tzinfo=UTC), time(17))]}, "must not carry a tzinfo"),
		({0: (time(9), time(17))}, r"must be a \(start, end\) pair"),
		([(time(9), time(17))], "windows must map a weekday"),
	],
)
def test_invalid_windows(windows, message):
	with pytest.raises(ValueError, match=message):
		BusinessCalendar("UTC", windows, set())


def test_invalid_holidays():
	with pytest.raises(ValueError, match=r"datetime\.date values"):
		BusinessCalendar("UTC", {0: [(time(9), time(17))]}, {datetime(2024, 1, 1)})
	with pytest.raises(ValueError, match="set of dates"):
		BusinessCalendar("UTC", {0: [(time(9), time(17))]}, "2024-01-01")


@pytest.mark.parametrize("seconds", [-1, -0.5, math.nan, math.inf, "60", True, 1e30])
def test_invalid_seconds(seconds):
	calendar = office("UTC", (time(9), time(17)))
	with pytest.raises(ValueError, match="seconds"):
		add_business_time(datetime(2024, 6, 3, tzinfo=UTC), seconds, calendar)


def test_no_working_time():
	calendar = BusinessCalendar("UTC", {}, set())
	start = datetime(2024, 6, 3, tzinfo=UTC)
	with pytest.raises(ValueError, match="calendar has no working time"):
		add_business_time(start, 60, calendar)
	with pytest.raises(ValueError, match="calendar has no working time"):
		add_business_time(start, 0, calendar)
	with pytest.raises(ValueError, match="calendar has no working time"):
		next_business_moment(start, calendar)
	with pytest.raises(ValueError, match="calendar has no working time"):
		working_intervals(start, None, calendar)
	# Measuring needs no working time: there simply is none.
	assert business_time_between(start, start + timedelta(days=30), calendar) == 0.0
	assert BusinessCalendar("UTC", {3: []}, set()).has_working_time is False


def test_holidays_eating_all_working_time_give_up():
	# Only Mondays work, and every Monday from 2024 to 2028 is a holiday.
	first = date(2024, 1, 1)
	mondays = {first + timedelta(weeks=week) for week in range(5 * 53)}
	calendar = BusinessCalendar("UTC", {0: [(time(9), time(17))]}, mondays)
	with pytest.raises(ValueError, match="no working time"):
		add_business_time(datetime(2024, 1, 1, tzinfo=UTC), HOUR, calendar)
	with pytest.raises(ValueError, match="no working time"):
		next_business_moment(datetime(2024, 1, 1, tzinfo=UTC), calendar)


def test_calendar_is_immutable_and_comparable():
	windows = {0: [(time(9), time(17))]}
	holidays = {date(2024, 1, 1)}
	calendar = BusinessCalendar("UTC", windows, holidays)
	windows[1] = [(time(9), time(17))]
	holidays.add(date(2024, 1, 8))
	assert dict(calendar.windows) == {0: ((time(9), time(17)),)}
	assert calendar.holidays == {date(2024, 1, 1)}
	with pytest.raises(dataclasses.FrozenInstanceError):
		calendar.timezone = "Europe/Berlin"  # type: ignore[misc]
	with pytest.raises(TypeError):
		calendar.windows[2] = []  # type: ignore[index]
	twin = BusinessCalendar("UTC", {0: [(time(9), time(17))], 4: []}, frozenset({date(2024, 1, 1)}))
	assert twin == calendar
	assert hash(twin) == hash(calendar)


# --- properties --------------------------------------------------------------------------------------------

ZONES = [
	"UTC",
	"Europe/Berlin",
	"Europe/Moscow",
	"America/New_York",
	"America/Santiago",  # transitions at midnight
	"America/Havana",  # transitions at midnight
	"America/Sao_Paulo",  # historical transitions at midnight
	"Asia/Tokyo",
	"Asia/Kolkata",
	"Australia/Lord_Howe",  # 30-minute shifts
	"Pacific/Apia",  # skipped a whole day in 2011
	"Africa/Casablanca",  # several changes a year
]
# Zones with a constant UTC offset from 2015 on: there wall-clock membership is unambiguous.
FIXED_ZONES = ["UTC", "Asia/Tokyo", "Asia/Kolkata", "Europe/Moscow"]

PROPERTY_SETTINGS = settings(
	max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)

clock_times = st.one_of(
	st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
	st.builds(time, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)),
)
windows_strategy = st.one_of(
	st.tuples(clock_times, clock_times),  # includes overnight (end < start)
	clock_times.map(lambda moment: (moment, moment)),  # 24 hours
)
week_strategy = st.dictionaries(
	st.integers(0, 6), st.lists(windows_strategy, min_size=1, max_size=3), min_size=1, max_size=7
)


@st.composite
def local_datetimes(draw, min_year: int = 2010, max_year: int = 2030) -> datetime:
	year = draw(st.integers(min_year, max_year))
	# Half the time pick a month in which many zones change their clocks.
	if draw(st.booleans()):
		month = draw(st.sampled_from([3, 4, 9, 10, 11, 12]))
	else:
		month = draw(st.integers(1, 12))
	day = draw(st.integers(1, 28)) if draw(st.booleans()) else draw(st.integers(20, 28))
	moment = draw(clock_times)
	micro = draw(st.sampled_from([0, 0, 0, 1, 500_000, 999_999]))
	return datetime(year, month, day, moment.hour, moment.minute, moment.second, micro)


@st.composite
def calendars(draw, zones: list[str] = ZONES, near: date | None = None) -> BusinessCalendar:
	zone = draw(st.sampled_from(zones))
	week = draw(week_strategy)
	holidays: set[date] = set()
	if near is not None:
		holidays = {
			near + timedelta(days=offset) for offset in draw(st.lists(st.integers(-2, 40), max_size=12))
		}
	return BusinessCalendar(zone, week, holidays)


@st.composite
def scenarios(draw, zones: list[str] = ZONES, min_year: int = 2010) -> tuple[BusinessCalendar, datetime]:
	"""A calendar and an aware start, with holidays clustered around the start so they matter."""
	naive = draw(local_datetimes(min_year=min_year))
	start_zone = ZoneInfo(draw(st.sampled_from(zones)))
	start = naive.replace(tzinfo=start_zone, fold=draw(st.integers(0, 1)))
	calendar = draw(calendars(zones=zones, near=naive.date()))
	return calendar, start


amounts = st.integers(0, 3 * 24 * HOUR)
positive_amounts = st.integers(1, 3 * 24 * HOUR)
spans = st.integers(0, 10 * 24 * HOUR).map(lambda seconds: timedelta(seconds=seconds))


@PROPERTY_SETTINGS
@given(scenarios(), amounts)
def test_property_round_trip(scenario, seconds):
	calendar, start = scenario
	deadline = add_business_time(start, seconds, calendar)
	assert deadline.tzinfo == calendar.zone
	assert utc(deadline) >= utc(start)
	assert abs(business_time_between(start, deadline, calendar) - seconds) <= 1e-6


@PROPERTY_SETTINGS
@given(scenarios(), positive_amounts)
def test_property_deadline_is_working_time(scenario, seconds):
	calendar, start = scenario
	deadline = add_business_time(start, seconds, calendar)
	# Inside a working interval or at its closing edge: the microsecond just before is working time.
	just_before = later(deadline, microseconds=-1)
	assert abs(business_time_between(just_before, deadline, calendar) - 1e-6) <= 1e-9
	assert utc(next_business_moment(just_before, calendar)) == just_before


@PROPERTY_SETTINGS
@given(scenarios(), amounts, positive_amounts)
def test_property_additive(scenario, first, second):
	calendar, start = scenario
	step = add_business_time(start, first, calendar)
	assert utc(add_business_time(step, second, calendar)) == utc(
		add_business_time(start, first + second, calendar)
	)


@PROPERTY_SETTINGS
@given(scenarios(), spans, spans, spans)
def test_property_pausing_splits_time(scenario, before_pause, pause, after_pause):
	calendar, start = scenario
	pause_start = start.astimezone(UTC) + before_pause
	pause_end = pause_start + pause
	end = pause_end + after_pause
	whole = business_time_between(start, end, calendar)
	parts = (
		business_time_between(start, pause_start, calendar)
		+ business_time_between(pause_start, pause_end, calendar)
		+ business_time_between(pause_end, end, calendar)
	)
	assert abs(whole - parts) <= 1e-6
	assert 0 <= whole <= (end - start).total_seconds()


@PROPERTY_SETTINGS
@given(scenarios())
def test_property_next_business_moment(scenario):
	calendar, instant = scenario
	moment = next_business_moment(instant, calendar)
	assert utc(moment) >= utc(instant)
	assert moment.tzinfo == calendar.zone
	assert utc(next_business_moment(moment, calendar)) == utc(moment)
	assert business_time_between(instant, moment, calendar) == 0.0


@PROPERTY_SETTINGS
@given(scenarios(), amounts)
def test_property_24_7_is_elapsed_time(scenario, seconds):
	base, start = scenario
	calendar = always(base.timezone)
	assert utc(add_business_time(start, seconds, calendar)) == later(start, seconds=seconds)


@PROPERTY_SETTINGS
@given(scenarios(), spans)
def test_property_intervals_are_ordered_and_disjoint(scenario, span):
	calendar, start = scenario
	end = later(start, seconds=span.total_seconds())
	previous_end = None
	for begin, finish in working_intervals(start, end, calendar):
		assert start <= begin < finish <= end
		assert previous_end is None or previous_end <= begin
		previous_end = finish


def wall_clock_is_working(instant: datetime, calendar: BusinessCalendar) -> bool:
	"""Independent oracle, valid where the UTC offset never changes."""
	local = instant.astimezone(calendar.zone)
	if local.date() in calendar.holidays:
		return False
	clock = local.time().replace(tzinfo=None)
	weekday = local.weekday()
	for start, end in calendar.windows.get(weekday, ()):
		if (start < end and start <= clock < end) or (end <= start <= clock):
			return True
	return any(end <= start and clock < end for start, end in calendar.windows.get((weekday - 1) % 7, ()))


@PROPERTY_SETTINGS
@given(scenarios(zones=FIXED_ZONES, min_year=2015), st.integers(-3 * 24 * HOUR, 3 * 24 * HOUR))
def test_property_membership_matches_wall_clock_oracle(scenario, shift):
	calendar, start = scenario
	instant = later(start, seconds=shift)
	assume(instant.year >= 2015)
	inside = utc(next_business_moment(instant, calendar)) == instant
	assert inside == wall_clock_is_working(instant, calendar)
