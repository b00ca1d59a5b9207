"""Incidents: many customers hit by one problem (an outage) are answered once, each on their own channel.

An incident is a ticket marked ``is_incident``; the customers' tickets point at it with ``parent_incident``
(linked by hand on the form, or in bulk from the list). A public reply on the incident goes to every linked
ticket that is not closed, as a reply on that ticket: mail for a ticket with a sender address, the
messenger or site chat the customer wrote from (``intake.outgoing``), the portal in any case. A linked
ticket with no way to reach its customer (a phone ticket without an address) gets an internal note saying
so. Resolving the incident resolves its open linked tickets; ``resolve`` does both in one step with the
closing message. Fan-out runs in a background job, so a reply to fifty customers does not hold the request.
"""

import frappe
from frappe import _
from frappe.core.doctype.communication.email import _make as make_communication
from frappe.utils import escape_html, strip_html

from support_center.conversation.notes import add_note
from support_center.conversation.visibility import is_customer_visible

TICKET = "Ticket"
DONE = ("Resolved", "Closed")
RESOLVED = "Resolved"


class IncidentError(frappe.ValidationError):
	pass


def linked_tickets(
	incident: str | int, open_only: bool = True, reachable: bool = False
) -> list[frappe._dict]:
	"""The incident's tickets: the open ones, or (``reachable``) all but the closed ones, or all."""
	filters = {"parent_incident": str(incident)}
	if reachable:
		filters["status"] = ("!=", "Closed")
	elif open_only:
		filters["status"] = ("not in", DONE)
	return frappe.get_all(
		TICKET,
		filters=filters,
		fields=[
			"name",
			"subject",
			"status",
			"channel",
			"raised_by",
			"external_conversation",
			"customer_name",
		],
		order_by="name asc",
	)


def link(incident: str | int, tickets: list[str | int]) -> list[str]:
	"""Link tickets to an incident (which becomes one); returns the ticket names linked."""
	incident = str(incident)
	parent = frappe.db.get_value(
		TICKET, incident, ["name", "parent_incident", "merged_into", "is_incident"], as_dict=True
	)
	if not parent:
		frappe.throw(_("Ticket {0} does not exist.").format(incident), IncidentError)
	if parent.parent_incident:
		frappe.throw(
			_("Ticket {0} is itself linked to incident {1}; link to that one.").format(
				incident, parent.parent_incident
			),
			IncidentError,
		)
	if parent.merged_into:
		frappe.throw(_("Ticket {0} was merged into another ticket.").format(incident), IncidentError)
	names = [str(name) for name in dict.fromkeys(str(t) for t in tickets) if str(name) != incident]
	if not names:
		frappe.throw(_("Choose the tickets to link, other than the incident itself."), IncidentError)
	rows = frappe.get_all(
		TICKET,
		filters={"name": ("in", names)},
		fields=["name", "is_incident", "parent_incident", "merged_into"],
	)
	found = {str(row.name): row for row in rows}
	for name in names:
		row = found.get(name)
		if not row:
			frappe.throw(_("Ticket {0} does not exist.").format(name), IncidentError)
		if row.is_incident and frappe.db.exists(TICKET, {"parent_incident": name}):
			frappe.throw(
				_("Ticket {0} is an incident with its own linked tickets.").format(name), IncidentError
			)
		if row.merged_into:
			frappe.throw(_("Ticket {0} was merged into another ticket.").format(name), IncidentError)
	if not parent.is_incident:
		frappe.db.set_value(TICKET, incident, "is_incident", 1)
		frappe.get_doc(TICKET, incident).add_comment("Info", _("Marked as an incident."))
	for name in names:
		ticket = frappe.get_doc(TICKET, name)
		ticket.is_incident = 0
		ticket.parent_incident = incident
		ticket.flags.ignore_permissions = True
		ticket.save()
		ticket.add_comment("Info", _("Linked to incident #{0}.").format(incident))
	return names


def unlink(ticket: str | int) -> None:
	doc = frappe.get_doc(TICKET, ticket)
	if not doc.parent_incident:
		return
	incident = doc.parent_incident
	doc.parent_incident = None
	doc.flags.ignore_permissions = True
	doc.save()
	doc.add_comment("Info", _("Unlinked from incident #{0}.").format(incident))


def on_communication(doc, method=None) -> None:
	"""Communication after_insert: a public reply on an incident goes to its linked tickets."""
	if (
		doc.reference_doctype != TICKET
		or doc.sent_or_received != "Sent"
		or doc.flags.from_incident
		or not is_customer_visible(doc)
		or not frappe.db.get_value(TICKET, doc.reference_name, "is_incident")
	):
		return
	frappe.enqueue(
		"support_center.incidents.fan_out",
		queue="long",
		incident=str(doc.reference_name),
		communication=doc.name,
		enqueue_after_commit=True,
		now=frappe.flags.in_test,
	)


