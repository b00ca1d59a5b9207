"""Business-hours arithmetic for SLA deadlines.

Standard library only, so it imports (and is tested) without a Frappe site.

Semantics
---------
* Business time is real elapsed time (UTC seconds) spent inside working windows. Windows are wall-clock
  times in the calendar's zone, so a window containing a spring-forward change holds less real time and
  one containing a fall-back change holds more. A 24/7 calendar therefore adds exactly ``timedelta``.
* Windows: ``(start, end)`` per weekday (0 = Monday). Several windows a day may overlap or touch; they
  are merged. ``end < start`` runs past midnight into the next day (Fri 22:00-06:00 covers Fri 22:00 to
  Sat 06:00). ``end == start`` means 24 hours starting at ``start`` (00:00-00:00 is the whole day).
* Holidays: a moment is non-working when its LOCAL DATE in the calendar's zone is a holiday. An overnight
  window from the day before a holiday stops at the holiday's midnight; the part of a holiday's own
  overnight window that spills into the next (non-holiday) date still counts.
* Local times that do not exist (inside a spring-forward gap) resolve forward to the instant the clocks
  jump, i.e. the first existing moment after them: a window starting at 02:30 on a day when 02:00 jumps
  to 03:00 starts at 03:00. Ambiguous local times (a fall-back repeat) resolve to their first occurrence
  (``fold=0``). Both rules keep the wall-clock to real-time mapping monotonic, so window boundaries never
  cross each other.
* Working intervals are half-open ``[start, end)``: the opening edge is working time, the closing edge is
  not (unless another interval starts there, e.g. at midnight in a 24/7 calendar).
* ``add_business_time(start, 0)`` returns ``start`` itself when it is inside working time and the next
  business moment otherwise, which is exactly ``next_business_moment(start)``. For a positive amount the
  deadline is the instant the budget runs out, which may be the closing edge of a window (18:00 rather
  than 09:00 the next working morning). Consequently ``add(add(t, a), b) == add(t, a + b)`` holds for
  ``b > 0``; with ``b == 0`` a deadline on a closing edge moves to the next opening edge.
* Results are aware datetimes in the calendar's zone; inputs may be in any zone but must be aware.
  Caveat (PEP 495): ``==`` between datetimes of DIFFERENT zones is always False when one of them falls in
  a fall-back repeat, even for the same instant; compare ``x.astimezone(timezone.utc)`` values instead.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
	"BusinessCalendar",
	"add_business_time",
	"business_time_between",
	"next_business_moment",
	"working_intervals",
]

Window = tuple[time, time]
# A working stretch of one local date as offsets from its midnight: [start, end) with 0 <= start < end <= 24h.
_Segment = tuple[timedelta, timedelta]

_UTC = timezone.utc
_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
# Internally instants are NAIVE datetimes holding UTC time: arithmetic and comparisons on them are plain
# real-time arithmetic, and they avoid datetime.replace(tzinfo=...), which used to dominate the run time.
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=_UTC)
# Holidays can only hide working time on finitely many dates; a longer drought means the configuration
# cannot produce a deadline, and we must fail instead of scanning towards year 9999.
_MAX_IDLE_DAYS = 3 * 366
_NO_WORKING_TIME = "calendar has no working time"


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
	"""Weekly working windows in one timezone, minus holiday dates. Immutable and validated on creation."""

	timezone: str
	windows: Mapping[int, Sequence[Window]] = field(hash=False)
	holidays: AbstractSet[date] = frozenset()
	_zone: ZoneInfo = field(init=False, repr=False, compare=False)
	_segments: tuple[tuple[_Segment, ...], ...] = field(init=False, repr=False, compare=False)

	def __post_init__(self) -> None:
		zone = _load_zone(self.timezone)
		windows = _normalise_windows(self.windows)
		holidays = _normalise_holidays(self.holidays)
		# Frozen dataclass: store read-only copies so a caller mutating its dict/set cannot change us.
		object.__setattr__(self, "windows", MappingProxyType(windows))
		object.__setattr__(self, "holidays", holidays)
		object.__setattr__(self, "_zone", zone)
		object.__setattr__(self, "_segments", _segments_by_weekday(windows))

	@property
	def zone(self) -> ZoneInfo:
		return self._zone

	@property
	def has_working_time(self) -> bool:
		"""True if at least one weekday has a window (holidays are not considered)."""
		return any(self._segments)


def working_intervals(
	start: datetime, end: datetime | None, calendar: BusinessCalendar
) -> Iterator[tuple[datetime, datetime]]:
	"""Working intervals overlapping ``[start, end)`` (``end=None``: unbounded), clipped to that range.

	Yields ``(interval_start, interval_end)`` as aware UTC datetimes in chronological order, at most one
	per merged window per local date, so intervals may touch at midnight. Raises ValueError for naive
	datetimes, and for an unbounded range on a calendar without working time (immediately) or whose
	holidays leave no working time for about three years (when the scan gets there).
	"""
	start_utc = _as_utc(start, "start")
	end_utc = None if end is None else _as_utc(end, "end")
	if end_utc is None and not calendar.has_working_time:
		raise ValueError(_NO_WORKING_TIME)
	if end_utc is not None and end_utc <= start_utc:
		return iter(())
	return (
		(_to_aware(begin), _to_aware(finish)) for begin, finish in _intervals(start_utc, end_utc, calendar)
	)


def add_business_time(start: datetime, seconds: float | int, calendar: BusinessCalendar) -> datetime:
	"""The instant at which ``seconds`` of business time have elapsed, counting from ``start``.

	Counting begins at the next working moment if ``start`` is outside working time. ``seconds == 0``
	returns ``next_business_moment(start)``. Float amounts are rounded to whole microseconds.
	"""
	start_utc = _as_utc(start, "start")
	budget = _as_budget(seconds)
	if not calendar.has_working_time:
		raise ValueError(_NO_WORKING_TIME)
	if not budget:
		return next_business_moment(start, calendar)
	for begin, finish in _intervals(start_utc, None, calendar):
		span = finish - begin
		if budget <= span:
			return _to_aware(begin + budget).astimezone(calendar.zone)
		budget -= span
	# _intervals is unbounded: it only ends by raising, so this is never reached.
	raise AssertionError("unbounded interval scan ended")


def business_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> float:
	"""Seconds of business time in ``[start, end)``; 0.0 if ``end <= start`` or the calendar has no windows."""
	start_utc = _as_utc(start, "start")
	end_utc = _as_utc(end, "end")
	if end_utc <= start_utc:
		return 0.0
	total = _ZERO
	# Sum timedeltas (exact microseconds) and convert once, so splitting a range never drifts.
	for begin, finish in _intervals(start_utc, end_utc, calendar):
		total += finish - begin
	return total.total_seconds()


def next_business_moment(instant: datetime, calendar: BusinessCalendar) -> datetime:
	"""``instant`` itself if it is inside working time, else the start of the next working interval.

	The result is the same instant or later, expressed in the calendar's zone.
	"""
	instant_utc = _as_utc(instant, "instant")
	if not calendar.has_working_time:
		raise ValueError(_NO_WORKING_TIME)
	for begin, _finish in _intervals(instant_utc, None, calendar):
		return _to_aware(begin).astimezone(calendar.zone)
	raise AssertionError("unbounded interval scan ended")


def _intervals(
	start_utc: datetime, end_utc: datetime | None, calendar: BusinessCalendar
) -> Iterator[tuple[datetime, datetime]]:
	"""Working intervals as naive-UTC pairs clipped to ``[start_utc, end_utc)``; ``end_utc=None``: unbounded."""
	zone = calendar.zone
	segments_by_weekday = calendar._segments
	holidays = calendar.holidays
	# Moments before local midnight of start's local date belong to earlier dates, whose segments (with
	# overnight spill-over stored on the date it falls on) all end before start, so begin at that date.
	day = _to_aware(start_utc).astimezone(zone).date()
	last_day = None if end_utc is None else _to_aware(end_utc).astimezone(zone).date()
	weekday = day.weekday()
	midnight = datetime(day.year, day.month, day.day)
	# ZoneInfo.utcoffset reads only the wall-clock fields (and fold) of the datetime it is given.
	offset = zone.utcoffset(midnight)
	idle_days = 0
	while last_day is None or day <= last_day:
		next_midnight = midnight + _DAY
		next_offset = zone.utcoffset(next_midnight)
		if day not in holidays:
			# Equal offsets at both midnights mean the clocks did not change during this date (the tz
			# database never has two changes within 48 hours), so wall - offset is exact; otherwise
			# resolve each boundary on its own.
			steady = offset == next_offset
			for offset_start, offset_end in segments_by_weekday[weekday]:
				if steady:
					begin = midnight + offset_start - offset
					finish = midnight + offset_end - offset
				else:
					begin = _wall_to_utc(midnight + offset_start, zone)
					finish = _wall_to_utc(midnight + offset_end, zone)
				if end_utc is not None and begin >= end_utc:
					return
				# finish == begin happens for a window lying wholly inside a spring-forward gap.
				if finish <= start_utc or finish <= begin:
					continue
				idle_days = 0
				yield max(begin, start_utc), finish if end_utc is None else min(finish, end_utc)
		if end_utc is None:
			idle_days += 1
			if idle_days > _MAX_IDLE_DAYS:
				raise ValueError(
					f"{_NO_WORKING_TIME} in the {_MAX_IDLE_DAYS} days up to {day.isoformat()}: "
					"holidays cover every working window"
				)
		day += _DAY
		weekday = (weekday + 1) % 7
		midnight, offset = next_midnight, next_offset


def _wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
	"""The real instant (naive UTC) at which clocks in ``zone`` show the naive ``wall`` time."""
	before = zone.utcoffset(wall)
	after = zone.utcoffset(wall.replace(fold=1))
	# PEP 495: inside a gap fold=0 gives the offset before the jump and fold=1 the one after, and the
	# clocks jumped forward, so after > before. In a fall-back repeat the order is reversed and fold=0
	# (first occurrence) is what we want.
	if after > before:
		return _gap_end(wall, before, after, zone)
	return wall - before


def _gap_end(wall: datetime, before: timedelta, after: timedelta, zone: ZoneInfo) -> datetime:
	"""The instant (naive UTC) the clocks jump over the non-existent ``wall`` time, resolving it forward."""
	# wall lies in [jump + before, jump + after), hence jump lies in (wall - after, wall - before].
	low = wall - after
	high = wall - before
	# zoneinfo exposes no transition list; bisecting is cheap and only runs for boundaries inside a gap.
	while high - low > _MICROSECOND:
		middle = low + (high - low) / 2
		if _to_aware(middle).astimezone(zone).utcoffset() == before:
			low = middle
		else:
			high = middle
	return high


def _to_aware(naive_utc: datetime) -> datetime:
	return _EPOCH_UTC + (naive_utc - _EPOCH)


def _as_utc(value: datetime, name: str) -> datetime:
	"""Validate an aware datetime and return it as naive UTC (see _intervals)."""
	if not isinstance(value, datetime):
		raise ValueError(f"{name} must be a timezone-aware datetime, got {type(value).__name__}")
	if value.tzinfo is None or value.utcoffset() is None:
		raise ValueError(
			f"{name} must be a timezone-aware datetime, got naive {value.isoformat()} "
			"(its zone would be a guess)"
		)
	# Aware subtraction honours each operand's offset (and fold), so this is exact for any zone.
	return _EPOCH + (value - _EPOCH_UTC)


def _as_budget(seconds: float | int) -> timedelta:
	if isinstance(seconds, bool) or not isinstance(seconds, int | float):
		raise ValueError(f"seconds must be a number, got {type(seconds).__name__}")
	if not math.isfinite(seconds):
		raise ValueError(f"seconds must be a finite number, got {seconds}")
	if seconds < 0:
		raise ValueError(f"seconds must not be negative, got {seconds}")
	try:
		return timedelta(seconds=seconds)
	except OverflowError:
		raise ValueError(f"seconds is too large, got {seconds}") from None


def _load_zone(key: str) -> ZoneInfo:
	if not isinstance(key, str) or not key:
		raise ValueError(f"timezone must be an IANA zone name such as 'Europe/Berlin', got {key!r}")
	try:
		return ZoneInfo(key)
	except (ZoneInfoNotFoundError, ValueError, OSError):
		raise ValueError(
			f"unknown timezone {key!r}; expected an IANA zone name such as 'Europe/Berlin'"
		) from None


def _normalise_windows(windows: Mapping[int, Sequence[Window]]) -> dict[int, tuple[Window, ...]]:
	if not isinstance(windows, Mapping):
		raise ValueError(
			"windows must map a weekday (0 = Monday ... 6 = Sunday) to a list of (start, end) times, "
			f"got {type(windows).__name__}"
		)
	normalised: dict[int, tuple[Window, ...]] = {}
	for weekday, day_windows in windows.items():
		if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
			raise ValueError(f"weekday must be an integer from 0 (Monday) to 6 (Sunday), got {weekday!r}")
		if isinstance(day_windows, str | bytes) or not isinstance(day_windows, Sequence | AbstractSet):
			raise ValueError(
				f"windows for weekday {weekday} must be a list of (start, end) times, got {day_windows!r}"
			)
		pairs: list[Window] = []
		for window in day_windows:
			if isinstance(window, str | bytes) or not isinstance(window, Sequence) or len(window) != 2:
				raise ValueError(
					f"a window must be a (start, end) pair of times, got {window!r} for weekday {weekday}"
				)
			for value in window:
				if not isinstance(value, time):
					raise ValueError(
						f"window times must be datetime.time values, got {value!r} for weekday {weekday}"
					)
				if value.tzinfo is not None:
					raise ValueError(
						f"window times are wall-clock times in the calendar's timezone and must not carry "
						f"a tzinfo, got {value.isoformat()} for weekday {weekday}"
					)
			pairs.append((window[0], window[1]))
		if pairs:
			normalised[weekday] = tuple(sorted(pairs))
	return dict(sorted(normalised.items()))


def _normalise_holidays(holidays: AbstractSet[date]) -> frozenset[date]:
	if isinstance(holidays, str | bytes | Mapping) or not isinstance(holidays, AbstractSet | Sequence):
		raise ValueError(f"holidays must be a set of dates, got {type(holidays).__name__}")
	for value in holidays:
		# datetime is a date subclass; a datetime holiday would silently never match a date lookup.
		if not isinstance(value, date) or isinstance(value, datetime):
			raise ValueError(f"holidays must be datetime.date values, got {value!r}")
	return frozenset(holidays)


def _segments_by_weekday(windows: Mapping[int, Sequence[Window]]) -> tuple[tuple[_Segment, ...], ...]:
	"""Per weekday, the merged stretches of that local date, including spill-over from the day before."""
	pieces: list[list[_Segment]] = [[] for _ in range(7)]
	for weekday, day_windows in windows.items():
		for start, end in day_windows:
			start_offset, end_offset = _offset(start), _offset(end)
			if end_offset > start_offset:
				pieces[weekday].append((start_offset, end_offset))
				continue
			# Overnight (end < start) or 24 hours (end == start): split at midnight so each part is owned
			# by the local date it falls on, which is what the holiday rule needs.
			pieces[weekday].append((start_offset, _DAY))
			if end_offset > _ZERO:
				pieces[(weekday + 1) % 7].append((_ZERO, end_offset))
	return tuple(_merge(day_pieces) for day_pieces in pieces)


def _merge(pieces: list[_Segment]) -> tuple[_Segment, ...]:
	merged: list[_Segment] = []
	for start, end in sorted(pieces):
		if merged and start <= merged[-1][1]:
			if end > merged[-1][1]:
				merged[-1] = (merged[-1][0], end)
		else:
			merged.append((start, end))
	return tuple(merged)


def _offset(value: time) -> timedelta:
	return timedelta(
		hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
	)
