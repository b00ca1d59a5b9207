"""Follow-ups nobody has to remember: unanswered consults remind their sender, missed calls get a callback.

Consults (``conversation.consult``): the hourly job ``remind_unanswered_consults`` finds consults older than
*Remind of Unanswered Consults After (Hours)* (Support Center Settings, default 24, 0 turns it off) that
have no answer in their thread, alerts the agent who sent each one (Notification Log and mail, by their
notification settings; ``notifications.alerts``) and stamps it, so each consult reminds once. One query
finds them, one UPDATE stamps them.

Missed calls (``intake.phone``): a missed incoming call's ticket gets a callback ToDo for its assignee (or,
while unassigned, its category's responsible person), due when the SLA's response is due (an hour from now
without one). The ToDo carries the number (``support_callback_number``). Logging the call back closes it:
an answered outgoing Call Log to that number, or a phone message logged on the ticket ("Log Call Back" on
the form, which is also the agent's response for the SLA). A done callback is Cancelled, not Closed: Frappe's
assignment rules reopen the closed ToDos of an open ticket on each of its saves; the ticket's timeline says
who called back.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import add_to_date, cint, escape_html, format_datetime, get_datetime, now_datetime
from pypika.terms import ExistsCriterion

from support_center.notifications import alerts
from support_center.settings import store_default

CALLBACK_FIELD = "support_callback_number"
REMINDED_FIELD = "support_reminded_on"
SETTINGS = "Support Center Settings"
DEFAULT_REMINDER_HOURS = 24
CONSULT = "Comment"
MISSED = frozenset({"No Answer", "Busy", "Failed", "Canceled"})


def ensure_followup_fields() -> None:
	from frappe.custom.doctype.custom_field.custom_field import create_custom_field

	if not frappe.db.exists("Custom Field", {"dt": "ToDo", "fieldname": CALLBACK_FIELD}):
		create_custom_field(
			"ToDo",
			{
				"fieldname": CALLBACK_FIELD,
				"label": "Call Back Number",
				"fieldtype": "Data",
				"options": "Phone",
				"read_only": 1,
				"insert_after": "description",
				"description": "A missed call to return; logging the call back closes this to-do.",
			},
		)
	if not frappe.db.exists("Custom Field", {"dt": "Communication", "fieldname": REMINDED_FIELD}):
		create_custom_field(
			"Communication",
			{
				"fieldname": REMINDED_FIELD,
				"label": "Consult Reminder Sent On",
				"fieldtype": "Datetime",
				"read_only": 1,
				"hidden": 1,
				"insert_after": "communication_type",
			},
		)
	store_default("consult_reminder_hours", DEFAULT_REMINDER_HOURS)


# Consult reminders
# -----------------


def reminder_hours() -> int:
	return cint(frappe.db.get_single_value(SETTINGS, "consult_reminder_hours"))


def unanswered_consults(cutoff) -> list[frappe._dict]:
	comm = DocType("Communication")
	answer = DocType("Communication").as_("answer")
	answered = frappe.qb.from_(answer).select(answer.name).where(answer.in_reply_to == comm.name)
	return (
		frappe.qb.from_(comm)
		.select(comm.name, comm.sender, comm.reference_name, comm.creation, comm.recipients)
		.where(
			(comm.communication_type == CONSULT)
			& (comm.sent_or_received == "Sent")
			& (comm.reference_doctype == "Ticket")
			& (comm.message_id.isnotnull())
			& (comm.creation <= cutoff)
			& (comm[REMINDED_FIELD].isnull())
			& ExistsCriterion(answered).negate()
		)
		.run(as_dict=True)
	)


def remind_unanswered_consults(now=None) -> int:
	"""The hourly job; returns how many consults reminded their sender."""
	hours = reminder_hours()
	if hours <= 0:
		return 0
	now = get_datetime(now or now_datetime())
	consults = unanswered_consults(add_to_date(now, hours=-hours))
	if not consults:
		return 0
	senders = {
		row.sender: frappe.db.get_value("User", {"email": row.sender}, "name")
		for row in consults
		if row.sender
	}
	comm = DocType("Communication")
	(
		frappe.qb.update(comm)
		.set(comm[REMINDED_FIELD], now)
		.where(comm.name.isin([row.name for row in consults]))
		.run()
	)
	for row in consults:
		user = senders.get(row.sender)
		if not user:
			continue
		alerts.announce(
			row.reference_name,
			_("Nobody has answered your consult on ticket #{0} since {1}").format(
				row.reference_name, format_datetime(row.creation)
			),
			[user],
			details=_("Asked: {0}").format(escape_html(row.recipients or "")),
		)
	return len(consults)


# Callbacks
# ---------


def on_call_log_update(call_log, method=None) -> None:
	"""Call Log on_update (after the intake made or found the ticket): missed calls get a callback to-do,
	an answered outgoing call to the number closes it."""
	if call_log.type == "Incoming" and call_log.status in MISSED:
		ticket = frappe.db.get_value(
			"Dynamic Link",
			{"parenttype": "Call Log", "parent": call_log.name, "link_doctype": "Ticket"},
			"link_name",
		)
		if ticket:
			create_callback(ticket, call_log.get("from"))
	elif call_log.type == "Outgoing" and call_log.status == "Completed" and call_log.get("to"):
		close_callbacks(number=call_log.get("to"), why=_("Called back ({0}).").format(call_log.name))


def create_callback(ticket: str | int, number: str | None) -> str | None:
	"""One open callback per ticket and number; returns the ToDo's name."""
	if not number:
		return None
	existing = frappe.db.get_value(
		"ToDo",
		{"reference_type": "Ticket", "reference_name": str(ticket), CALLBACK_FIELD: number, "status": "Open"},
		"name",
	)
	if existing:
		return existing
	row = frappe.db.get_value(
		"Ticket", ticket, ["subject", "response_due", "responsible", "priority"], as_dict=True
	)
	if not row:
		return None
	people = alerts.assignees(ticket)
	owner = people[0] if people else row.responsible
	due = get_datetime(row.response_due) if row.response_due else add_to_date(now_datetime(), hours=1)
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"status": "Open",
			"allocated_to": owner,
			"reference_type": "Ticket",
			"reference_name": str(ticket),
			"date": due.date(),
			"priority": "High" if row.priority in ("High", "Urgent") else "Medium",
			"description": _("Call back {0} about ticket #{1} ({2}) by {3}").format(
				escape_html(number), ticket, escape_html(row.subject or ""), format_datetime(due)
			),
			CALLBACK_FIELD: number,
		}
	).insert(ignore_permissions=True)
	return todo.name


