"""Ticket alerts: the assignee (or the team, while nobody has the ticket) hears what needs them.

Events: the customer replied, a consult was answered, the ticket was escalated or rerouted to them.
Assignment itself is announced by Frappe (``assign_to.add`` makes an "Assignment" Notification Log and
mail, following the user's "Assignment" email setting); the SLA monitor announces warnings and breaches.

Each alert is a Frappe Notification Log of type "Alert" (the bell in the desk) for every recipient whose
notifications are enabled, and a mail when the user's Notification Settings keep email notifications on.
Frappe never mails an "Alert" log itself, so the mail is queued here with Frappe's own notification
template. The work runs in a background job after the commit (at once in tests), so a customer's message
never waits for it, and nothing is announced for a change that was rolled back. The person who caused the
event is never told about it.

The ticket's ``unread_customer_reply`` flag marks a customer message nobody on the desk has read yet: set
on a customer's message, cleared when staff replies publicly or the assignee (anyone on the desk while the
ticket is unassigned) opens the ticket.
"""

import frappe
from frappe import _
from frappe.desk.doctype.notification_settings.notification_settings import (
	is_email_notifications_enabled,
	is_notifications_enabled,
)
from frappe.query_builder import DocType
from frappe.utils import escape_html, get_url_to_form

from support_center.conversation.visibility import is_customer_visible

CUSTOMER_REPLY = "customer_reply"
CONSULT_ANSWERED = "consult_answered"
ESCALATED = "escalated"
UNREAD_FIELD = "unread_customer_reply"
TICKET = "Ticket"


# Who
# ---


def assignees(ticket: str | int) -> list[str]:
	todo = DocType("ToDo")
	return (
		frappe.qb.from_(todo)
		.select(todo.allocated_to)
		.distinct()
		.where(
			(todo.reference_type == TICKET) & (todo.reference_name == str(ticket)) & (todo.status == "Open")
		)
		.run(pluck=True)
	)


def team_members(team: str | None) -> list[str]:
	if not team:
		return []
	member, user = DocType("User Group Member"), DocType("User")
	return (
		frappe.qb.from_(member)
		.join(user)
		.on(user.name == member.user)
		.select(member.user)
		.where((member.parent == team) & (user.enabled == 1))
		.run(pluck=True)
	)


def responsible_people(ticket: str | int, team: str | None = None) -> list[str]:
	"""The assignees; while nobody has the ticket, its team."""
	people = assignees(ticket)
	if people:
		return people
	if team is None:
		team = frappe.db.get_value(TICKET, ticket, "team")
	return team_members(team)


# Announcing
# ----------


def announce(
	ticket: str | int,
	subject: str,
	users: list[str] | None = None,
	details: str | None = None,
) -> None:
	"""Alert ``users`` (default: the assignees, else the team) about the ticket, after the commit."""
	recipients = sorted(set(users if users is not None else responsible_people(ticket)))
	actor = frappe.session.user
	recipients = [user for user in recipients if user and user not in (actor, "Guest")]
	if not recipients:
		return
	frappe.enqueue(
		"support_center.notifications.alerts.deliver",
		queue="short",
		ticket=str(ticket),
		subject=subject,
		users=recipients,
		details=details,
		from_user=actor if actor != "Guest" else "Administrator",
		enqueue_after_commit=True,
		now=frappe.flags.in_test,
	)


def deliver(ticket: str, subject: str, users: list[str], details: str | None, from_user: str) -> int:
	"""The background job: one Notification Log per user who wants notifications, mail for who wants mail."""
	enabled = set(frappe.get_all("User", filters={"name": ("in", users), "enabled": 1}, pluck="name"))
	sent = 0
	for user in users:
		if user not in enabled or not is_notifications_enabled(user):
			continue
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"type": "Alert",
				"for_user": user,
				"from_user": from_user,
				"document_type": TICKET,
				"document_name": ticket,
				"subject": subject,
				"email_content": details,
			}
		).insert(ignore_permissions=True)
		if is_email_notifications_enabled(user):
			mail(user, ticket, subject, details)
		sent += 1
	return sent


