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
def merge(source: int, target: int, confirm_different_customers: bool = False) -> int:
	"""Merge ticket ``source`` into ``target``; returns the target's number.

	Tickets of different customers merge only with ``confirm_different_customers``; without it the error
	(``DifferentCustomersError``) names both, and the desk asks the agent before sending it again.
	"""
	_ensure_staff()
	source_doc, target_doc = _writable(source), _writable(target)
	merging.merge(source_doc, target_doc, confirm_different_customers)
	return int(target_doc.name)


@frappe.whitelist()
def bulk_merge(tickets: str | list, target: int, confirm_different_customers: bool = False) -> int:
	"""The list view's "Merge into…": each selected ticket (but the target) into ``target``."""
	_ensure_staff()
	names = frappe.parse_json(tickets) if isinstance(tickets, str) else tickets
	target_doc = _writable(target)
	sources = [_writable(int(name)) for name in names if str(name) != str(target_doc.name)]
	if not sources:
		frappe.throw(_("Choose at least one ticket other than ticket {0}.").format(target_doc.name))
	# Every ticket is checked before any moves: one refusal leaves all of them as they were.
	for source_doc in sources:
		merging.check_merge(source_doc, target_doc, confirm_different_customers)
	for source_doc in sources:
		merging.merge(source_doc, target_doc, confirm_different_customers)
	return len(sources)
