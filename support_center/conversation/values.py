"""The values a ticket exposes to canned replies and the acknowledgement (see ``placeholders``)."""

from zoneinfo import ZoneInfo

import frappe
from babel.dates import format_date
from frappe.utils import get_datetime, get_fullname, get_system_timezone, get_url

from support_center.sla.service import to_aware


def policy_zone(ticket) -> str:
	if ticket.sla_policy:
		zone = frappe.db.get_value("SLA Policy", ticket.sla_policy, "timezone")
		if zone:
			return zone
	return get_system_timezone()


def format_moment(value, zone: str, language: str | None = None) -> str:
	"""A stored (naive, system time) datetime as the customer reads it: "Tuesday, December 1, 2026 10:00"."""
	if not value:
		return ""
	local = to_aware(get_datetime(value)).astimezone(ZoneInfo(zone))
	locale = (language or "en").replace("-", "_")
	try:
		day = format_date(local.date(), "full", locale=locale)
	except Exception:
		day = format_date(local.date(), "full", locale="en")
	return f"{day} {local:%H:%M} ({zone})"


def customer_language(ticket) -> str:
	"""The customer's user language, else their Customer's print language, else the site's."""
	language = None
	if ticket.raised_by:
		language = frappe.db.get_value("User", {"email": ticket.raised_by}, "language")
	if not language and ticket.customer:
		language = frappe.db.get_value("Customer", ticket.customer, "language")
	return language or frappe.db.get_default("lang") or "en"


def contact_name(ticket) -> str:
	if ticket.contact:
		first, last = frappe.db.get_value("Contact", ticket.contact, ["first_name", "last_name"]) or ("", "")
		name = " ".join(part for part in (first, last) if part)
		if name:
			return name
	return ticket.raised_by_name or ticket.raised_by or ""


def agent_of(ticket) -> str | None:
	"""The agent the ticket is assigned to, if any."""
	assigned = frappe.get_all(
		"ToDo",
		filters={"reference_type": "Ticket", "reference_name": str(ticket.name), "status": "Open"},
		pluck="allocated_to",
		order_by="creation desc",
		limit=1,
	)
	return assigned[0] if assigned else None


def ticket_values(ticket, agent: str | None = None, language: str | None = None) -> dict:
	zone = policy_zone(ticket)
	agent = agent or agent_of(ticket)
	return {
		"customer_name": ticket.customer_name or ticket.customer or "",
		"contact_name": contact_name(ticket),
		"ticket": int(ticket.name),
		"subject": ticket.subject or "",
		"category": ticket.category or "",
		"agent_name": get_fullname(agent) if agent else "",
		"response_due": format_moment(ticket.response_due, zone, language),
		"resolution_due": format_moment(ticket.resolution_due, zone, language),
		"portal_link": get_url(f"/support/tickets/{ticket.name}"),
	}
