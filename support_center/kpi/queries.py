"""Set-based SQL that feeds the KPI definitions in ``measures``: counts and value lists per group.

Every query reads the Ticket table once (plus the indexed look-ups it needs) and returns one row per group,
never one per ticket, except where a measure needs the values themselves. What each number means is
decided in ``measures`` (the README's "KPIs" section); the conditions here are that definition in SQL and
``support_center/tests/test_kpi.py`` checks them against the pure functions on the same tickets.

The SQL text is assembled only from the constant fragments below (the grouping column comes from a fixed
table, never from the request); every value is a query parameter. The viewer's permissions join in as the
condition Frappe builds for ``frappe.get_list`` (role, user permissions, the app's ticket scope).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import frappe
from frappe import _
from frappe.model.db_query import DatabaseQuery
from frappe.utils import add_days, getdate, now_datetime, today

from support_center.kpi import indexes, measures
from support_center.kpi.measures import DONE_STATUSES, NO_ANSWER_AFTER, REPEAT_WINDOW, Period

# The grouping a report offers, as the SQL expression of the group's key. "Agent" reads the assignment.
GROUPS = {
	"Category": "`tabTicket`.category",
	"Channel": "`tabTicket`.channel",
	"Team": "`tabTicket`.team",
	"Customer": "`tabTicket`.customer",
	"Priority": "`tabTicket`.priority",
	"Agent": "todo.allocated_to",
}
AGENT_JOIN = (
	" join `tabToDo` todo on todo.reference_type = 'Ticket'"
	" and todo.reference_name = cast(`tabTicket`.name as char) and todo.status != 'Cancelled'"
)
DONE = "`tabTicket`.status in ('Resolved', 'Closed')"
COUNTED = "`tabTicket`.merged_into is null"
NEW = "`tabTicket`.creation >= %(start)s and `tabTicket`.creation < %(end)s"
RESOLVED = f"{DONE} and `tabTicket`.resolved_on >= %(start)s and `tabTicket`.resolved_on < %(end)s"
# A public agent reply: a message the desk sent on the ticket that is not internal (conversation/visibility),
# counted on the ticket when it is sent (kpi/replies.py) and read from the resolution index.
PUBLIC_REPLIES = "`tabTicket`.public_reply_count"
# The first-response and resolution targets of the ticket's policy: its priority's row, else the catch-all.
TARGET_JOIN = (
	" left join `tabSLA Target` tp on tp.parent = `tabTicket`.sla_policy and tp.parenttype = 'SLA Policy'"
	" and tp.priority = `tabTicket`.priority"
	" left join `tabSLA Target` td on td.parent = `tabTicket`.sla_policy and td.parenttype = 'SLA Policy'"
	" and ifnull(td.priority, '') = ''"
)
FIRST_RESPONSE_TARGET = "nullif(coalesce(tp.first_response_time, td.first_response_time), 0)"
RESOLUTION_TARGET = "nullif(coalesce(tp.resolution_time, td.resolution_time), 0)"

# Open tickets have no resolution stamp (reopening clears it): the index on resolved_on finds them.
OPEN = "`tabTicket`.resolved_on is null and `tabTicket`.status not in ('Resolved', 'Closed')"


@dataclass(frozen=True)
class KpiFilters:
	period: Period
	category: str | None = None
	team: str | None = None
	agent: str | None = None
	customer: str | None = None
	channel: str | None = None
	group_by: str = "Category"
	interval: str = "Weekly"
	now: datetime = field(default_factory=now_datetime)

	@classmethod
	def from_report(
		cls, filters: dict | None, default_days: int = 30, group_by: str = "Category"
	) -> KpiFilters:
		"""A report's filters; missing dates mean the last ``default_days`` days up to today."""
		filters = frappe._dict(filters or {})
		to_date = getdate(filters.to_date) if filters.to_date else getdate(today())
		from_date = (
			getdate(filters.from_date) if filters.from_date else getdate(add_days(to_date, 1 - default_days))
		)
		if to_date < from_date:
			frappe.throw(_("From Date must be before To Date"), title=_("Invalid period"))
		period = Period.of_dates(from_date, to_date)
		chosen = filters.group_by or group_by
		if chosen not in GROUPS:
			frappe.throw(_("Group By must be one of {0}").format(", ".join(GROUPS)))
		interval = filters.interval or measures.default_interval(period)
		if interval not in ("Daily", "Weekly", "Monthly"):
			frappe.throw(_("Interval must be Daily, Weekly or Monthly"))
		return cls(
			period=period,
			category=filters.category or None,
			team=filters.team or None,
			agent=filters.agent or None,
			customer=filters.customer or None,
			channel=filters.channel or None,
			group_by=chosen,
			interval=interval,
		)

	def params(self) -> dict:
		return {
			"start": self.period.start,
			"end": self.period.end,
			"now": self.now,
			"category": self.category,
			"team": self.team,
			"agent": self.agent,
			"customer": self.customer,
			"channel": self.channel,
		}


def require_access(user: str | None = None) -> None:
	"""KPIs are for the desk: the Ticket doctype's report permission (customers have none)."""
	if not frappe.has_permission("Ticket", "report", user=user):
		raise frappe.PermissionError(_("Not permitted to see support KPIs"))


def permission_condition() -> str:
	"""The condition ``frappe.get_list`` adds for this user (user permissions and the app's ticket scope);
	inside ``one_permission_condition`` the one built when the report started."""
	fixed = getattr(frappe.local, "kpi_permission_condition", None)
	if fixed is not None and fixed[0] == frappe.session.user:
		return fixed[1]
	condition = DatabaseQuery("Ticket").build_match_conditions()
	# Frappe escapes the values it puts in; the statement runs with parameters, so % must be doubled.
	return condition.replace("%", "%%") if condition else ""


def one_permission_condition(function):
	"""Build the viewer's permission condition once for all the queries of one report run (it is the same
	for each, and building it reads the user's permissions each time)."""

	@functools.wraps(function)
	def wrapper(*args, **kwargs):
		previous = getattr(frappe.local, "kpi_permission_condition", None)
		frappe.local.kpi_permission_condition = None
		frappe.local.kpi_permission_condition = (frappe.session.user, permission_condition())
		try:
			return function(*args, **kwargs)
		finally:
			frappe.local.kpi_permission_condition = previous

	return wrapper


