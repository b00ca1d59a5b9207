"""The customer's ticket list: their own tickets and their company's, filtered, searched and paged.

Access is the same rule as the Ticket permission hooks (``portal_scope``: the user's contacts and the
customers they are a portal user of; staff see every ticket), applied as an explicit condition of the
query. Pages are keyset-paged on (modified, name) newest first, so page 50 costs what page 1 costs, and
the ``(customer, modified)`` and ``(contact, modified)`` indexes (Ticket.on_doctype_update) keep a
customer's slice small however many tickets the site has.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count
from frappe.utils import get_system_timezone

from support_center.conversation.values import format_moment
from support_center.permissions.ticket import is_support_staff, portal_scope
from support_center.portal import rules

FIELDS = ("name", "subject", "status", "category", "customer_name", "modified", "response_due", "sla_policy")


@dataclass
class TicketPage:
	rows: list[dict] = field(default_factory=list)
	next_cursor: str | None = None
	total: int = 0


def _scope_condition(ticket, user: str):
	"""None for staff (every ticket), else the customer's condition; False when they have no party."""
	if is_support_staff(user):
		return None
	scope = portal_scope(user)
	condition = None
	if scope.contacts:
		condition = ticket.contact.isin(sorted(scope.contacts))
	if scope.customers:
		by_customer = ticket.customer.isin(sorted(scope.customers))
		condition = by_customer if condition is None else (condition | by_customer)
	return condition if condition is not None else False


def _base_query(user: str, status: str, search: rules.Search):
	ticket = DocType("Ticket")
	condition = _scope_condition(ticket, user)
	if condition is False:
		return ticket, None
	query = frappe.qb.from_(ticket)
	if condition is not None:
		query = query.where(condition)
	statuses = rules.STATUS_FILTERS[status]
	if statuses:
		query = query.where(ticket.status.isin(statuses))
	if search.text:
		pattern = "%" + search.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
		matches = ticket.subject.like(pattern)
		if search.number is not None:
			matches = matches | (ticket.name == search.number)
		query = query.where(matches)
	return ticket, query


def list_tickets(
	user: str,
	status: str = rules.DEFAULT_STATUS_FILTER,
	search: str | None = None,
	cursor: str | None = None,
	page_size: int = rules.PAGE_SIZE,
	language: str = "en",
) -> TicketPage:
	status = rules.status_filter(status)
	parsed = rules.parse_search(search)
	ticket, query = _base_query(user, status, parsed)
	if query is None:
		return TicketPage()
	total = query.select(Count("*")).run()[0][0]
	after = rules.decode_cursor(cursor)
	page_query = query.select(*[ticket[f] for f in FIELDS])
	if after:
		page_query = page_query.where(
			(ticket.modified < after.modified)
			| ((ticket.modified == after.modified) & (ticket.name < after.name))
		)
	rows = (
		page_query.orderby(ticket.modified, order=frappe.qb.desc)
		.orderby(ticket.name, order=frappe.qb.desc)
		.limit(page_size + 1)
		.run(as_dict=True)
	)
	next_cursor = None
	if len(rows) > page_size:
		rows = rows[:page_size]
		last = rows[-1]
		next_cursor = rules.Cursor(last.modified, int(last.name)).encode()
	add_expected_replies(rows, language)
	return TicketPage(rows=rows, next_cursor=next_cursor, total=total)


def add_expected_replies(rows: list[dict], language: str) -> None:
	"""When the desk will answer each ticket that waits for it (an Open ticket's response deadline)."""
	zones: dict[str | None, str] = {}
	for row in rows:
		row["expected_reply"] = ""
		if row.get("status") != "Open" or not row.get("response_due"):
			continue
		policy = row.get("sla_policy")
		if policy not in zones:
			zone = frappe.db.get_value("SLA Policy", policy, "timezone") if policy else None
			zones[policy] = zone if zone and _valid_zone(zone) else get_system_timezone()
		row["expected_reply"] = format_moment(row["response_due"], zones[policy], language)


def _valid_zone(zone: str) -> bool:
	try:
		ZoneInfo(zone)
		return True
	except Exception:
		return False
