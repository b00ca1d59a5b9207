"""Ticket search for the desk: the full text of tickets and conversations, and similar resolved tickets.

Staff only: customers find their own tickets on the portal; this searches everyone's, and internal notes.
"""

import frappe
from frappe import _

from support_center.permissions.ticket import is_support_staff
from support_center.search import tickets


def _ensure_staff() -> None:
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)


@frappe.whitelist()
def search(query: str, limit: int = 20) -> list[dict]:
	"""Tickets whose subject, text, conversation or internal notes hold every word of ``query``."""
	_ensure_staff()
	frappe.has_permission("Ticket", "read", throw=True)
	return tickets.search(query, min(max(int(limit), 1), 100), include_notes=True)


@frappe.whitelist()
def similar(ticket: int) -> list[dict]:
	"""A few resolved tickets like this one, each with the reply it last got."""
	_ensure_staff()
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("read")
	return tickets.similar_resolved(doc)
