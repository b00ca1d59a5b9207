"""The five KPI Script Reports: rows, chart and summary from ``queries`` and ``measures``.

Each report's ``execute(filters)`` is what the desk, exports and Frappe's Auto Email Report call. They read
on the replica when the site has one, and only for users with report access to tickets.
"""

from __future__ import annotations

from frappe import _

from support_center.kpi import measures, queries
from support_center.kpi.queries import GROUPS, KpiFilters
from support_center.kpi.replica import on_replica

STATUSES = queries.AGENT_STATUSES


def _group_column(filters: KpiFilters) -> dict:
	# Customer is text: Frappe refuses report rows with links to records the viewer cannot read.
	options = {
		"Category": "Support Category",
		"Team": "User Group",
		"Agent": "User",
		"Priority": "Issue Priority",
	}.get(filters.group_by)
	column = {"fieldname": "group", "label": _(filters.group_by), "width": 200}
	column.update({"fieldtype": "Link", "options": options} if options else {"fieldtype": "Data"})
	return column


def _col(fieldname: str, label: str, fieldtype: str = "Int", width: int = 110) -> dict:
	column = {"fieldname": fieldname, "label": _(label), "fieldtype": fieldtype, "width": width}
	if fieldtype in ("Float", "Percent"):
		column["precision"] = 2 if fieldtype == "Float" else 1
	return column


def _not_set(key):
	return key if key is not None else _("Not Set")


def _total_label() -> str:
	return _("Total")


# -- Ticket Analytics ---------------------------------------------------------------------------------------


@on_replica
@queries.one_permission_condition
def ticket_analytics(filters: dict | None = None):
	queries.require_access()
	f = KpiFilters.from_report(filters)
	# The chart's backlog at the period's start comes with the groups' tallies.
	chart_parts: dict = {}
	tallies = queries.contacts(f)
	volume = queries.volume(f, tallies, chart_parts)
	repeats = queries.repeat_counts(f, tallies)
	first, first_all = _percentiles(f, "first_response")
	resolution, resolution_all = _percentiles(f, "resolution")
	groups = sorted(set(volume) | set(first) | set(resolution), key=lambda key: (key is None, str(key or "")))
	rows = [
		_analytics_row(key, volume.get(key, {}), repeats.get(key, 0), first.get(key), resolution.get(key))
		for key in groups
	]
	if rows and f.group_by != "Agent":
		total = {
			name: sum(int(volume[key].get(name) or 0) for key in volume)
			for name in ("new", "resolved", "open_now", "backlog", "waiting", "reopened", "fcr", "customers")
		}
		total["customers"] = queries.customers_who_wrote(f, tallies)
		total_row = _analytics_row(None, total, tallies["repeats"], first_all, resolution_all)
		total_row["group"] = _total_label()
		total_row["is_total_row"] = 1
		rows.append(total_row)
	columns = [
		_group_column(f),
		_col("new", "New"),
		_col("resolved", "Resolved"),
		_col("open_now", "Open Now"),
		_col("backlog", "Backlog at End"),
		_col("waiting", "No Answer 3+ Days"),
		_col("median_first_response", "Median First Response", "Duration", 150),
		_col("p90_first_response", "90% First Response", "Duration", 150),
		_col("median_resolution", "Median Resolution", "Duration", 150),
		_col("p90_resolution", "90% Resolution", "Duration", 150),
		_col("fcr_rate", "First-Contact Resolution %", "Percent", 130),
		_col("reopen_rate", "Reopen Rate %", "Percent"),
		_col("repeats", "Repeat Contacts"),
		_col("repeat_rate", "Repeat Contact %", "Percent"),
		_col("customers", "Customers Who Wrote"),
		_col("per_customer", "Tickets per Customer", "Float"),
	]
	points = queries.series(f, chart_parts)
	chart = {
		"data": {
			"labels": [_bucket_label(point["bucket"], f.interval) for point in points],
			"datasets": [
				{"name": _("New"), "values": [point["new"] for point in points]},
				{"name": _("Resolved"), "values": [point["resolved"] for point in points]},
				{"name": _("Backlog"), "values": [point["backlog"] for point in points]},
			],
		},
		"type": "line",
		"fieldtype": "Int",
	}
	return columns, [_strip(row) for row in rows], None, chart, _analytics_summary(rows) + _kb_summary(f)


def _percentiles(f: KpiFilters, kind: str):
	"""Per group and, for the total row (none when grouped by agent), over all: one query."""
	if f.group_by == "Agent":
		return queries.percentiles(f, kind), None
	return queries.percentiles_and_overall(f, kind)