def where(filters: KpiFilters, *conditions: str) -> str:
	"""The filters every KPI shares, and the given conditions, as a WHERE clause over `tabTicket`."""
	parts = list(conditions)
	if filters.category:
		parts.append(
			"`tabTicket`.category in (select sub.name from `tabSupport Category` sub join `tabSupport Category`"
			" top on top.name = %(category)s where sub.lft >= top.lft and sub.rgt <= top.rgt)"
		)
	if filters.team:
		parts.append("`tabTicket`.team = %(team)s")
	if filters.customer:
		parts.append("`tabTicket`.customer = %(customer)s")
	if filters.channel:
		parts.append("`tabTicket`.channel = %(channel)s")
	if filters.agent and filters.group_by != "Agent":
		parts.append(
			"exists (select 1 from `tabToDo` ta where ta.reference_type = 'Ticket'"
			" and ta.reference_name = cast(`tabTicket`.name as char) and ta.status != 'Cancelled'"
			" and ta.allocated_to = %(agent)s)"
		)
	if filters.agent and filters.group_by == "Agent":
		parts.append("todo.allocated_to = %(agent)s")
	permission = permission_condition()
	if permission:
		parts.append(f"({permission})")
	return " where " + " and ".join(f"({part})" for part in parts) if parts else ""


# The indexes of the period's ranges: the composite ones of ``indexes`` (the columns a report reads, so
# the rows themselves stay unread), else on a site not migrated since, the one-field index of the period's
# column. For a short period MariaDB's cost model prefers reading the whole table to a few thousand
# look-ups through an index, which in memory is many times slower: up to this many days the index is named.
BY_CREATION = indexes.TICKET_CREATED
BY_RESOLUTION = indexes.TICKET_RESOLVED
BY_FIRST_RESPONSE = indexes.TICKET_FIRST_RESPONSE
BY_RATING = indexes.TICKET_RATED
BY_LOYALTY = indexes.TICKET_LOYALTY
BY_VOICE = indexes.TICKET_VOICE
BY_SLA_CREATION = indexes.TICKET_SLA_CREATED
ONE_FIELD_INDEX = {
	BY_CREATION: "creation",
	BY_RESOLUTION: "resolved_on_index",
	BY_FIRST_RESPONSE: "first_responded_on_index",
	BY_RATING: "feedback_submitted_on_index",
	BY_LOYALTY: "loyalty_answered_on_index",
	BY_VOICE: "customer_voice_index",
	BY_SLA_CREATION: "creation",
}
NAMED_INDEX_DAYS = 92


def _hint(filters: KpiFilters, index: str | None) -> str:
	if not index or filters.period.days > NAMED_INDEX_DAYS:
		return ""
	for name in (index, ONE_FIELD_INDEX.get(index)):
		if name and indexes.has_index("Ticket", name):
			return f" force index ({name})"
	return ""


def _from(filters: KpiFilters, extra_join: str = "", index: str | None = None) -> str:
	join = AGENT_JOIN if filters.group_by == "Agent" else ""
	return f" from `tabTicket`{_hint(filters, index)}{join}{extra_join}"


# Keeps MariaDB from merging a derived table into the query above it: the windows above then read the
# numbers it computed once per row instead of computing them again at every comparison (a third of the
# repeat-contact query's time with the keys of ``_key``).
MATERIALIZED = "set statement optimizer_switch = 'derived_merge=off' for "


def _run(sql: str, filters: KpiFilters, **extra) -> list[dict]:
	# Tuned set-based KPI SQL (index hints, grouped aggregates) built from constant fragments (GROUPS,
	# DURATIONS, index names); every value is a parameter.
	return frappe.db.sql(sql, {**filters.params(), **extra}, as_dict=True)  # nosemgrep: frappe-using-db-sql


def _group(filters: KpiFilters) -> str:
	return GROUPS[filters.group_by]


# -- the tallies ------------------------------------------------------------------------------------------


def _grouped(
	filters: KpiFilters,
	select: str,
	*conditions: str,
	extra_join: str = "",
	index: str | None = None,
	**extra,
) -> dict:
	"""One row per group: ``select`` (aggregates) over the tickets meeting the conditions."""
	sql = (
		f"select {_group(filters)} as grp, {select}"
		+ _from(filters, extra_join, index)
		+ where(filters, COUNTED, *conditions)
		+ " group by grp"
	)
	return {row.grp: row for row in _run(sql, filters, **extra)}


