"""The Support workspace's Number Cards (type Custom): one whitelisted method per card.

Each reads with the viewer's permissions (``queries.where`` adds the condition ``frappe.get_list`` would)
and only for users with report access to tickets; the replica answers when the site has one.
"""

from __future__ import annotations

from dataclasses import replace

import frappe
from frappe import _

from support_center.kpi import measures, queries
from support_center.kpi.queries import KpiFilters
from support_center.kpi.replica import on_replica


def _filters(days: int) -> KpiFilters:
	queries.require_access()
	return replace(KpiFilters.from_report({}, default_days=days), group_by="Channel")


def _card(value, fieldtype: str, report: str, route_options: dict | None = None) -> dict | str:
	if value is None:
		# Nothing to measure yet (no ratings, no answers): say so rather than show a zero.
		return _("No data")
	return {
		"value": value,
		"fieldtype": fieldtype,
		"route": ["query-report", report],
		"route_options": route_options or {},
	}


@frappe.whitelist()
@on_replica
def open_tickets(filters: dict | str | None = None) -> dict | str:
	"""Tickets not resolved or closed, now."""
	return _card(queries.snapshot(_filters(30))["open_now"], "Int", "Ticket Analytics")


@frappe.whitelist()
@on_replica
def breached_now(filters: dict | str | None = None) -> dict | str:
	"""Open tickets whose SLA is breached, now."""
	return _card(queries.snapshot(_filters(30))["breached_now"], "Int", "SLA Compliance")


@frappe.whitelist()
@on_replica
def waiting_three_days(filters: dict | str | None = None) -> dict | str:
	"""Open tickets without any answer for three calendar days or more."""
	return _card(queries.snapshot(_filters(30))["waiting"], "Int", "Ticket Analytics")


@frappe.whitelist()
@on_replica
def median_first_response(filters: dict | str | None = None) -> dict | str:
	"""Median first-response time (business time) of tickets first answered in the last 30 days."""
	median, _p90, _count = queries.overall_percentiles(_filters(30), "first_response")
	return _card(median, "Duration", "Ticket Analytics")


@frappe.whitelist()
@on_replica
def first_contact_resolution(filters: dict | str | None = None) -> dict | str:
	"""Share of the last 30 days' resolved tickets solved with one public reply and never reopened."""
	counts = queries.resolutions(_filters(30))
	return _card(measures.rate(counts["fcr"], counts["resolved"]), "Percent", "Ticket Analytics")


@frappe.whitelist()
@on_replica
def average_rating(filters: dict | str | None = None) -> dict | str:
	"""Average rating (1-5 stars) given in the last 30 days."""
	histogram: dict[int, int] = {}
	for stars in queries.ratings(_filters(30)).values():
		for star, count in stars.items():
			histogram[star] = histogram.get(star, 0) + count
	return _card(measures.satisfaction(histogram).average, "Float", "Customer Satisfaction")


@frappe.whitelist()
@on_replica
def loyalty_score(filters: dict | str | None = None) -> dict | str:
	"""Loyalty score (share of 9-10 minus share of 0-6) of the last 90 days' answers."""
	histogram: dict[int, int] = {}
	for scores in queries.loyalty_answers(_filters(90)).values():
		for score, count in scores.items():
			histogram[score] = histogram.get(score, 0) + count
	return _card(measures.loyalty(histogram).score, "Float", "Customer Satisfaction")


@frappe.whitelist()
@on_replica
def deflected_requests(filters: dict | str | None = None) -> dict | str:
	"""Portal requests a suggested knowledge-base article answered in the last 30 days (no ticket followed)."""
	counts = queries.knowledge_base(_filters(30))
	return _card(counts["deflected"] if counts else None, "Int", "Ticket Analytics")


CARDS = {
	"Open Tickets": (open_tickets, "Blue"),
	"Breached Now": (breached_now, "Red"),
	"No Answer 3+ Days": (waiting_three_days, "Orange"),
	"Median First Response (30 Days)": (median_first_response, "Cyan"),
	"First-Contact Resolution (30 Days)": (first_contact_resolution, "Green"),
	"Average Rating (30 Days)": (average_rating, "Yellow"),
	"Loyalty Score (90 Days)": (loyalty_score, "Purple"),
	"Deflected Requests (30 Days)": (deflected_requests, "Green"),
}