def mail(user: str, ticket: str, subject: str, details: str | None) -> None:
	email = frappe.db.get_value("User", user, "email")
	if not email:
		return
	try:
		frappe.sendmail(
			recipients=[email],
			subject=frappe.utils.strip_html(subject),
			template="new_notification",
			args={
				"body_content": subject,
				"description": details,
				"doc_link": get_url_to_form(TICKET, ticket),
			},
			header=[_("Ticket #{0}").format(ticket), "orange"],
			# Not linked to the ticket: an alert to staff is not part of the customer's conversation.
		)
	except frappe.OutgoingEmailError:
		frappe.log_error(title=_("Ticket alert not mailed"), reference_doctype=TICKET, reference_name=ticket)


# Events
# ------


def on_ticket_insert(doc, method=None) -> None:
	"""Ticket after_insert: a mailbox's new ticket is followed by its opening mail, which is no reply."""
	if doc.get("incoming_email_account"):
		opened = frappe.flags.setdefault("support_center_opened_tickets", set())
		opened.add(str(doc.name))


def on_communication(doc, method=None) -> None:
	"""Communication after_insert: a customer's message on an existing ticket, or a staff reply."""
	if doc.reference_doctype != TICKET or not doc.reference_name or not is_customer_visible(doc):
		return
	ticket = str(doc.reference_name)
	if doc.sent_or_received == "Sent":
		frappe.db.set_value(TICKET, ticket, UNREAD_FIELD, 0, update_modified=False)
		return
	if doc.sent_or_received != "Received":
		return
	opened = frappe.flags.support_center_opened_tickets or set()
	if ticket in opened:
		opened.discard(ticket)
		return
	row = frappe.db.get_value(TICKET, ticket, ["subject", "team", "status"], as_dict=True)
	if not row:
		return
	frappe.db.set_value(TICKET, ticket, UNREAD_FIELD, 1, update_modified=False)
	who = doc.sender_full_name or doc.sender or doc.phone_no or _("The customer")
	announce(
		ticket,
		_("{0} replied on ticket #{1}: {2}").format(
			frappe.bold(escape_html(who)), ticket, escape_html(row.subject or "")
		),
		responsible_people(ticket, row.team),
		details=escape_html((doc.text_content or frappe.utils.strip_html(doc.content or ""))[:500]),
	)


def consult_answered(ticket: str | int, consult_author: str | None, answer_by: str, text: str) -> None:
	"""A colleague answered a consult: its author and the ticket's assignees (else team) hear it."""
	users = set(responsible_people(ticket))
	if consult_author:
		author = frappe.db.get_value("User", {"email": consult_author}, "name") or consult_author
		if frappe.db.exists("User", author):
			users.add(author)
	subject = frappe.db.get_value(TICKET, ticket, "subject") or ""
	announce(
		ticket,
		_("{0} answered the consult on ticket #{1}: {2}").format(
			frappe.bold(escape_html(answer_by)), ticket, escape_html(subject)
		),
		sorted(users),
		details=escape_html(text[:500]),
	)


def rerouted(ticket: str | int, why: str, user: str | None, team: str | None) -> None:
	"""Escalated or rerouted: the new assignee, or the new team while nobody has it, hears why."""
	users = [user] if user else team_members(team)
	subject = frappe.db.get_value(TICKET, ticket, "subject") or ""
	announce(
		ticket,
		_("Ticket #{0} was handed to you: {1}").format(ticket, escape_html(subject)),
		users,
		details=escape_html(why),
	)


def mark_seen(ticket: str | int, user: str) -> bool:
	"""The assignee (or, while unassigned, anyone on the desk) opened the ticket: its reply is read."""
	people = assignees(ticket)
	if people and user not in people:
		return False
	frappe.db.set_value(TICKET, ticket, UNREAD_FIELD, 0, update_modified=False)
	log = DocType("Notification Log")
	(
		frappe.qb.update(log)
		.set(log.read, 1)
		.where(
			(log.for_user == user)
			& (log.document_type == TICKET)
			& (log.document_name == str(ticket))
			& (log.read == 0)
		)
		.run()
	)
	return True