def volume(
	filters: KpiFilters, contact_tallies: dict | None = None, chart: dict | None = None
) -> dict[str | None, dict]:
	"""Per group: new, resolved, open now, backlog at the period's end, waiting 3+ days, breached now,
	first-contact resolutions and reopened among the resolved, customers who wrote and repeat contacts.

	Three queries: ``contacts`` (opened in the period; ``contact_tallies`` saves it when the caller has
	it), ``resolved_by_group`` (read from the resolution index alone) and one over the few tickets open
	now (no resolution stamp) or resolved after the period (in the backlog at its end)."""
	tallies = contacts(filters) if contact_tallies is None else contact_tallies
	resolved = resolved_by_group(filters, chart)
	counts = _grouped(
		filters,
		f"sum({OPEN}) as open_now,"
		f" sum({OPEN} and `tabTicket`.sla_status = 'Breached') as breached_now,"
		f" sum({OPEN} and `tabTicket`.first_responded_on is null"
		" and `tabTicket`.creation <= %(waiting_since)s) as waiting,"
		f" sum({OPEN} and `tabTicket`.creation < %(end)s) as open_backlog,"
		f" sum({DONE} and `tabTicket`.resolved_on >= %(end)s and `tabTicket`.creation < %(end)s)"
		" as resolved_later,"
		# For the chart: in the backlog at the period's start.
		f" sum({OPEN} and `tabTicket`.creation < %(start)s) as open_before,"
		f" sum({DONE} and `tabTicket`.resolved_on >= %(end)s and `tabTicket`.creation < %(start)s)"
		" as later_before",
		"`tabTicket`.resolved_on is null or `tabTicket`.resolved_on >= %(end)s",
		index=BY_RESOLUTION,
		waiting_since=filters.now - NO_ANSWER_AFTER,
	)
	before = sum(int(row.open_before or 0) + int(row.later_before or 0) for row in counts.values())
	if _chart_wanted(filters, chart):
		# The backlog at the start: open ones and ones resolved after it, opened before it.
		chart["backlog_start"] = before + sum(row.get("opened_before", 0) for row in resolved.values())
	result: dict[str | None, dict] = {}
	for key, row in tallies["groups"].items():
		result.setdefault(key, frappe._dict()).update(row)
	for key, row in resolved.items():
		row.pop("opened_before", None)
		result.setdefault(key, frappe._dict()).update(row)
	for key, row in counts.items():
		row.pop("open_before", None)
		row.pop("later_before", None)
		result.setdefault(key, frappe._dict()).update(
			{name: int(value or 0) for name, value in row.items() if name != "grp"}
		)
	for key, row in list(result.items()):
		if not any(row.values()):
			# Its tickets in that range count for nothing here (finished without a resolution stamp, or
			# opened after the period): no row of its own, as before.
			del result[key]
			continue
		row["backlog"] = row.get("open_backlog", 0) + row.get("resolved_later", 0)
	return result


def resolved_by_group(filters: KpiFilters, chart: dict | None = None) -> dict[str | None, dict]:
	"""Per group: tickets resolved in the period, first-contact resolutions and reopened among them; with
	``chart`` also those opened before the period (``opened_before``, for the chart's backlog at its
	start)."""
	tallies = (
		"count(*) as resolved,"
		f" sum(`tabTicket`.reopen_count = 0 and {PUBLIC_REPLIES} = 1) as fcr,"
		" sum(`tabTicket`.reopen_count > 0) as reopened"
	)
	if _chart_wanted(filters, chart):
		tallies += ", sum(`tabTicket`.creation < %(start)s) as opened_before"
	rows = _grouped(filters, tallies, RESOLVED, index=BY_RESOLUTION)
	return {
		key: frappe._dict({name: int(value or 0) for name, value in row.items() if name != "grp"})
		for key, row in rows.items()
	}


def snapshot(filters: KpiFilters) -> dict:
	"""Now: open tickets, breached ones, and those without any answer for three calendar days."""
	sql = (
		"select count(*) as open_now,"
		" sum(`tabTicket`.sla_status = 'Breached') as breached_now,"
		" sum(`tabTicket`.first_responded_on is null and `tabTicket`.creation <= %(waiting_since)s) as waiting"
		" from `tabTicket`" + where(replace(filters, group_by="Category"), COUNTED, OPEN)
	)
	row = _run(sql, filters, waiting_since=filters.now - NO_ANSWER_AFTER)[0]
	return {key: int(row[key] or 0) for key in ("open_now", "breached_now", "waiting")}


def resolutions(filters: KpiFilters) -> dict:
	"""Tickets resolved in the period, first-contact resolutions and reopened ones among them."""
	sql = (
		"select count(*) as resolved,"
		f" sum(`tabTicket`.reopen_count = 0 and {PUBLIC_REPLIES} = 1) as fcr,"
		" sum(`tabTicket`.reopen_count > 0) as reopened"
		+ _from(replace(filters, group_by="Category"), index=BY_RESOLUTION)
		+ where(replace(filters, group_by="Category"), COUNTED, RESOLVED)
	)
	row = _run(sql, filters)[0]
	return {key: int(row[key] or 0) for key in ("resolved", "fcr", "reopened")}


def customers_who_wrote(filters: KpiFilters, contact_tallies: dict | None = None) -> int:
	"""Customers (a contact without a customer counts on its own) who opened tickets in the period, once
	each: a group's own count is in ``volume``, but one customer can be in several groups."""
	return (contacts(filters) if contact_tallies is None else contact_tallies)["customers"]


# A ticket's moment as a whole number of microseconds: the window below needs a number to measure 7 days.
_MICROS = "(to_seconds(`tabTicket`.creation) * 1000000 + microsecond(`tabTicket`.creation))"
_PARTY = "nullif(ifnull(`tabTicket`.customer, `tabTicket`.contact), '')"
_CATEGORY = "nullif(`tabTicket`.category, '')"


def _chart_wanted(filters: KpiFilters, chart: dict | None) -> bool:
	"""Whether the groups' sums give the chart: each ticket in one group (not so grouped by agent)."""
	return chart is not None and filters.group_by != "Agent"


# A text as a number: two 32-bit checksums (CRC-32 and CRC-32C, two different polynomials) in one
# 64-bit integer, NULL for NULL. Windows and groupings over such numbers cost a fraction of those over the
# text itself (MariaDB builds a collation key for every row it sorts by text, and carries the text through
# each derived table); two different texts share a number about once in 10^19 pairs. Equal texts always
# share it, compared as Python compares them (byte for byte), which is how ``measures`` tells customers and
# categories apart.
def _key(expression: str) -> str:
	second = f"crc32c({expression})" if _has_crc32c() else f"crc32(reverse({expression}))"
	return f"(crc32({expression}) << 32 | {second})"


_CRC32C: dict[str, bool] = {}


def _has_crc32c() -> bool:
	"""CRC32C() came with MariaDB 10.8 (Frappe 15 runs on 10.6 too, where the second checksum is the
	CRC-32 of the reversed text: slower to compute, as good a key). Asked once per site and process."""
	site = getattr(frappe.local, "site", None) or ""
	if site not in _CRC32C:
		version = frappe.db.sql("select version()")[0][0]  # nosemgrep: frappe-using-db-sql
		numbers = [int(part) for part in version.split("-")[0].split(".")[:2] if part.isdigit()]
		_CRC32C[site] = "mariadb" in version.lower() and numbers >= [10, 8]
	return _CRC32C[site]


