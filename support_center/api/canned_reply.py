"""Canned replies in the reply box: the picker's search and rendering a reply for a ticket."""

import frappe
from frappe import _

from support_center.conversation import canned
from support_center.permissions.ticket import is_support_staff


def _readable_ticket(ticket: int):
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("read")
	return doc


@frappe.whitelist()
def search(ticket: int, txt: str = "") -> list[dict]:
	"""Search-as-you-type: replies fitting the ticket's category and the agent's scope."""
	return canned.search(_readable_ticket(ticket), txt or "")


@frappe.whitelist()
def render(ticket: int, canned_reply: str) -> str:
	"""The canned reply rendered for the ticket (values HTML-escaped); counts its use."""
	doc = _readable_ticket(ticket)
	if not frappe.db.exists("Canned Reply", canned_reply):
		frappe.throw(_("Canned reply {0} does not exist.").format(canned_reply), frappe.DoesNotExistError)
	return canned.render_for(doc, canned_reply)


@frappe.whitelist()
@frappe.validate_and_sanitize_search_inputs
def link_search(doctype: str, txt: str, searchfield: str, start: int, page_len: int, filters: dict) -> list:
	"""The composer's Link field: rows of (name, title, scope) for ``search``."""
	ticket = (filters or {}).get("ticket")
	if not ticket:
		return []
	rows = canned.search(_readable_ticket(int(ticket)), txt or "")
	return [
		(row["name"], row["title"], row["preview"]) for row in rows[int(start) : int(start) + int(page_len)]
	]