def _bucket_label(day, interval: str) -> str:
	return day.strftime("%b %Y") if interval == "Monthly" else day.strftime("%d %b")


def _analytics_row(key, volume, repeats, first, resolution) -> dict:
	new, resolved = int(volume.get("new") or 0), int(volume.get("resolved") or 0)
	customers = int(volume.get("customers") or 0)
	return {
		"group": _not_set(key),
		"new": new,
		"resolved": resolved,
		"open_now": int(volume.get("open_now") or 0),
		"backlog": int(volume.get("backlog") or 0),
		"waiting": int(volume.get("waiting") or 0),
		"median_first_response": first[0] if first else None,
		"p90_first_response": first[1] if first else None,
		"median_resolution": resolution[0] if resolution else None,
		"p90_resolution": resolution[1] if resolution else None,
		"fcr_rate": measures.rate(int(volume.get("fcr") or 0), resolved),
		"reopen_rate": measures.rate(int(volume.get("reopened") or 0), resolved),
		"repeats": repeats,
		"repeat_rate": measures.rate(repeats, new),
		"customers": customers,
		"per_customer": measures.per_customer(new, customers),
	}


def _strip(row: dict) -> dict:
	return {key: value for key, value in row.items() if key != "is_total_row"}


def _analytics_summary(rows: list[dict]) -> list[dict]:
	total = next((row for row in rows if row.get("is_total_row")), None)
	if not total:
		return []
	return [
		{"label": _("New"), "value": total["new"], "datatype": "Int", "indicator": "Blue"},
		{"label": _("Resolved"), "value": total["resolved"], "datatype": "Int", "indicator": "Green"},
		{
			"label": _("Median First Response"),
			"value": total["median_first_response"],
			"datatype": "Duration",
		},
		{"label": _("First-Contact Resolution %"), "value": total["fcr_rate"], "datatype": "Percent"},
		{"label": _("No Answer 3+ Days"), "value": total["waiting"], "datatype": "Int", "indicator": "Red"},
	]


def _kb_summary(f: KpiFilters) -> list[dict]:
	"""The knowledge base's share in the period: requests it deflected and how helpful readers found it."""
	kb = queries.knowledge_base(f)
	if kb is None:
		return []
	return [
		{"label": _("Deflected Requests"), "value": kb["deflected"], "datatype": "Int", "indicator": "Green"},
		{
			"label": _("Deflection Rate %"),
			"value": measures.deflection_rate(kb["deflected"], kb["filed"]),
			"datatype": "Percent",
		},
		{
			"label": _("Articles Helpful %"),
			"value": measures.helpfulness(kb["helpful"], kb["not_helpful"]),
			"datatype": "Percent",
		},
	]


# -- SLA Compliance -------------------------------------------------------------------------------------------


@on_replica
@queries.one_permission_condition
def sla_compliance(filters: dict | None = None):
	queries.require_access()
	f = KpiFilters.from_report(filters)
	tallies = queries.sla(f)
	first = queries.percentiles(f, "first_response")
	resolution = queries.percentiles(f, "resolution")
	keys = sorted(set(tallies) | set(first) | set(resolution), key=lambda key: (key is None, str(key or "")))
	rows = []
	for key in keys:
		row = tallies.get(key, {})
		values = {
			name: int(row.get(name) or 0)
			for name in (
				"response_targets",
				"response_late",
				"resolution_targets",
				"resolution_late",
				"breached_now",
				"at_risk_now",
				"paused_now",
			)
		}
		rows.append(
			{
				"group": _not_set(key),
				**values,
				"response_breach_rate": measures.rate(values["response_late"], values["response_targets"]),
				"resolution_breach_rate": measures.rate(
					values["resolution_late"], values["resolution_targets"]
				),
				"median_first_response": first[key][0] if key in first else None,
				"median_resolution": resolution[key][0] if key in resolution else None,
			}
		)
	columns = [
		_group_column(f),
		_col("response_targets", "First Responses Due"),
		_col("response_late", "First Responses Late"),
		_col("response_breach_rate", "First Response Breach %", "Percent", 130),
		_col("resolution_targets", "Resolutions Due"),
		_col("resolution_late", "Resolutions Late"),
		_col("resolution_breach_rate", "Resolution Breach %", "Percent", 130),
		_col("breached_now", "Breached Now"),
		_col("at_risk_now", "At Risk Now"),
		_col("paused_now", "Paused Now"),
		_col("median_first_response", "Median First Response", "Duration", 150),
		_col("median_resolution", "Median Resolution", "Duration", 150),
	]
	chart = {
		"data": {
			"labels": [str(row["group"]) for row in rows],
			"datasets": [
				{
					"name": _("First Response Breach %"),
					"values": [row["response_breach_rate"] or 0 for row in rows],
				},
				{
					"name": _("Resolution Breach %"),
					"values": [row["resolution_breach_rate"] or 0 for row in rows],
				},
			],
		},
		"type": "bar",
		"fieldtype": "Percent",
	}
	late = sum(row["response_late"] for row in rows)
	due = sum(row["response_targets"] for row in rows)
	summary = [
		{
			"label": _("Breached Now"),
			"value": sum(row["breached_now"] for row in rows),
			"datatype": "Int",
			"indicator": "Red",
		},
		{"label": _("First Response Breach %"), "value": measures.rate(late, due), "datatype": "Percent"},
		{
			"label": _("Resolution Breach %"),
			"value": measures.rate(
				sum(row["resolution_late"] for row in rows), sum(row["resolution_targets"] for row in rows)
			),
			"datatype": "Percent",
		},
	]
	return columns, rows, None, chart, summary


