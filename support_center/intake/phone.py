"""ERPNext's Call Log as a channel: an incoming call, answered or missed, becomes (part of) a ticket."""

import frappe
from frappe import _
from frappe.utils import format_duration

from support_center.intake.core import receive
from support_center.intake.party import site_country_code
from support_center.intake.rules import TELEPHONY, IncomingMessage, normalise_phone

ANSWERED = frozenset({"Completed"})
MISSED = frozenset({"No Answer", "Busy", "Failed", "Canceled"})


def on_call_log_update(call_log, method=None) -> None:
	"""Once an incoming call has ended; further calls from the same number join its open ticket."""
	if call_log.type != "Incoming" or call_log.status not in ANSWERED | MISSED:
		return
	caller = call_log.get("from")
	number = normalise_phone(caller, site_country_code())
	if not number:
		return
	if call_log.status in ANSWERED:
		text = _("Incoming call from {0}, {1}.").format(caller, format_duration(call_log.duration or 0))
	else:
		text = _("Missed call from {0}.").format(caller)
	if call_log.recording_url:
		text += "\n\n" + _("Recording: {0}").format(call_log.recording_url)
	if call_log.summary:
		text += "\n\n" + call_log.summary
	result = receive(
		IncomingMessage(
			channel="Phone",
			text=text,
			subject=_("Call from {0}").format(caller),
			sender_phone=caller,
			# The telephony provider reports the caller's number: it identifies the sender.
			source=TELEPHONY,
			message_id=f"call-log:{call_log.name}",
			conversation_id=number,
			received_at=call_log.start_time or call_log.creation,
		)
	)
	if result.ticket:
		# Also for a call delivered before: saving a Call Log rewrites its links table.
		link_call(call_log.name, result.ticket)


def link_call(call_log: str, ticket: int) -> None:
	if frappe.db.exists(
		"Dynamic Link",
		{"parenttype": "Call Log", "parent": call_log, "link_doctype": "Ticket", "link_name": str(ticket)},
	):
		return
	# A direct child row: saving the Call Log again would run this hook again.
	frappe.get_doc(
		{
			"doctype": "Dynamic Link",
			"parenttype": "Call Log",
			"parentfield": "links",
			"parent": call_log,
			"link_doctype": "Ticket",
			"link_name": str(ticket),
			"idx": 1 + frappe.db.count("Dynamic Link", {"parenttype": "Call Log", "parent": call_log}),
		}
	).db_insert()
