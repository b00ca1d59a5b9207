"""Ticket alerts for the desk: the assignee opened the ticket, so its customer's reply is read."""

import frappe
from frappe import _

from support_center.notifications import alerts
from support_center.permissions.ticket import is_support_staff


@frappe.whitelist(methods=["POST"])
def mark_seen(ticket: int) -> bool:
	"""Clear the ticket's unread customer reply and the caller's alerts on it (assignee, or anyone on the
	desk while it is unassigned); False when the caller is not the one to read it."""
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("read")
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)
	return alerts.mark_seen(doc.name, frappe.session.user)
