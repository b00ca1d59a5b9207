"""Macros on the ticket form: preview what a canned reply will send and change, then apply it."""

import frappe
from frappe import _

from support_center.conversation import macros
from support_center.permissions.ticket import is_support_staff


def _ticket(ticket: int, ptype: str):
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission(ptype)
	return doc


def _reply(canned_reply: str) -> str:
	if not frappe.db.exists("Canned Reply", canned_reply):
		frappe.throw(_("Canned reply {0} does not exist.").format(canned_reply), frappe.DoesNotExistError)
	return canned_reply


@frappe.whitelist()
def preview(ticket: int, canned_reply: str) -> dict:
	"""The rendered reply and the field changes, nothing saved (counts the reply's use)."""
	return macros.preview(_ticket(ticket, "read"), _reply(canned_reply))


@frappe.whitelist(methods=["POST"])
def apply(ticket: int, canned_reply: str) -> dict:
	"""Send the reply and make the macro's changes as the caller."""
	return macros.apply(_ticket(ticket, "write"), _reply(canned_reply))
