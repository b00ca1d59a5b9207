"""A ticket made from a channel's message: its category and team come from the channel, and its
acknowledgement goes back into the channel instead of by mail (support_center/channels/acknowledgement.py)."""

import frappe
from frappe.utils import cint


def apply_channel(ticket, record) -> None:
	"""Set on a new ticket (before insert) from its Intake Message's Support Channel."""
	channel = frappe.db.get_value(
		"Support Channel",
		record.support_channel,
		["name", "category", "team", "send_acknowledgement"],
		as_dict=True,
	)
	if not channel:
		return
	ticket.support_channel = channel.name
	if channel.category and not ticket.get("category"):
		ticket.category = channel.category
	if channel.team and not ticket.get("team"):
		ticket.team = channel.team
	# The customer wrote in the channel: the acknowledgement goes there, not by mail.
	ticket.flags.acknowledge = False
	ticket.flags.channel_acknowledge = bool(channel.send_acknowledgement) and bool(
		cint(frappe.db.get_single_value("Support Center Settings", "send_acknowledgement"))
	)
	ticket.flags.customer_language = record.get("language")