# -- Agent Performance ----------------------------------------------------------------------------------------


@on_replica
@queries.one_permission_condition
def agent_performance(filters: dict | None = None):
	queries.require_access()
	f = KpiFilters.from_report({**(filters or {}), "group_by": "Agent"})
	load = queries.agent_load(f)
	replies = queries.replies_by_agent(f)
	# Listed: agents with tickets opened in the period, open now or resolved in it, or replies sent in it.
	active = {agent for agent, row in load.items() if row["opened"] or row["open_now"] or row["resolved"]}
	agents = sorted(active | set(replies))
	rows = []
	for agent in agents:
		counts = load.get(agent, {})
		resolved = int(counts.get("resolved") or 0)
		rating = measures.satisfaction(counts.get("stars", {}))
		rows.append(
			{
				"group": agent,
				"open_now": counts.get("open_now", 0),
				**{_status_field(status): counts.get(status, 0) for status in STATUSES},
				"resolved": resolved,
				"replies": replies.get(agent, 0),
				"replies_per_day": measures.per_day(replies.get(agent, 0), f.period),
				"median_first_response": counts.get("median_first_response"),
				"fcr_rate": measures.rate(int(counts.get("fcr") or 0), resolved),
				"average_rating": rating.average,
			}
		)
	columns = [
		{"fieldname": "group", "label": _("Agent"), "fieldtype": "Link", "options": "User", "width": 220},
		_col("open_now", "Open Now"),
		*[_col(_status_field(status), f"Opened: {status}") for status in STATUSES],
		_col("resolved", "Resolved in Period"),
		_col("replies", "Public Replies"),
		_col("replies_per_day", "Replies per Day", "Float"),
		_col("median_first_response", "Median First Response", "Duration", 150),
		_col("fcr_rate", "First-Contact Resolution %", "Percent", 130),
		_col("average_rating", "Average Rating", "Float"),
	]
	chart = {
		"data": {
			"labels": [row["group"] for row in rows],
			"datasets": [
				{"name": _("Open Now"), "values": [row["open_now"] for row in rows]},
				{"name": _("Public Replies"), "values": [row["replies"] for row in rows]},
			],
		},
		"type": "bar",
		"fieldtype": "Int",
	}
	return columns, rows, None, chart


def _status_field(status: str) -> str:
	return "status_" + status.lower().replace(" ", "_")


# -- Customer Satisfaction ------------------------------------------------------------------------------------