def _named(filters: KpiFilters, grouped: str) -> str:
	"""The rows of ``grouped`` (each with ``grp_key``, the group's ``_key``, and ``sample``, one ticket of the
	group) with the group's text as ``grp``, read from that ticket (and its assignment): a look-up per row."""
	join = AGENT_JOIN if filters.group_by == "Agent" else ""
	group = _group(filters)
	return (
		f"select {group} as grp, named.* from ({grouped}) as named"
		f" join `tabTicket` on `tabTicket`.name = named.sample{join} where {_key(group)} <=> named.grp_key"
	)


def contacts(filters: KpiFilters) -> dict:
	"""New tickets, customers who wrote and repeat contacts, per group and overall, in one query.

	One window sort over the tickets opened from seven days before the period to its end, merged ones
	included, by customer (else contact), group and time (as numbers, ``_key``):

	* a ticket repeats (``measures.repeat_contacts``) when the earliest ticket of its customer and category
	  in its 7 days before (itself included) is older than itself;
	* a customer is counted once per group at its first counted ticket of the period in that group, and
	  once overall at its first counted ticket of the period in any group.

	``test_kpi`` checks the result against the definition on the same tickets.

	Returns {"groups": {key: {new, customers, repeats}}, "customers": n, "repeats": n} (the overall
	customers count each customer once; grouped by agent they are not asked for)."""
	window = replace(filters, period=Period(filters.period.start - REPEAT_WINDOW, filters.period.end))
	# Grouped by category the repeat window's partition is the group's: one sort serves every window.
	category = "grp_key" if filters.group_by == "Category" else "category_key"
	running = "rows between unbounded preceding and current row"
	sql = _named(
		filters,
		"select grp_key, min(sample) as sample, count(*) as new, sum(first_in_group) as customers,"
		" sum(first_overall) as customers_all, sum(is_repeat) as repeats from (select grp_key, sample, counted,"
		f" party_key is not null and counted and sum(counted) over (partition by party_key, grp_key"
		f" order by micros {running}) = 1 as first_in_group,"
		f" party_key is not null and counted and sum(counted) over (partition by party_key"
		f" order by grp_key, micros {running}) = 1 as first_overall,"
		f" party_key is not null and has_category and first_value(micros) over (partition by party_key,"
		f" {category} order by micros range between %(repeat_window)s preceding and current row) < micros"
		f" as is_repeat from (select {_key(_group(filters))} as grp_key, `tabTicket`.name as sample,"
		" (`tabTicket`.merged_into is null and `tabTicket`.creation >= %(period_start)s) as counted,"
		f" {_key(_PARTY)} as party_key,"
		+ ("" if category == "grp_key" else f" {_key(_CATEGORY)} as category_key,")
		+ f" {_CATEGORY} is not null as has_category, {_MICROS} as micros"
		+ _from(window, index=BY_CREATION)
		+ where(window, NEW)
		+ ") as opened) as flagged where counted group by grp_key",
	)
	rows = _run(
		MATERIALIZED + sql,
		window,
		period_start=filters.period.start,
		repeat_window=int(REPEAT_WINDOW.total_seconds()) * 1000000,
	)
	by_key: dict = {}
	for row in rows:
		# Grouped by agent, a ticket assigned twice to one agent names its group twice.
		if row.grp_key not in by_key:
			by_key[row.grp_key] = frappe._dict(
				grp=row.grp,
				**{name: int(row[name] or 0) for name in ("new", "customers", "customers_all", "repeats")},
			)
	groups = {
		row.grp: {"new": row.new, "customers": row.customers, "repeats": row.repeats}
		for row in by_key.values()
	}
	customers = 0 if filters.group_by == "Agent" else sum(row.customers_all for row in by_key.values())
	return {
		"groups": groups,
		"customers": customers,
		"repeats": sum(group["repeats"] for group in groups.values()),
	}


def opened(filters: KpiFilters) -> list[dict]:
	"""The tickets opened from seven days before the period to its end (an index range on creation), merged
	ones included, one row per ticket and group: what new tickets, customers who wrote, repeat contacts and
	the chart's new tickets are counted from."""
	window = replace(filters, period=Period(filters.period.start - REPEAT_WINDOW, filters.period.end))
	sql = (
		f"select {_group(filters)} as grp, `tabTicket`.name as name, `tabTicket`.creation as created,"
		" ifnull(`tabTicket`.customer, `tabTicket`.contact) as party, `tabTicket`.category as category,"
		" `tabTicket`.merged_into as merged_into, `tabTicket`.status as status"
		+ _from(window, index=BY_CREATION)
		+ where(window, NEW)
	)
	rows = _run(sql, window)
	for row in rows:
		row.facts = measures.TicketFacts(
			name=str(row.name),
			created=row.created,
			status=row.status,
			party=row.party,
			category=row.category,
			merged_into=row.merged_into,
		)
	return rows


def _facts(rows: list[dict]) -> dict[str, measures.TicketFacts]:
	"""Each ticket once (grouped by agent, a ticket has a row per assignee)."""
	return {row.facts.name: row.facts for row in rows}


def repeat_counts(filters: KpiFilters, contact_tallies: dict | None = None) -> dict[str | None, int]:
	"""Per group: tickets opened in the period that repeat a contact (``measures.repeat_contacts``)."""
	tallies = contacts(filters) if contact_tallies is None else contact_tallies
	return {key: row["repeats"] for key, row in tallies["groups"].items() if row["repeats"]}


def repeat_counts_by_definition(filters: KpiFilters) -> dict[str | None, int]:
	"""The same from ``opened`` rows and the pure definition: what ``test_kpi`` holds ``contacts`` to."""
	rows = opened(filters)
	repeats = measures.repeat_contacts(list(_facts(rows).values()), filters.period)
	counts: dict[str | None, int] = {}
	for row in rows:
		if str(row.name) in repeats:
			counts[row.grp] = counts.get(row.grp, 0) + 1
	return counts


