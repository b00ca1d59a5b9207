"""Whitelisted ticket actions for the desk: reassignment, escalation, availability, reply checks.

Every method checks permission on the server; nothing the client sends is trusted.
"""

import frappe
from frappe import _
from frappe.utils import get_datetime

from support_center.permissions.ticket import is_support_staff
from support_center.routing.assign import assign_user, route
from support_center.routing.assignment import AVAILABLE, AWAY
from support_center.routing.availability import FIELD as AVAILABILITY_FIELD


def _ensure_staff() -> None:
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)


def _writable_ticket(ticket: int):
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("write")
	_ensure_staff()
	return doc


@frappe.whitelist()
def newer_reply_exists(ticket: int, since: str) -> bool:
	"""Whether someone other than the current user has replied on the ticket after ``since``."""
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission("read")
	_ensure_staff()
	me = frappe.db.get_value("User", frappe.session.user, "email") or frappe.session.user
	return bool(
		frappe.get_all(
			"Communication",
			filters={
				"reference_doctype": "Ticket",
				"reference_name": str(doc.name),
				"communication_type": "Communication",
				"sent_or_received": "Sent",
				"creation": (">", get_datetime(since)),
				"sender": ("!=", me),
			},
			limit=1,
			ignore_permissions=True,
		)
	)


@frappe.whitelist()
def set_my_availability(availability: str) -> str:
	"""An agent marks themselves Available or Away."""
	_ensure_staff()
	if availability not in (AVAILABLE, AWAY):
		frappe.throw(_("Availability must be Available or Away."))
	frappe.db.set_value("User", frappe.session.user, AVAILABILITY_FIELD, availability)
	return availability


@frappe.whitelist()
def reassign(
	ticket: int, team: str | None = None, user: str | None = None, note: str | None = None
) -> str | None:
	"""Give the ticket to a team (its rule picks the agent) or to a person, in one action."""
	doc = _writable_ticket(ticket)
	return _reassign(doc, team, user, note, escalate=False)


@frappe.whitelist()
def escalate(ticket: int, team: str, note: str | None = None) -> str | None:
	"""Hand the ticket to the next line: another team, recorded as an escalation."""
	doc = _writable_ticket(ticket)
	if not team or team == doc.team:
		frappe.throw(_("Choose another team to escalate to."))
	return _reassign(doc, team, None, note, escalate=True)


@frappe.whitelist()
def bulk_reassign(tickets: str | list, team: str | None = None, user: str | None = None) -> int:
	"""The list view's "Reassign" bulk action: each ticket is checked on its own."""
	names = frappe.parse_json(tickets) if isinstance(tickets, str) else tickets
	for name in names:
		_reassign(_writable_ticket(int(name)), team, user, None, escalate=False)
	return len(names)


def _reassign(doc, team: str | None, user: str | None, note: str | None, escalate: bool) -> str | None:
	if not team and not user:
		frappe.throw(_("Choose a team or a person."))
	if team and not frappe.db.exists("User Group", team):
		frappe.throw(_("Team {0} does not exist.").format(team))
	if user:
		if not frappe.db.get_value("User", user, "enabled"):
			frappe.throw(_("{0} is disabled or does not exist.").format(user))
		if not is_support_staff(user):
			frappe.throw(_("{0} is not support staff.").format(user))
		if team and not frappe.db.exists("User Group Member", {"parent": team, "user": user}):
			frappe.throw(_("{0} is not a member of team {1}.").format(user, team))
	old_team = doc.team
	me = frappe.session.user
	if escalate:
		why = _("Escalated by {0} from team {1} to team {2}").format(me, old_team or "-", team)
	else:
		why = _("Reassigned by {0}").format(me)
	if note:
		why = f"{why} ({note})"
	if team and team != doc.team:
		doc.team = team
		doc.save()
	if user:
		assign_user(doc, user, _("Assigned to {0}.").format(user), why)
		return user
	return route(doc, why)
