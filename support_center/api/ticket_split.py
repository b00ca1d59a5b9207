"""Split a customer's message off into a new ticket (the reverse of merge)."""

import frappe
from frappe import _

from support_center.conversation import split as splitting
from support_center.permissions.ticket import is_support_staff


@frappe.whitelist(methods=["POST"])
def split(ticket: int, communication: str, subject: str | None = None) -> int:
	"""Move the message into a new ticket for the same customer; returns the new ticket's number."""
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("write")
	frappe.has_permission("Ticket", "create", throw=True)
	return splitting.split(doc, communication, subject)