DURATION_INDEX = {"first_response": BY_FIRST_RESPONSE, "resolution": BY_RESOLUTION}
DURATIONS = {
	"first_response": (
		"`tabTicket`.first_response_time",
		"`tabTicket`.first_responded_on >= %(start)s and `tabTicket`.first_responded_on < %(end)s",
	),
	"resolution": ("`tabTicket`.resolution_time", RESOLVED),
}


def durations(filters: KpiFilters, kind: str) -> dict[str | None, dict[str, float]]:
	"""Per group, ticket -> business seconds: the first-response time of tickets first answered in the
	period, or the resolution time of tickets resolved in it (for checks and small sets: ``percentiles``
	computes the figures in the database)."""
	value, condition = DURATIONS[kind]
	sql = (
		f"select {_group(filters)} as grp, `tabTicket`.name as ticket, {value} as seconds"
		+ _from(filters, index=DURATION_INDEX[kind])
		+ where(filters, COUNTED, condition, f"{value} is not null")
	)
	result: dict[str | None, dict[str, float]] = {}
	# Constant fragments (see _run), values are parameters.
	for grp, ticket, seconds in frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		sql, filters.params(), as_list=True
	):
		result.setdefault(grp, {})[str(ticket)] = float(seconds)
	return result


# The nearest-rank percentile of ``measures.percentile`` in SQL: the value at rank ceil(share * n) (at
# least 1) among the group's values in ascending order, with exact shares (1/2, 9/10). One sort per grouping
# (row_number) instead of the several PERCENTILE_DISC asks for.
def _at_rank(numerator: int, denominator: int, rank: str, count: str) -> str:
	"""Whether ``rank`` is the nearest rank of the share numerator/denominator among ``count`` (at least
	one) values, ceil(share * count), in whole numbers (r = ceil(s*n) exactly when s*n <= r < s*n + 1):
	over a few thousand rows a sixth of the percentile query cheaper than the decimals of ceil(0.9 * n)."""
	return (
		f"({denominator} * {rank} >= {numerator} * {count}"
		f" and {denominator} * ({rank} - 1) < {numerator} * {count})"
	)


def _ranked(filters: KpiFilters, kind: str, overall: bool, by_text: bool = False) -> list[dict]:
	"""Per group (and with ``overall`` a last row over all, as WITH ROLLUP would give it): the median, 90th
	percentile and count of the period's business times.

	The windows rank numbers only: the group as its ``_key`` and the ticket's name. Sorting by text builds a
	collation key per row and every text column widens the derived tables, which costs several times the
	rest of the query. Only the rows at the wanted ranks come back (two per group and two overall), their
	group's text read from their ticket (``_named``). Should two groups' texts be ones the database's case-
	and accent-insensitive collation deems equal (two groups for it), or two texts share a key, the query
	runs again partitioned by the text (``by_text``), so the figures are exact either way."""
	value, condition = DURATIONS[kind]
	group = _group(filters)
	ranked = (
		f"select {group if by_text else _key(group)} as grp_key, `tabTicket`.name as sample, {value} as v"
		+ _from(filters, index=DURATION_INDEX[kind])
		+ where(filters, COUNTED, condition, f"{value} is not null")
	)
	if overall:
		# The rank among all rows is taken first, in its own derived table: MariaDB 10.11 numbers a second
		# window of the same SELECT in the order of the first's sort (wrong ranks, seen in testing).
		ranked = (
			"select grp_key, sample, v, row_number() over (order by v) as rank_all, count(*) over () as n_all"
			f" from ({ranked}) as values_all"
		)

	wanted = [_at_rank(1, 2, "rank_grp", "n_grp"), _at_rank(9, 10, "rank_grp", "n_grp")]
	if overall:
		wanted += [_at_rank(1, 2, "rank_all", "n_all"), _at_rank(9, 10, "rank_all", "n_all")]
	marks = ", ".join(f"{mark} as mark_{index}" for index, mark in enumerate(wanted))
	picked = (
		f"select grp_key, sample, v, n_grp{', n_all' if overall else ''}, {marks} from (select ranked.*,"
		" row_number() over (partition by grp_key order by v) as rank_grp,"
		f" count(*) over (partition by grp_key) as n_grp from ({ranked}) as ranked) as ranks"
		f" where {' or '.join(wanted)}"
	)
	sql = f"select grp_key as grp, picked.* from ({picked}) as picked" if by_text else _named(filters, picked)
	groups: dict = {}
	total = frappe._dict(all_median=None, all_p90=None, all_n=0)
	for row in _run(sql, filters):
		found = groups.setdefault(
			row.grp_key, frappe._dict(grp=row.grp, grp_last=row.grp, median=None, p90=None, n=int(row.n_grp))
		)
		if row.grp != found.grp:
			found.grp_last = row.grp  # two texts, one key: see _distinct_keys
		if row.mark_0:
			found.median = row.v
		if row.mark_1:
			found.p90 = row.v
		if overall:
			total.all_n = int(row.n_all)
			if row.mark_2:
				total.all_median = row.v
			if row.mark_3:
				total.all_p90 = row.v
	rows = list(groups.values())
	if not by_text and not _distinct_keys(rows):
		return _ranked(filters, kind, overall, by_text=True)
	return [*rows, total] if overall and rows else rows


def _distinct_keys(rows: list[dict]) -> bool:
	"""Whether each row holds one group key, different from every other row's (also as the database's
	case- and accent-insensitive collation compares them)."""
	seen = set()
	for row in rows:
		if row.grp != row.grp_last:
			return False
		folded = row.grp if row.grp is None else _collation_key(str(row.grp))
		if folded in seen:
			return False
		seen.add(folded)
	return True


def _collation_key(text: str) -> str:
	"""How utf8mb4_unicode_ci compares texts: case, accents and trailing spaces ignored."""
	decomposed = unicodedata.normalize("NFKD", text.casefold())
	return "".join(char for char in decomposed if not unicodedata.combining(char)).rstrip(" ")


def percentiles(filters: KpiFilters, kind: str) -> dict[str | None, tuple[float, float, int]]:
	"""Per group: (median, 90th percentile, count) of the business times of ``durations``, computed where
	the rows are: one row per group comes back."""
	return {row.grp: (float(row.median), float(row.p90), int(row.n)) for row in _ranked(filters, kind, False)}


