"""Macros: a canned reply that also sets the status, priority, category, tags or assignee in one click.

``preview`` shows the agent the rendered reply and every field change before anything happens; ``apply``
sends the reply on the ticket's own channel (mail to its sender, or the messenger it came from) and saves
the changes as the agent, so the desk workflow's transitions and the agent's permissions apply as for a
change made by hand. A change that would not change anything is left out of both.
"""

import frappe
from frappe import _
from frappe.core.doctype.communication.email import _make as make_communication
from frappe.desk.doctype.tag.tag import DocTags

from support_center.conversation import canned, placeholders
from support_center.conversation.values import ticket_values

FIELDS = (("macro_status", "status"), ("macro_priority", "priority"), ("macro_category", "category"))


def _labels() -> dict[str, str]:
	return {"status": _("Status"), "priority": _("Priority"), "category": _("Category")}


def tags_of(value: str | None) -> list[str]:
	return [tag.strip() for tag in (value or "").split(",") if tag.strip()]


def changes(ticket, reply) -> list[dict]:
	"""What applying the macro changes on the ticket: field, label, from, to."""
	labels = _labels()
	found = []
	for source, field in FIELDS:
		wanted = reply.get(source)
		if wanted and wanted != ticket.get(field):
			found.append({"field": field, "label": labels[field], "from": ticket.get(field), "to": wanted})
	current_tags = set(tags_of(ticket.get("_user_tags")))
	new_tags = [tag for tag in tags_of(reply.get("macro_tags")) if tag not in current_tags]
	if new_tags:
		found.append({"field": "_user_tags", "label": _("Tags"), "from": None, "to": ", ".join(new_tags)})
	assignee = reply.get("macro_assign_to")
	if assignee:
		current = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Ticket", "reference_name": str(ticket.name), "status": "Open"},
			pluck="allocated_to",
		)
		if current != [assignee]:
			found.append(
				{
					"field": "assign_to",
					"label": _("Assigned To"),
					"from": ", ".join(current) or None,
					"to": assignee,
				}
			)
	return found


def preview(ticket, reply_name: str) -> dict:
	reply = frappe.get_doc("Canned Reply", reply_name)
	if not canned.can_see(reply):
		frappe.throw(_("You cannot use this canned reply."), frappe.PermissionError)
	try:
		# Rendered as render_for does, without counting a use: nothing is sent yet.
		html = placeholders.render(reply.response or "", ticket_values(ticket, agent=frappe.session.user))
	except placeholders.PlaceholderError as error:
		frappe.throw(_("Canned reply {0} cannot be rendered: {1}").format(reply.title, str(error)))
	return {"title": reply.title, "html": html, "changes": changes(ticket, reply)}


def apply(ticket, reply_name: str) -> dict:
	"""Send the reply and make the changes; returns what was done."""
	reply = frappe.get_doc("Canned Reply", reply_name)
	if not canned.can_see(reply):
		frappe.throw(_("You cannot use this canned reply."), frappe.PermissionError)
	planned = changes(ticket, reply)
	if reply.macro_assign_to and not frappe.db.get_value("User", reply.macro_assign_to, "enabled"):
		frappe.throw(_("{0} is disabled or does not exist.").format(reply.macro_assign_to))
	sent = None
	if reply.response:
		sent = send_reply(ticket, canned.render_for(ticket, reply_name), reply.title)
		ticket.reload()
	field_changes = {c["field"]: c["to"] for c in planned if c["field"] in ("status", "priority", "category")}
	if field_changes:
		ticket.update(field_changes)
		ticket.save()
	for tag in tags_of(reply.macro_tags):
		DocTags("Ticket").add(ticket.name, tag)
	if any(c["field"] == "assign_to" for c in planned):
		from support_center.routing.assign import assign_user

		assign_user(
			ticket,
			reply.macro_assign_to,
			_("Assigned to {0}.").format(reply.macro_assign_to),
			_("Macro {0} by {1}").format(reply.title, frappe.session.user),
		)
	ticket.add_comment("Info", _("Macro {0} applied.").format(reply.title))
	return {"communication": sent, "changes": planned}


def send_reply(ticket, html: str, title: str) -> str:
	"""A public reply on the ticket's own channel; returns the Communication's name."""
	sender = frappe.db.get_value("User", frappe.session.user, "email") or frappe.session.user
	subject = _("Re: {0} [#{1}]").format(ticket.subject, ticket.name)
	if ticket.external_conversation or not ticket.raised_by:
		communication = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Chat" if ticket.external_conversation else "Other",
				"sent_or_received": "Sent",
				"subject": subject,
				"content": html,
				"sender": sender,
				"reference_doctype": "Ticket",
				"reference_name": str(ticket.name),
				"status": "Linked",
			}
		).insert(ignore_permissions=True)
		return communication.name
	result = make_communication(
		doctype="Ticket",
		name=str(ticket.name),
		content=html,
		subject=subject,
		sender=sender,
		recipients=ticket.raised_by,
		communication_medium="Email",
		sent_or_received="Sent",
		send_email=True,
	)
	return result.get("name")
