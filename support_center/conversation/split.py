"""Split: a customer's message that is really a new question becomes a new ticket (the reverse of merge).

The new ticket belongs to the same customer, contact, sender and channel, starts with that message as its
description, and points back with ``split_from``; the message itself (with its attachments) moves to the
new ticket, and the old ticket's timeline says where it went. The new ticket is routed and gets its SLA
like any new ticket, without an acknowledgement (the customer wrote in an existing conversation).
"""

import frappe
from frappe import _
from frappe.utils import escape_html, strip_html

from support_center.conversation.visibility import is_customer_visible
from support_center.kpi import replies


class SplitError(frappe.ValidationError):
	pass


def split(ticket, communication: str, subject: str | None = None) -> int:
	"""Move one received message of ``ticket`` into a new ticket; returns the new ticket's name."""
	message = frappe.get_doc("Communication", communication)
	if message.reference_doctype != "Ticket" or str(message.reference_name) != str(ticket.name):
		frappe.throw(_("That message is not on ticket {0}.").format(ticket.name), SplitError)
	if message.sent_or_received != "Received" or not is_customer_visible(message):
		frappe.throw(_("Only a message the customer wrote can start a new ticket."), SplitError)
	if ticket.merged_into:
		frappe.throw(_("Ticket {0} was merged into another ticket.").format(ticket.name), SplitError)
	text = (message.text_content or strip_html(message.content or "")).strip()
	title = (subject or "").strip() or next(
		(line.strip() for line in text.splitlines() if line.strip()),
		_("Split from ticket #{0}").format(ticket.name),
	)
	new = frappe.get_doc(
		{
			"doctype": "Ticket",
			"subject": title[:140],
			"description": message.content,
			"channel": ticket.channel,
			"customer": ticket.customer,
			"contact": ticket.contact,
			"raised_by": ticket.raised_by,
			"raised_by_name": ticket.raised_by_name,
			# Replies on the new ticket go back to the customer's chat; new messages from that chat stay
			# with the ticket that was split while it is open (intake.core.conversation_ticket).
			"external_conversation": ticket.get("external_conversation"),
			"support_channel": ticket.get("support_channel"),
			"split_from": ticket.name,
		}
	)
	# The party is the old ticket's: the app already decided it.
	new.flags.party_from_intake = True
	new.insert(ignore_permissions=True)
	message.db_set({"reference_name": str(new.name)}, update_modified=False)
	# Moved without the ORM's hooks: both tickets' public reply counts (kpi/replies.py).
	replies.recount([ticket.name, new.name])
	frappe.db.set_value(
		"Communication Link",
		{"parent": message.name, "link_doctype": "Ticket", "link_name": str(ticket.name)},
		"link_name",
		str(new.name),
	)
	files = _files_of(message.name)
	if files:
		# The copies on the ticket of the files that came with the message go with it.
		frappe.db.set_value(
			"File",
			{
				"attached_to_doctype": "Ticket",
				"attached_to_name": str(ticket.name),
				"file_url": ("in", files),
			},
			"attached_to_name",
			str(new.name),
		)
	ticket.add_comment(
		"Info",
		_("A message was moved to the new ticket #{0} by {1}: {2}").format(
			new.name, frappe.session.user, escape_html(title)
		),
	)
	new.add_comment("Info", _("Split from ticket #{0} by {1}.").format(ticket.name, frappe.session.user))
	return new.name


def _files_of(communication: str) -> list[str]:
	return frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Communication", "attached_to_name": communication},
		pluck="file_url",
	)