def overall_percentiles(filters: KpiFilters, kind: str) -> tuple[float | None, float | None, int]:
	"""The same over all the filtered tickets at once, each ticket once (also when grouped by agent)."""
	rows = _ranked(replace(filters, group_by="Category"), kind, True)
	if not rows:
		return None, None, 0
	grand = rows[-1]
	return float(grand.all_median), float(grand.all_p90), int(grand.all_n)


def percentiles_and_overall(
	filters: KpiFilters, kind: str
) -> tuple[dict[str | None, tuple[float, float, int]], tuple[float | None, float | None, int]]:
	"""``percentiles`` and ``overall_percentiles`` from one pass over the period's range. Grouped by agent
	a ticket has a row per assignee, so the overall figures are asked for separately then."""
	if filters.group_by == "Agent":
		return percentiles(filters, kind), overall_percentiles(filters, kind)
	rows = _ranked(filters, kind, True)
	if not rows:
		return {}, (None, None, 0)
	# The last row of WITH ROLLUP is the total (its NULL key is not the "Not Set" group).
	grand = rows.pop()
	grouped = {row.grp: (float(row.median), float(row.p90), int(row.n)) for row in rows}
	return grouped, (float(grand.all_median), float(grand.all_p90), int(grand.all_n))


def overall(grouped: dict[str | None, dict[str, float]]) -> tuple[float | None, float | None, int]:
	"""(median, 90th percentile, count) over every ticket of ``durations``, each ticket once."""
	values = {ticket: seconds for group in grouped.values() for ticket, seconds in group.items()}
	return measures.median(values.values()), measures.p90(values.values()), len(values)


def sla(filters: KpiFilters) -> dict[str | None, dict]:
	"""Per group: first responses with a target and late ones (tickets opened in the period), resolutions
	with a target and late ones (tickets resolved in it), breached, at risk and paused now."""
	answered = "`tabTicket`.first_responded_on is not null"
	opened = _grouped(
		filters,
		f"sum({FIRST_RESPONSE_TARGET} is not null) as response_targets,"
		f" sum({FIRST_RESPONSE_TARGET} is not null and ("
		f"({answered} and ifnull(`tabTicket`.first_response_time, 0) > {FIRST_RESPONSE_TARGET}) or"
		f" (not {answered} and `tabTicket`.response_due <= %(now)s and ifnull(`tabTicket`.sla_status, '') != 'Paused')"
		")) as response_late",
		NEW,
		extra_join=TARGET_JOIN,
		index=BY_SLA_CREATION,
	)
	resolved = _grouped(
		filters,
		f"sum({RESOLUTION_TARGET} is not null and `tabTicket`.resolution_time is not null) as resolution_targets,"
		f" sum({RESOLUTION_TARGET} is not null and `tabTicket`.resolution_time > {RESOLUTION_TARGET})"
		" as resolution_late",
		RESOLVED,
		extra_join=TARGET_JOIN,
		index=BY_RESOLUTION,
	)
	now = _grouped(
		filters,
		"sum(`tabTicket`.sla_status = 'Breached') as breached_now,"
		" sum(`tabTicket`.sla_status = 'At Risk') as at_risk_now,"
		" sum(`tabTicket`.sla_status = 'Paused') as paused_now",
		OPEN,
	)
	result: dict[str | None, dict] = {}
	for part in (opened, resolved, now):
		for key, row in part.items():
			result.setdefault(key, frappe._dict()).update(
				{name: int(value or 0) for name, value in row.items() if name != "grp"}
			)
	return result


def ratings(filters: KpiFilters) -> dict[str | None, dict[int, int]]:
	"""Per group: the number of ratings per star given in the period."""
	group = _group(filters)
	sql = (
		f"select {group} as grp, round(`tabTicket`.feedback_rating * 5) as stars, count(*) as n"
		+ _from(filters, index=BY_RATING)
		+ where(
			filters,
			COUNTED,
			"`tabTicket`.feedback_submitted_on >= %(start)s and `tabTicket`.feedback_submitted_on < %(end)s",
		)
		+ " group by grp, stars"
	)
	result: dict[str | None, dict[int, int]] = {}
	for row in _run(sql, filters):
		result.setdefault(row.grp, {})[int(row.stars)] = int(row.n)
	return result


def survey_responses(filters: KpiFilters) -> dict[str | None, tuple[int, int]]:
	"""Per group: (tickets resolved in the period that got a rating, tickets resolved in the period)."""
	group = _group(filters)
	sql = (
		f"select {group} as grp, sum(`tabTicket`.feedback_submitted_on is not null) as rated, count(*) as resolved"
		+ _from(filters, index=BY_RESOLUTION)
		+ where(filters, COUNTED, RESOLVED)
		+ " group by grp"
	)
	return {row.grp: (int(row.rated), int(row.resolved)) for row in _run(sql, filters)}


def loyalty_answers(filters: KpiFilters) -> dict[str | None, dict[int, int]]:
	"""Per group: the number of answers per score (0-10) given in the period."""
	group = _group(filters)
	sql = (
		f"select {group} as grp, `tabTicket`.loyalty_score as score, count(*) as n"
		+ _from(filters, index=BY_LOYALTY)
		+ where(
			filters,
			COUNTED,
			"`tabTicket`.loyalty_answered_on >= %(start)s and `tabTicket`.loyalty_answered_on < %(end)s",
			"`tabTicket`.loyalty_score between 0 and 10",
		)
		+ " group by grp, score"
	)
	result: dict[str | None, dict[int, int]] = {}
	for row in _run(sql, filters):
		result.setdefault(row.grp, {})[int(row.score)] = int(row.n)
	return result


