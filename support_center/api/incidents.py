"""Incidents from the desk: link tickets (one or many), unlink, resolve with one message to everyone."""

import frappe
from frappe import _

from support_center import incidents
from support_center.permissions.ticket import is_support_staff


def _ensure_staff() -> None:
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)


def _writable(name: str | int):
	doc = frappe.get_doc("Ticket", name)
	doc.check_permission("write")
	return doc


@frappe.whitelist(methods=["POST"])
def link(incident: int, tickets: list | str) -> list[str]:
	"""Link tickets to an incident; each ticket and the incident must be writable by the caller."""
	_ensure_staff()
	names = frappe.parse_json(tickets) if isinstance(tickets, str) else tickets
	if not isinstance(names, list):
		frappe.throw(_("Give a list of tickets."))
	_writable(incident)
	for name in names:
		_writable(int(name))
	return incidents.link(incident, [int(name) for name in names])


@frappe.whitelist(methods=["POST"])
def unlink(ticket: int) -> None:
	_ensure_staff()
	_writable(ticket)
	incidents.unlink(ticket)


@frappe.whitelist()
def linked(incident: int) -> list[dict]:
	"""The incident's linked tickets, for its form."""
	_ensure_staff()
	frappe.get_doc("Ticket", incident).check_permission("read")
	return incidents.linked_tickets(incident, open_only=False)


@frappe.whitelist(methods=["POST"])
def resolve(incident: int, message: str) -> dict:
	"""Tell every linked customer ``message`` and resolve the incident and its tickets."""
	_ensure_staff()
	_writable(incident)
	return incidents.resolve(incident, message)
