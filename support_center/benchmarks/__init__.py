"""Figures behind `bench --site SITE support-center benchmark`.

Each area of the app (SLA monitor, intake, portal, knowledge base, KPIs, import) has a module here with one
function registered under its area's name. It builds the data it needs at the chosen scale, measures, removes
what it made and returns Figures: `name  value  reference  ratio  goal`, the reference measured in the same
run. The command exits non-zero when a figure misses its goal, so a regression shows as a failure.
"""

import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import frappe

# Benchmark records get names far above any real ticket number and are deleted afterwards.
NAME_BASE = 9_000_000_000_000

# The modules that register areas; each area module calls `register` at import.
AREA_MODULES = (
	"support_center.benchmarks.sla",
	"support_center.benchmarks.intake",
	"support_center.benchmarks.import_issues",
	"support_center.benchmarks.kpi",
	"support_center.benchmarks.kb",
	"support_center.benchmarks.channels",
	"support_center.benchmarks.portal",
)


@dataclass(frozen=True)
class Scale:
	tickets: int = 100_000
	customers: int = 2_000
	articles: int = 10_000
	repeats: int = 5


@dataclass(frozen=True)
class Figure:
	name: str
	value: float
	reference: float | None = None
	goal: str = ""
	# The figure misses its goal when value / reference exceeds this.
	max_ratio: float | None = None

	@property
	def ratio(self) -> float | None:
		return self.value / self.reference if self.reference else None

	@property
	def missed(self) -> bool:
		return self.max_ratio is not None and self.ratio is not None and self.ratio > self.max_ratio

	def line(self) -> str:
		reference = "-" if self.reference is None else f"{self.reference:.4f}"
		ratio = "-" if self.ratio is None else f"{self.ratio:.2f}"
		goal = self.goal or (f"ratio <= {self.max_ratio:g}" if self.max_ratio is not None else "-")
		if self.missed:
			goal += "  MISSED"
		return f"{self.name:<40} {self.value:>12.4f} {reference:>12} {ratio:>8}  {goal}"


HEADER = f"{'name':<40} {'value':>12} {'reference':>12} {'ratio':>8}  goal"

AreaFunction = Callable[[Scale], list[Figure]]
_areas: dict[str, AreaFunction] = {}


def register(area: str) -> Callable[[AreaFunction], AreaFunction]:
	def decorate(function: AreaFunction) -> AreaFunction:
		_areas[area] = function
		return function

	return decorate


def areas() -> dict[str, AreaFunction]:
	for module in AREA_MODULES:
		importlib.import_module(module)
	return dict(_areas)


def run(scale: Scale, only: list[str] | None = None, echo: Callable[[str], None] = print) -> list[Figure]:
	"""Every area's figures (or only the named areas'), printed as they come."""
	known = areas()
	unknown = sorted(set(only or []) - set(known))
	if unknown:
		raise ValueError(f"unknown benchmark areas {unknown}; known: {sorted(known)}")
	figures: list[Figure] = []
	echo(HEADER)
	for name, function in known.items():
		if only and name not in only:
			continue
		settle()
		for figure in function(scale):
			echo(figure.line())
			figures.append(figure)
	return figures


def settle(max_seconds: float = 60, idle_share: float = 0.8) -> float:
	"""Wait (at most `max_seconds`) until the machine's CPUs are idle for two seconds running: each area is
	measured on a settled site, not beside the previous one's clean-up (MariaDB purges 100,000 deleted
	tickets in the background for tens of seconds, which made the next area's figures depend on the order
	of the areas). Returns the seconds waited."""
	started = time.monotonic()
	calm = 0
	previous = _cpu_times()
	if previous is None:
		return 0.0
	while time.monotonic() - started < max_seconds and calm < 2:
		time.sleep(1)
		current = _cpu_times()
		busy_share = _busy_share(previous, current)
		previous = current
		calm = calm + 1 if busy_share is not None and busy_share <= 1 - idle_share else 0
	return time.monotonic() - started


def _cpu_times() -> tuple[int, int] | None:
	"""(busy, total) jiffies of all CPUs from /proc/stat, or None where there is none."""
	try:
		with open("/proc/stat") as stat:
			fields = [int(value) for value in stat.readline().split()[1:]]
	except (OSError, ValueError):
		return None
	idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
	return sum(fields) - idle, sum(fields)


def _busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
	if not before or not after or after[1] == before[1]:
		return None
	return (after[0] - before[0]) / (after[1] - before[1])


def measure(step: Callable[[], None], repeats: int) -> tuple[float, int]:
	"""Median wall time of the step and the queries it sent, each time on the same rows (rolled back)."""
	timings = []
	queries = 0
	original_sql = frappe.db.sql
	for _ in range(repeats):
		frappe.db.rollback()
		count = [0]

		def counting_sql(*args, **kwargs):
			count[0] += 1
			return original_sql(*args, **kwargs)

		frappe.db.sql = counting_sql
		try:
			started = time.perf_counter()
			step()
			timings.append(time.perf_counter() - started)
		finally:
			frappe.db.sql = original_sql
			frappe.db.rollback()
		queries = count[0]
	return statistics.median(timings), queries


def percentile(values: list[float], share: float) -> float:
	"""The value below which `share` (0..1) of the values fall (nearest rank)."""
	ordered = sorted(values)
	rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
	return ordered[rank]
