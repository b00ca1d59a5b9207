"""The Ticket workflow, and the app's own status changes.

Shipping: the "Ticket Workflow" (states = the Ticket's ``status`` options, role-based transitions from
``routing.status.TRANSITIONS``) is created by ``ensure_ticket_workflow`` from ``install.ensure_masters``
when it does not exist, and never touched again. It is not a fixture on purpose: Frappe imports fixtures
with ``force=True`` on every migrate, which would undo a manager's edits to the workflow in the desk.

App-driven changes (agent reply, customer reply, auto-close) are decided by ``routing.status.app_target``
and applied by ``apply_app_status``: it saves the ticket with ``flags.status_set_by_app``, which makes
``Ticket.validate_workflow`` skip Frappe's transition check (Frappe 15's ``validate_workflow`` has no
bypass of its own; ``db_set`` would skip every other validation, the SLA and the version). Everything else
in the save runs as usual, the change lands in the version history, and an Info comment says why. Flags
never come from a request, so a client cannot use the bypass.
"""

import frappe
from frappe import _
from frappe.model.workflow import get_workflow_name
from frappe.query_builder import DocType
from frappe.utils import add_days, cint, now_datetime
from pypika.terms import ExistsCriterion

from support_center.conversation.visibility import is_customer_visible
from support_center.permissions.ticket import is_support_staff
from support_center.routing import status as rules
from support_center.settings import store_default

WORKFLOW_NAME = "Ticket Workflow"
STATE_STYLES = {
	rules.OPEN: "Danger",
	rules.REPLIED: "Primary",
	rules.WAITING: "Warning",
	rules.RESOLVED: "Success",
	rules.CLOSED: "Inverse",
}
EVENT_TEXT = {
	rules.AGENT_REPLY: "An agent replied.",
	rules.CUSTOMER_REPLY: "The customer replied.",
	rules.AUTO_CLOSE: "Closed automatically after {0} days without a reply from the customer.",
}


def ensure_ticket_workflow() -> None:
	for state, style in STATE_STYLES.items():
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": state, "style": style}
			).insert(ignore_permissions=True)
	for action in sorted({row[1] for row in rules.TRANSITIONS}):
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
	if frappe.db.exists("Workflow", WORKFLOW_NAME):
		return
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": WORKFLOW_NAME,
			"document_type": "Ticket",
			"is_active": 1,
			"workflow_state_field": "status",
			"send_email_alert": 0,
			"override_status": 1,
			# Optional states: Frappe creates no "Workflow Action" records (an approval to-do list for every
			# Support Team member, and a dozen queries on every status change) for a ticket's states.
			"states": [
				{"state": state, "doc_status": "0", "allow_edit": rules.AGENT, "is_optional_state": 1}
				for state in rules.STATUSES
			],
			"transitions": [
				{
					"state": frm,
					"action": action,
					"next_state": to,
					"allowed": role,
					"allow_self_approval": 1,
				}
				for frm, action, to, roles in rules.TRANSITIONS
				for role in roles
			],
		}
	).insert(ignore_permissions=True)


def ensure_routing_settings() -> None:
	"""Int fields of a Single read as 0 until stored: store the defaults once (0 means "off")."""
	for fieldname, default in (("sticky_agent_min_tickets", 3), ("auto_close_after_days", 7)):
		store_default(fieldname, default)


def workflow_states() -> list[str] | None:
	"""The states of the active Ticket workflow, or None when there is none."""
	name = get_workflow_name("Ticket")
	if not name:
		return None
	return [row.state for row in frappe.get_cached_doc("Workflow", name).states]


def apply_app_status(ticket, event: str, note: str | None = None, **changes) -> bool:
	"""Move the ticket as the app's rules say for ``event``; other field ``changes`` are saved with it."""
	target = rules.app_target(event, ticket.status, workflow_states())
	if not target and not changes:
		return False
	ticket.update(changes)
	if target:
		ticket.status = target
		ticket.flags.status_set_by_app = True
	ticket.save(ignore_permissions=True)
	ticket.flags.status_set_by_app = False
	if target:
		ticket.add_comment("Info", note or _(EVENT_TEXT[event]))
	return bool(target)


def on_ticket_communication(ticket, communication) -> None:
	"""Called by ``Ticket.on_communication_update`` (which replaces Frappe's own status flipping)."""
	# Internal mail (conversation/visibility.py) moves nothing: a supplier's reply is not the customer's.
	if not communication.flags.in_insert or not is_customer_visible(communication):
		return
	if communication.sent_or_received == "Received":
		apply_app_status(ticket, rules.CUSTOMER_REPLY)
	elif communication.sent_or_received == "Sent" and _sent_by_staff(communication):
		changes = {}
		if not ticket.first_responded_on:
			changes["first_responded_on"] = communication.communication_date or now_datetime()
		apply_app_status(ticket, rules.AGENT_REPLY, **changes)


def _sent_by_staff(communication) -> bool:
	user = (
		frappe.db.get_value("User", {"email": communication.sender}, "name") if communication.sender else None
	)
	return is_support_staff(user or frappe.session.user)


def auto_close_resolved_tickets() -> int:
	"""Close Resolved tickets with no customer reply for ``auto_close_after_days``; set-based."""
	days = cint(frappe.db.get_single_value("Support Center Settings", "auto_close_after_days"))
	target = rules.app_target(rules.AUTO_CLOSE, rules.RESOLVED, workflow_states())
	if days <= 0 or not target:
		return 0
	now = now_datetime()
	cutoff = add_days(now, -days)
	ticket, comm = DocType("Ticket"), DocType("Communication")
	replied = (
		frappe.qb.from_(comm)
		.select(comm.name)
		.where(
			(comm.reference_doctype == "Ticket")
			& (comm.reference_name == ticket.name)
			& (comm.sent_or_received == "Received")
			& (comm.creation > cutoff)
		)
	)
	names = (
		frappe.qb.from_(ticket)
		.select(ticket.name)
		.where(
			(ticket.status == rules.RESOLVED)
			& (ticket.resolved_on.isnotnull())
			& (ticket.resolved_on <= cutoff)
			& ExistsCriterion(replied).negate()
		)
		.run(pluck=True)
	)
	if not names:
		return 0
	(
		frappe.qb.update(ticket)
		.set(ticket.status, target)
		.set(ticket.modified, now)
		.where(ticket.name.isin(names) & (ticket.status == rules.RESOLVED))
		.run()
	)
	todo = DocType("ToDo")
	(
		frappe.qb.update(todo)
		.set(todo.status, "Closed")
		.where(
			(todo.reference_type == "Ticket")
			& (todo.reference_name.isin([str(name) for name in names]))
			& (todo.status == "Open")
		)
		.run()
	)
	text = _(EVENT_TEXT[rules.AUTO_CLOSE]).format(days)
	fields = ["name", "creation", "modified", "owner", "modified_by", "comment_type"]
	fields += ["reference_doctype", "reference_name", "content", "comment_email"]
	rows = [
		(
			frappe.generate_hash(length=10),
			now,
			now,
			"Administrator",
			"Administrator",
			"Info",
			"Ticket",
			str(name),
			text,
			"Administrator",
		)
		for name in names
	]
	frappe.db.bulk_insert("Comment", fields, rows)
	return len(names)


def on_ticket_validate(doc, method=None) -> None:
	"""A reopened ticket keeps count: it no longer counts as resolved on first contact."""
	before = doc.get_doc_before_save()
	if before and rules.is_reopen(before.status, doc.status):
		doc.reopen_count = cint(doc.reopen_count) + 1
