"""What an agent sees beside a ticket: the same customer's other recent tickets, across channels."""

import frappe
from frappe import _

from support_center.permissions.ticket import is_support_staff


@frappe.whitelist()
def recent_tickets(ticket: int, limit: int = 10) -> list[dict]:
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("read")
	if not is_support_staff():
		frappe.throw(_("Only support staff can see a customer's history."), frappe.PermissionError)
	if doc.customer:
		filters = {"customer": doc.customer}
	elif doc.contact:
		filters = {"contact": doc.contact}
	elif doc.raised_by:
		filters = {"raised_by": doc.raised_by}
	else:
		return []
	filters["name"] = ("!=", doc.name)
	return frappe.get_list(
		"Ticket",
		filters=filters,
		fields=["name", "subject", "status", "channel", "creation"],
		order_by="creation desc",
		limit_page_length=max(1, min(int(limit), 50)),
	)
