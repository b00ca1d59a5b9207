"""Follow-ups on the ticket form: the open callbacks, and logging the call back."""

import frappe
from frappe import _

from support_center import followups
from support_center.permissions.ticket import is_support_staff


def _staff_ticket(ticket: int, ptype: str):
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission(ptype)
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)
	return doc


@frappe.whitelist()
def open_callbacks(ticket: int) -> list[dict]:
	"""The ticket's missed calls still to be returned."""
	return followups.open_callbacks(_staff_ticket(ticket, "read").name)


@frappe.whitelist(methods=["POST"])
def log_callback(ticket: int, note: str) -> str:
	"""The agent called the customer back: the call is logged on the ticket and its callbacks close."""
	return followups.log_callback(_staff_ticket(ticket, "write"), note)