def close_callbacks(ticket: str | int | None = None, number: str | None = None, why: str = "") -> int:
	"""Close the open callbacks of a ticket, or of a number (any ticket); returns how many."""
	filters = {"status": "Open", CALLBACK_FIELD: ("is", "set")}
	if ticket is not None:
		filters.update({"reference_type": "Ticket", "reference_name": str(ticket)})
	if number:
		filters[CALLBACK_FIELD] = number
	closed = 0
	for name in frappe.get_all("ToDo", filters=filters, pluck="name"):
		todo = frappe.get_doc("ToDo", name)
		# Not "Closed": Frappe's assignment rules reopen every closed ToDo of an open ticket on its next save.
		todo.status = "Cancelled"
		todo.save(ignore_permissions=True)
		if why and todo.reference_name:
			frappe.get_doc("Ticket", todo.reference_name).add_comment("Info", why)
		closed += 1
	return closed


def on_communication(doc, method=None) -> None:
	"""Communication after_insert: a phone message from the desk on the ticket is the call back."""
	if (
		doc.reference_doctype == "Ticket"
		and doc.reference_name
		and doc.communication_medium == "Phone"
		and doc.sent_or_received == "Sent"
	):
		close_callbacks(ticket=doc.reference_name, why=_("Called back."))


def log_callback(ticket, note: str) -> str:
	"""The agent called the customer back: a phone message on the ticket (their response for the SLA)."""
	text = (note or "").strip()
	if not text:
		frappe.throw(_("Write what was said on the call."))
	number = frappe.db.get_value(
		"ToDo",
		{
			"reference_type": "Ticket",
			"reference_name": str(ticket.name),
			"status": "Open",
			CALLBACK_FIELD: ("is", "set"),
		},
		CALLBACK_FIELD,
	)
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Phone",
			"sent_or_received": "Sent",
			"subject": _("Call back: {0}").format(ticket.subject),
			"content": f"<p>{escape_html(text)}</p>",
			"phone_no": number,
			"sender": frappe.db.get_value("User", frappe.session.user, "email") or frappe.session.user,
			"reference_doctype": "Ticket",
			"reference_name": str(ticket.name),
			"status": "Linked",
		}
	).insert(ignore_permissions=True)
	return communication.name


def open_callbacks(ticket: str | int) -> list[frappe._dict]:
	return frappe.get_all(
		"ToDo",
		filters={
			"reference_type": "Ticket",
			"reference_name": str(ticket),
			"status": "Open",
			CALLBACK_FIELD: ("is", "set"),
		},
		fields=["name", "allocated_to", "date", "description", CALLBACK_FIELD],
	)
