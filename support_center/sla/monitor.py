"""Notice warnings and breaches when they happen, not when someone saves the ticket.

Every minute the scheduler runs `run`: two set-based UPDATEs move tickets whose warning point or
deadline has passed to At Risk or Breached, using the indexed columns the ticket keeps up to date.
Nothing is loaded as a document there, so the cost follows the rows that change, not the open tickets.

Notifications are a second step. A ticket whose `sla_status` differs from `sla_notified_status` has news;
`notify_pending` handles each such ticket in its own transaction that both acts (notification logs,
queued email, priority, reassignment) and records what it notified, so every transition is announced
exactly once: a crash before the commit leaves the ticket pending for the next run, never half-sent.
"""

from datetime import datetime

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce, Count
from frappe.utils import now_datetime

from support_center.sla.engine import SlaStatus

RUNNING = (SlaStatus.ON_TRACK.value, SlaStatus.AT_RISK.value)
NEWS = (SlaStatus.AT_RISK.value, SlaStatus.BREACHED.value)


def run(now: datetime | None = None) -> dict[str, int]:
	"""The scheduled job: mark what passed, then hand notifying to a background job."""
	moved = mark_transitions(now or now_datetime())
	if pending_count():
		frappe.enqueue(
			"support_center.sla.monitor.notify_pending",
			queue="short",
			job_id="support_center_sla_notify",
			deduplicate=True,
			enqueue_after_commit=True,
		)
	return moved


def mark_transitions(now: datetime) -> dict[str, int]:
	ticket = DocType("Ticket")
	(
		frappe.qb.update(ticket)
		.set(ticket.sla_status, SlaStatus.BREACHED.value)
		.set(ticket.sla_breached_on, Coalesce(ticket.sla_breached_on, ticket.sla_next_due))
		.where(ticket.sla_status.isin(RUNNING))
		.where(ticket.sla_next_due <= now)
		.run()
	)
	breached = frappe.db._cursor.rowcount
	(
		frappe.qb.update(ticket)
		.set(ticket.sla_status, SlaStatus.AT_RISK.value)
		.where(ticket.sla_status == SlaStatus.ON_TRACK.value)
		.where(ticket.sla_warning_at <= now)
		.run()
	)
	at_risk = frappe.db._cursor.rowcount
	return {"breached": breached, "at_risk": at_risk}


def _pending_query():
	ticket = DocType("Ticket")
	return (
		frappe.qb.from_(ticket)
		.where(ticket.sla_status.isin(NEWS))
		.where(Coalesce(ticket.sla_notified_status, "") != ticket.sla_status)
	)


def pending_count() -> int:
	return _pending_query().select(Count("*")).run()[0][0]


def notify_pending(limit: int = 500) -> int:
	"""Announce each pending transition once; returns how many were announced."""
	names = _pending_query().select(DocType("Ticket").name).limit(limit).run(pluck=True)
	done = 0
	for name in names:
		try:
			if notify_ticket(name):
				done += 1
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title=_("SLA notification failed"), reference_doctype="Ticket", reference_name=name
			)
	return done


def notify_ticket(name: str | int) -> bool:
	# The row lock makes two concurrent notifiers announce a transition once between them.
	row = frappe.db.get_value(
		"Ticket", name, ["sla_status", "sla_notified_status"], as_dict=True, for_update=True
	)
	if not row or row.sla_status not in NEWS or (row.sla_notified_status or "") == row.sla_status:
		return False
	ticket = frappe.get_doc("Ticket", name)
	policy = frappe.get_cached_doc("SLA Policy", ticket.sla_policy) if ticket.sla_policy else None
	breached = ticket.sla_status == SlaStatus.BREACHED.value
	prefix = "breach" if breached else "warning"
	recipients = set()
	if policy:
		if policy.get(f"{prefix}_notify_assignee"):
			recipients |= set(assignees(ticket))
		if policy.get(f"{prefix}_notify_responsible") and ticket.category:
			responsible = frappe.db.get_value("Support Category", ticket.category, "responsible")
			if responsible:
				recipients.add(responsible)
		if policy.get(f"{prefix}_notify_role"):
			recipients |= set(users_with_role(policy.get(f"{prefix}_notify_role")))
	recipients.discard("Guest")
	if recipients:
		if breached:
			subject = _("Ticket {0} missed its SLA: {1} was due {2}").format(
				ticket.name, ticket.subject, frappe.utils.format_datetime(ticket.sla_breached_on)
			)
		else:
			subject = _("Ticket {0} is at risk of missing its SLA: {1} is due {2}").format(
				ticket.name, ticket.subject, frappe.utils.format_datetime(ticket.sla_next_due)
			)
		make_notification_logs(
			{
				"type": "Alert",
				"document_type": "Ticket",
				"document_name": str(ticket.name),
				"subject": subject,
				"from_user": "Administrator",
			},
			sorted(recipients),
		)
	if breached and policy:
		escalate(ticket, policy)
	frappe.db.set_value("Ticket", name, "sla_notified_status", ticket.sla_status, update_modified=False)
	ticket.add_comment(
		"Info",
		_("SLA {0}: notified {1}").format(
			_(ticket.sla_status), ", ".join(sorted(recipients)) if recipients else _("nobody")
		),
	)
	return True


def escalate(ticket, policy) -> None:
	if policy.breach_raise_priority_to and ticket.priority != policy.breach_raise_priority_to:
		frappe.db.set_value("Ticket", ticket.name, "priority", policy.breach_raise_priority_to)
		ticket.add_comment(
			"Info", _("Priority raised to {0} after the SLA breach").format(policy.breach_raise_priority_to)
		)
	team = policy.breach_reassign_to_team
	if team and ticket.get("team") != team:
		# The team's own assignment rule picks the agent, as for any ticket that reaches the team.
		from support_center.routing.assign import route

		frappe.db.set_value("Ticket", ticket.name, "team", team)
		ticket.team = team
		route(ticket, _("SLA breached: escalated to team {0}").format(team))


def assignees(ticket) -> list[str]:
	return frappe.get_all(
		"ToDo",
		filters={"reference_type": "Ticket", "reference_name": str(ticket.name), "status": "Open"},
		pluck="allocated_to",
	)


def users_with_role(role: str) -> list[str]:
	has_role, user = DocType("Has Role"), DocType("User")
	return (
		frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(user.name)
		.where((has_role.role == role) & (has_role.parenttype == "User") & (user.enabled == 1))
		.run(pluck=True)
	)