def agent_statuses(filters: KpiFilters) -> dict[str, dict[str, int]]:
	"""Per agent: their tickets opened in the period by current status, and their open tickets now."""
	agent_filters = replace(filters, group_by="Agent")
	result: dict[str, dict[str, int]] = {}
	for condition, field_name, index in ((NEW, None, BY_CREATION), (OPEN, "open_now", None)):
		sql = (
			"select todo.allocated_to as grp, `tabTicket`.status as status, count(*) as n"
			+ _from(agent_filters, index=index)
			+ where(agent_filters, COUNTED, condition)
			+ " group by grp, status"
		)
		for row in _run(sql, agent_filters):
			counts = result.setdefault(row.grp, {"open_now": 0})
			if field_name:
				counts[field_name] += int(row.n)
			else:
				counts[row.status] = int(row.n)
	return result


AGENT_STATUSES = ("Open", "Replied", "Waiting on Customer", "Resolved", "Closed")
STARS = range(6)


def agent_load(filters: KpiFilters) -> dict[str, dict]:
	"""Per agent, in one pass over their tickets: open now, tickets opened in the period by current status
	(``AGENT_STATUSES``), resolved in the period and first-contact resolutions among them, ratings given in
	the period per star, and the median first response of tickets first answered in it. The same figures as
	``agent_statuses``, ``resolved_by_group``, ``ratings`` and ``percentiles`` grouped by agent.

	Each ticket's assignees are looked up once: the tickets of the five ranges (each read from its index)
	are gathered into one row per ticket first, then joined to their assignments. The median is
	nearest-rank, ranked per agent (as a number, ``_key``) among the tickets first answered in the period.

	Returns {agent: {"open_now", status..., "resolved", "fcr", "stars": {star: n}, "median_first_response"}}.
	"""
	tickets = replace(filters, group_by="Category", agent=None)
	first_value, first_condition = DURATIONS["first_response"]
	status = "field(`tabTicket`.status, " + ", ".join(f"'{name}'" for name in AGENT_STATUSES) + ")"
	columns = ("opened", "status", "open_now", "resolved", "fcr", "stars", "first_response")

	def part(index: str | None, condition: str, **values: str) -> str:
		selected = ", ".join(f"{values.get(column, 'null')} as {column}" for column in columns)
		return (
			f"select `tabTicket`.name as ticket, {selected}"
			+ _from(tickets, index=index)
			+ where(tickets, COUNTED, condition)
		)

	parts = [
		part(BY_CREATION, NEW, opened="1", status=status),
		part(None, OPEN, open_now="1"),
		part(
			BY_RESOLUTION,
			RESOLVED,
			resolved="1",
			fcr=f"`tabTicket`.reopen_count = 0 and {PUBLIC_REPLIES} = 1",
		),
		part(
			BY_RATING,
			"`tabTicket`.feedback_submitted_on >= %(start)s and `tabTicket`.feedback_submitted_on < %(end)s",
			stars="round(`tabTicket`.feedback_rating * 5)",
		),
		part(
			BY_FIRST_RESPONSE, f"{first_condition} and {first_value} is not null", first_response=first_value
		),
	]
	merged = ", ".join(f"max({column}) as {column}" for column in columns)
	# Many rows into few: grouped by sorting (SQL_BIG_RESULT), a third faster here than through a hash.
	per_ticket = (
		f"select sql_big_result ticket, {merged} from ({' union all '.join(parts)}) as parts group by ticket"
	)
	joined = (
		f"select {_key('todo.allocated_to')} as grp_key, t.* from ({per_ticket}) as t join `tabToDo` todo"
		" on todo.reference_type = 'Ticket' and todo.reference_name = cast(t.ticket as char)"
		" and todo.status != 'Cancelled'" + (" where todo.allocated_to = %(agent)s" if filters.agent else "")
	)
	assigned = (
		"select joined.*, row_number() over (partition by grp_key, first_response is null"
		" order by first_response) as rank_first,"
		f" count(first_response) over (partition by grp_key) as n_first from ({joined}) as joined"
	)
	sums = [
		"sum(ifnull(open_now, 0)) as open_now",
		"sum(ifnull(opened, 0)) as opened",
		"sum(ifnull(resolved, 0)) as resolved",
		"sum(ifnull(resolved, 0) and ifnull(fcr, 0)) as fcr",
		*[f"sum(ifnull(opened, 0) and status = {number}) as status_{number}" for number in range(1, 6)],
		*[f"sum(stars = {star}) as stars_{star}" for star in STARS],
		f"max(case when first_response is not null and {_at_rank(1, 2, 'rank_first', 'n_first')}"
		" then first_response end) as median_first_response",
	]
	grouped = (
		f"select grp_key, min(ticket) as sample, {', '.join(sums)} from ({assigned}) as assigned"
		" group by grp_key"
	)
	agent_filters = replace(filters, group_by="Agent")
	result: dict[str, dict] = {}
	for row in _run(MATERIALIZED + _named(agent_filters, grouped), agent_filters):
		if row.grp is None or row.grp in result:
			continue
		counts = {name: int(row[f"status_{number}"] or 0) for number, name in enumerate(AGENT_STATUSES, 1)}
		stars = {star: int(row[f"stars_{star}"] or 0) for star in STARS if row[f"stars_{star}"]}
		median = row.median_first_response
		result[row.grp] = {
			"open_now": int(row.open_now or 0),
			"opened": int(row.opened or 0),
			**counts,
			"resolved": int(row.resolved or 0),
			"fcr": int(row.fcr or 0),
			"stars": stars,
			"median_first_response": float(median) if median is not None else None,
		}
	return result


def replies_by_agent(filters: KpiFilters) -> dict[str, int]:
	"""Public replies sent in the period, per agent (the sender's user), on the filtered tickets."""
	agent_filters = replace(filters, group_by="Category", agent=None)
	conditions = [
		"c.reference_doctype = 'Ticket'",
		"c.sent_or_received = 'Sent'",
		"c.communication_type = 'Communication'",
		"ifnull(c.support_internal, 0) = 0",
		"c.communication_date >= %(start)s and c.communication_date < %(end)s",
	]
	# The ticket is read only for the report's filters and the viewer's permissions; without any, the
	# replies are counted from the Communication index alone (kpi_replies_sent). A deleted ticket's
	# messages lose their reference (Frappe clears it), so none counts for a ticket that is gone.
	ticket = (
		" join `tabTicket` on `tabTicket`.name = cast(c.reference_name as unsigned)"
		if where(agent_filters)
		else ""
	)
	# Counted per sender first, then matched to the users (a handful of rows): matching each reply's sender
	# against every user's email would compare them all with all.
	sql = (
		"select u.name as grp, sum(sent.replies) as replies from (select c.sender as sender,"
		" count(*) as replies from `tabCommunication` c"
		+ ticket
		+ where(agent_filters, *conditions)
		+ " group by c.sender) as sent join `tabUser` u on u.email = sent.sender"
		+ (" where u.name = %(agent)s" if filters.agent else "")
		+ " group by grp"
	)
	return {row.grp: int(row.replies) for row in _run(sql, agent_filters, agent=filters.agent)}