@on_replica
@queries.one_permission_condition
def customer_satisfaction(filters: dict | None = None):
	queries.require_access()
	f = KpiFilters.from_report(filters)
	stars = queries.ratings(f)
	surveys = queries.survey_responses(f)
	answers = queries.loyalty_answers(f)
	keys = sorted(set(stars) | set(surveys) | set(answers), key=lambda key: (key is None, str(key or "")))
	rows = [
		_satisfaction_row(key, stars.get(key, {}), surveys.get(key, (0, 0)), answers.get(key, {}))
		for key in keys
	]
	all_stars: dict[int, int] = {}
	all_answers: dict[int, int] = {}
	for histogram in stars.values():
		for star, count in histogram.items():
			all_stars[star] = all_stars.get(star, 0) + count
	for histogram in answers.values():
		for score, count in histogram.items():
			all_answers[score] = all_answers.get(score, 0) + count
	surveyed = (
		sum(rated for rated, _resolved in surveys.values()),
		sum(resolved for _rated, resolved in surveys.values()),
	)
	if rows and f.group_by != "Agent":
		total = _satisfaction_row(None, all_stars, surveyed, all_answers)
		total["group"] = _total_label()
		rows.append(total)
	columns = [
		_group_column(f),
		_col("ratings", "Ratings"),
		_col("average_rating", "Average Rating (1-5)", "Float"),
		_col("satisfied_share", "Rated 4-5 %", "Percent"),
		_col("resolved", "Resolved"),
		_col("response_rate", "Survey Response %", "Percent", 130),
		_col("loyalty_responses", "Loyalty Answers"),
		_col("promoters", "Promoters (9-10)"),
		_col("passives", "Passives (7-8)"),
		_col("detractors", "Detractors (0-6)"),
		_col("loyalty_score", "Loyalty Score", "Float"),
	]
	chart = {
		"data": {
			"labels": [f"{star} ★" for star in range(1, 6)],
			"datasets": [{"name": _("Ratings"), "values": [all_stars.get(star, 0) for star in range(1, 6)]}],
		},
		"type": "bar",
		"fieldtype": "Int",
	}
	overall = measures.satisfaction(all_stars)
	loyalty = measures.loyalty(all_answers)
	summary = [
		{"label": _("Average Rating"), "value": overall.average, "datatype": "Float", "indicator": "Blue"},
		{"label": _("Rated 4-5 %"), "value": overall.satisfied_share, "datatype": "Percent"},
		{"label": _("Survey Response %"), "value": measures.rate(*surveyed), "datatype": "Percent"},
		{"label": _("Loyalty Score"), "value": loyalty.score, "datatype": "Float", "indicator": "Green"},
		{"label": _("Loyalty Answers"), "value": loyalty.responses, "datatype": "Int"},
	]
	return columns, rows, None, chart, summary


def _satisfaction_row(key, stars: dict[int, int], surveyed: tuple[int, int], answers: dict[int, int]) -> dict:
	satisfaction = measures.satisfaction(stars)
	loyalty = measures.loyalty(answers)
	return {
		"group": _not_set(key),
		"ratings": satisfaction.ratings,
		"average_rating": satisfaction.average,
		"satisfied_share": satisfaction.satisfied_share,
		"resolved": surveyed[1],
		"response_rate": measures.rate(*surveyed),
		"loyalty_responses": loyalty.responses,
		"promoters": loyalty.promoters,
		"passives": loyalty.passives,
		"detractors": loyalty.detractors,
		"loyalty_score": loyalty.score,
	}


# -- Customer Feedback (voice of the customer) ------------------------------------------------------------------


@on_replica
@queries.one_permission_condition
def customer_feedback(filters: dict | None = None):
	queries.require_access()
	f = KpiFilters.from_report(filters, default_days=90)
	voice_filter = (filters or {}).get("customer_voice")
	rows = [row for row in queries.voice(f) if not voice_filter or row.voice == voice_filter]
	columns = [
		{"fieldname": "ticket", "label": _("Ticket"), "fieldtype": "Link", "options": "Ticket", "width": 90},
		_col("month", "Month", "Data", 90),
		{
			"fieldname": "category",
			"label": _("Category"),
			"fieldtype": "Link",
			"options": "Support Category",
			"width": 180,
		},
		_col("voice", "Customer Voice", "Data", 120),
		_col("subject", "Subject", "Data", 280),
		# Text, not a Link: Frappe drops report rows linking records of a doctype the viewer cannot read,
		# and ERPNext gives Customer to sales and accounts roles, not to the support desk.
		_col("customer", "Customer", "Data", 180),
		_col("channel", "Channel", "Data", 100),
		_col("status", "Status", "Data", 110),
		_col("opened", "Opened", "Datetime", 160),
	]
	months = sorted({row.month for row in rows})
	chart = {
		"data": {
			"labels": months,
			"datasets": [
				{
					"name": _(kind),
					"values": [
						sum(1 for row in rows if row.month == month and row.voice == kind) for month in months
					],
				}
				for kind in measures.VOICE_TYPES
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"fieldtype": "Int",
	}
	summary = [
		{"label": _(kind), "value": sum(1 for row in rows if row.voice == kind), "datatype": "Int"}
		for kind in measures.VOICE_TYPES
	]
	return columns, rows, None, chart, summary
