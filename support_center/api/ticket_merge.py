"""Merging tickets from the desk: one ticket into another, or several (the list view) into one."""

import frappe
from frappe import _

from support_center.conversation import merge as merging
from support_center.permissions.ticket import is_support_staff


def _writable(ticket: int):
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("write")
	return doc


def _ensure_staff() -> None:
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)


@frappe.whitelist()
def merge(source: int, target: int) -> int:
	"""Merge ticket ``source`` into ``target``; returns the target's number."""
	_ensure_staff()
	source_doc, target_doc = _writable(source), _writable(target)
	merging.merge(source_doc, target_doc)
	return int(target_doc.name)


@frappe.whitelist()
def bulk_merge(tickets: str | list, target: int) -> int:
	"""The list view's "Merge into…": each selected ticket (but the target) into ``target``."""
	_ensure_staff()
	names = frappe.parse_json(tickets) if isinstance(tickets, str) else tickets
	target_doc = _writable(target)
	sources = [_writable(int(name)) for name in names if str(name) != str(target_doc.name)]
	if not sources:
		frappe.throw(_("Choose at least one ticket other than ticket {0}.").format(target_doc.name))
	for source_doc in sources:
		merging.check_merge(source_doc, target_doc)
	for source_doc in sources:
		merging.merge(source_doc, target_doc)
	return len(sources)