def series(filters: KpiFilters, chart: dict | None = None) -> list[dict]:
	"""New, resolved and the backlog at each bucket's end, for the period's buckets (Daily/Weekly/Monthly).

	``chart`` holds the backlog at the period's start when ``volume`` counted it on its way (each ticket
	belongs to one group, so the groups' sums are the whole's); without it it is counted here."""
	buckets = measures.bucket_starts(filters.period, filters.interval)
	ungrouped = replace(filters, group_by="Category")
	bucket_expr = {
		"Daily": "date({col})",
		"Weekly": "date({col}) - interval weekday({col}) day",
		"Monthly": "date({col}) - interval (dayofmonth({col}) - 1) day",
	}[filters.interval]
	new_sql = (
		f"select 'new' as kind, {bucket_expr.format(col='`tabTicket`.creation')} as bucket, count(*) as n"
		+ _from(ungrouped, index=BY_CREATION)
		+ where(ungrouped, COUNTED, NEW)
		+ " group by bucket"
	)
	resolved_sql = (
		f"select 'resolved' as kind, {bucket_expr.format(col='`tabTicket`.resolved_on')} as bucket,"
		" count(*) as n"
		+ _from(ungrouped, index=BY_RESOLUTION)
		+ where(ungrouped, COUNTED, RESOLVED)
		+ " group by bucket"
	)
	# The backlog at the period's start (open tickets opened before it, and tickets resolved after its start
	# that were opened before it: two index ranges), then moved by each bucket's new and resolved tickets.
	open_before = "select count(*) from `tabTicket`" + where(
		ungrouped, COUNTED, OPEN, "`tabTicket`.creation < %(start)s"
	)
	resolved_after = "select count(*) from `tabTicket`" + where(
		ungrouped,
		COUNTED,
		f"{DONE} and `tabTicket`.resolved_on >= %(start)s",
		"`tabTicket`.creation < %(start)s",
	)
	backlog_sql = f"select 'backlog' as kind, null as bucket, ({open_before}) + ({resolved_after}) as n"
	known = chart.get("backlog_start") if chart else None
	parts = [new_sql, resolved_sql] + ([] if known is not None else [backlog_sql])
	# One statement for the three (one round trip).
	found = _run(" union all ".join(f"({part})" for part in parts), ungrouped)
	new = {getdate(row.bucket): int(row.n) for row in found if row.kind == "new"}
	resolved = {getdate(row.bucket): int(row.n) for row in found if row.kind == "resolved"}
	if known is None:
		known = next(int(row.n or 0) for row in found if row.kind == "backlog")
	return _series_rows(buckets, new, resolved, known)


def _series_rows(buckets: list, new: dict, resolved: dict, backlog: int) -> list[dict]:
	rows = []
	for start in buckets:
		day = start.date()
		backlog += new.get(day, 0) - resolved.get(day, 0)
		rows.append(
			{"bucket": day, "new": new.get(day, 0), "resolved": resolved.get(day, 0), "backlog": backlog}
		)
	return rows


def voice(filters: KpiFilters) -> list[dict]:
	"""Tickets opened in the period that an agent marked as a suggestion, complaint or bug report."""
	ungrouped = replace(filters, group_by="Category")
	sql = (
		"select `tabTicket`.name as ticket, `tabTicket`.creation as opened,"
		" date_format(`tabTicket`.creation, '%%Y-%%m') as month, `tabTicket`.category as category,"
		" `tabTicket`.customer_voice as voice, `tabTicket`.subject as subject,"
		" `tabTicket`.customer as customer, `tabTicket`.channel as channel, `tabTicket`.status as status"
		+ _from(ungrouped, index=BY_VOICE)
		+ where(ungrouped, COUNTED, NEW, "`tabTicket`.customer_voice in %(voice_types)s")
		+ " order by category, month, voice, `tabTicket`.creation"
	)
	return _run(sql, ungrouped, voice_types=measures.VOICE_TYPES)


def knowledge_base(filters: KpiFilters) -> dict[str, int] | None:
	"""In the period: requests deflected by a suggested article (KB Deflection, deflected), suggestions
	after which a ticket was filed, and was-this-helpful votes (KB Feedback). None on a site without the
	knowledge base's logs or for a user who may not read them. The ticket filters do not apply."""
	if not (frappe.db.table_exists("KB Deflection") and frappe.db.table_exists("KB Feedback")):
		return None
	if not (frappe.has_permission("KB Deflection", "read") and frappe.has_permission("KB Feedback", "read")):
		return None
	# Both logs' tallies in one round trip (UNION ALL of two conditional-SUM aggregates).
	found = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""select 'deflection' as kind, sum(deflected = 1) as deflected,
			sum(outcome = 'Ticket Filed') as filed, null as helpful, null as not_helpful
		from `tabKB Deflection` where creation >= %(start)s and creation < %(end)s
		union all
		select 'votes', null, null, sum(helpful = 1), sum(helpful = 0)
		from `tabKB Feedback` where creation >= %(start)s and creation < %(end)s""",
		filters.params(),
		as_dict=True,
	)
	deflection = next(row for row in found if row.kind == "deflection")
	votes = next(row for row in found if row.kind == "votes")
	return {
		"deflected": int(deflection.deflected or 0),
		"filed": int(deflection.filed or 0),
		"helpful": int(votes.helpful or 0),
		"not_helpful": int(votes.not_helpful or 0),
	}