def fan_out(incident: str, communication: str) -> dict[str, list[str]]:
	"""Send the incident's reply to each open linked ticket on its own channel."""
	source = frappe.db.get_value(
		"Communication", communication, ["content", "subject", "sender", "sender_full_name"], as_dict=True
	)
	reached, unreachable = [], []
	# Resolved ones too: the closing message of ``resolve`` reaches tickets resolved a moment before.
	for ticket in linked_tickets(incident, reachable=True):
		try:
			if reply_on(ticket, source.content, source.sender, source.sender_full_name, incident):
				reached.append(str(ticket.name))
			else:
				unreachable.append(str(ticket.name))
		except Exception:
			unreachable.append(str(ticket.name))
			frappe.log_error(
				title=_("Incident reply not sent"), reference_doctype=TICKET, reference_name=ticket.name
			)
	frappe.get_doc(TICKET, incident).add_comment(
		"Info",
		_("Reply sent to {0} linked tickets{1}.").format(
			len(reached),
			_("; no way to reach the customers of {0}").format(", ".join(f"#{n}" for n in unreachable))
			if unreachable
			else "",
		),
	)
	return {"reached": reached, "unreachable": unreachable}


def reply_on(ticket, content: str, sender: str | None, sender_name: str | None, incident: str) -> bool:
	"""One reply on one linked ticket; False when its customer cannot be reached."""
	subject = _("Re: {0} [#{1}]").format(ticket.subject, ticket.name)
	if ticket.external_conversation:
		# Messenger, site chat, API: a message without recipients goes back where they wrote.
		communication = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Chat",
				"sent_or_received": "Sent",
				"subject": subject,
				"content": content,
				"sender": sender,
				"sender_full_name": sender_name,
				"reference_doctype": TICKET,
				"reference_name": str(ticket.name),
				"status": "Linked",
			}
		)
		communication.flags.from_incident = True
		communication.insert(ignore_permissions=True)
		return True
	if ticket.raised_by:
		make_communication(
			doctype=TICKET,
			name=str(ticket.name),
			content=content,
			subject=subject,
			sender=sender,
			sender_full_name=sender_name,
			recipients=ticket.raised_by,
			communication_medium="Email",
			sent_or_received="Sent",
			send_email=True,
		)
		return True
	add_note(
		ticket.name,
		_("Incident #{0} was answered, but this customer has no address or chat to send it to: {1}").format(
			incident, escape_html(strip_html(content or ""))[:500]
		),
	)
	return False


def on_ticket_update(doc, method=None) -> None:
	"""Ticket on_update: an incident that is resolved resolves its open linked tickets."""
	if not doc.get("is_incident") or doc.status != RESOLVED or not doc.has_value_changed("status"):
		return
	resolve_linked(doc.name)


def resolve_linked(incident: str | int) -> list[str]:
	done = []
	for row in linked_tickets(incident):
		ticket = frappe.get_doc(TICKET, row.name)
		ticket.status = RESOLVED
		# The app's own status change (routing.workflow): the desk workflow's transitions do not apply.
		ticket.flags.status_set_by_app = True
		ticket.flags.ignore_permissions = True
		ticket.save()
		ticket.add_comment("Info", _("Resolved together with incident #{0}.").format(incident))
		done.append(str(row.name))
	return done


def resolve(incident: str | int, message: str, sender: str | None = None) -> dict:
	"""Reply to every linked customer with ``message`` and resolve the incident and its tickets."""
	text = (message or "").strip()
	if not text:
		frappe.throw(_("Write the message the customers get."), IncidentError)
	doc = frappe.get_doc(TICKET, incident)
	if not doc.is_incident:
		frappe.throw(_("Ticket {0} is not an incident.").format(incident), IncidentError)
	content = "".join(f"<p>{escape_html(part.strip())}</p>" for part in text.split("\n\n") if part.strip())
	sender = sender or frappe.db.get_value("User", frappe.session.user, "email")
	name = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Sent",
			"subject": _("Resolved: {0}").format(doc.subject),
			"content": content,
			"sender": sender,
			"reference_doctype": TICKET,
			"reference_name": str(doc.name),
			"status": "Linked",
		}
	)
	# The incident's own reply (fanned out by on_communication), then the status of all of them.
	name.insert(ignore_permissions=True)
	doc.reload()
	if doc.status != RESOLVED:
		doc.status = RESOLVED
		doc.flags.status_set_by_app = True
		doc.flags.ignore_permissions = True
		doc.save()
	else:
		resolve_linked(doc.name)
	return {"communication": name.name, "linked": [str(row.name) for row in linked_tickets(doc.name, False)]}
