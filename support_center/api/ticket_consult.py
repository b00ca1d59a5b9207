"""Consulting a colleague about a ticket from the desk."""

import frappe
from frappe import _

from support_center.conversation import consult as consulting
from support_center.permissions.ticket import is_support_staff


@frappe.whitelist()
def consult(ticket: int, recipients: str, message: str) -> str:
	"""Email the ticket's context and the question to ``recipients``; answers come back as internal notes."""
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("write")
	return consulting.consult(doc, recipients, message)
