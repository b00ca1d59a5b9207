"""The acknowledgement of a first message, in the channel the customer wrote from and in their language:
the ticket number and when to expect an answer (the SLA's response deadline), and whether it is outside
business hours now. Mail keeps its own template (conversation/acknowledgement.py)."""

import frappe
from frappe import _

from support_center.conversation.acknowledgement import is_outside_business_hours
from support_center.conversation.values import customer_language, format_moment, policy_zone
from support_center.portal.languages import portal_language


def acknowledgement_text(ticket, language: str, now=None) -> str:
	"""Plain text, as a messenger shows it."""
	lines = [_("We received your request #{0}.", lang=language).format(ticket.name)]
	expected = format_moment(ticket.response_due, policy_zone(ticket), language)
	if expected:
		lines.append(_("We will reply by {0}.", lang=language).format(expected))
	if is_outside_business_hours(ticket, now):
		lines.append(
			_(
				"It is outside our business hours now; we will pick up your request as soon as we are back.",
				lang=language,
			)
		)
	return " ".join(lines)


def ticket_language(ticket) -> str:
	"""The language the channel reported for the customer, else what the desk knows of them."""
	language = ticket.flags.get("customer_language")
	if not language:
		language = frappe.db.get_value(
			"Intake Message",
			{"ticket": ticket.name, "language": ("is", "set")},
			"language",
			order_by="creation asc",
		)
	return portal_language(language or customer_language(ticket))


def on_ticket_after_insert(doc, method=None) -> None:
	"""Ticket after_insert: acknowledge in the channel when the intake asked for it (channels/routing.py)."""
	if (
		not doc.flags.get("channel_acknowledge")
		or not doc.get("support_channel")
		or not doc.external_conversation
	):
		return
	channel_type = frappe.db.get_value("Support Channel", doc.support_channel, "channel_type")
	if channel_type in ("Chat", "Website Comments"):
		# The chat shows the acknowledgement itself, from the ticket (support_center/api/chat.py); under a
		# website comment the answer itself goes in public, no acknowledgement.
		return
	from support_center.channels.delivery import queue

	queue(
		ticket=doc.name,
		channel=doc.support_channel,
		conversation=doc.external_conversation,
		key=f"ack:{doc.name}",
		text=acknowledgement_text(doc, ticket_language(doc)),
		kind="Acknowledgement",
	)
