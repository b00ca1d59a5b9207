"""The site chat (support_center/api/chat.py): the visitor's browser reads the ticket itself, so a reply
is delivered once it is saved; the connector only nudges an open chat to fetch it now."""

import frappe

from support_center.channels.base import Connector, OutgoingReply

REALTIME_EVENT = "support_chat_update"


class ChatConnector(Connector):
	channel_type = "Chat"
	max_text_length = 100_000

	def send(self, channel, reply: OutgoingReply) -> str:
		ticket = frappe.db.get_value(
			"Ticket",
			{"external_conversation": f"{channel.name}:{reply.chat_id}"},
			["name", "raised_by"],
			as_dict=True,
		)
		if ticket and ticket.raised_by:
			# A logged-in visitor's socket, where there is one; the chat polls anyway.
			user = frappe.db.get_value("User", {"email": ticket.raised_by}, "name")
			if user:
				frappe.publish_realtime(REALTIME_EVENT, {"ticket": ticket.name}, user=user, after_commit=True)
		return ""
