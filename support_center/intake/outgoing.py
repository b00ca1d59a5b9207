"""Replies to messenger conversations go back where the customer wrote.

An integration app registers a handler in its hooks.py:

	support_center_outgoing_message = ["my_app.telegram.send_reply"]

and receives, for every public reply on a ticket that came from an external conversation, the keyword
arguments `ticket`, `channel`, `conversation_id`, `communication`, `text` and `attachments` (file URLs).
Handlers run in a background job after the reply is saved; a failing handler is logged.
"""

import frappe
from frappe import _
from frappe.utils import strip_html_tags

from support_center.conversation.visibility import is_customer_visible

HOOK = "support_center_outgoing_message"


def on_communication(communication, method=None) -> None:
	# Mail with a supplier is no reply to the customer (conversation/visibility.py).
	if (
		communication.reference_doctype != "Ticket"
		or not is_customer_visible(communication)
		or communication.sent_or_received != "Sent"
	):
		return
	ticket = frappe.db.get_value(
		"Ticket",
		communication.reference_name,
		["name", "channel", "external_conversation", "support_channel"],
		as_dict=True,
	)
	if not ticket or not ticket.external_conversation:
		return
	if ticket.support_channel:
		# A built-in connector's conversation (Telegram, WhatsApp, VK, the site chat): support_center/channels.
		from support_center.channels.delivery import queue_reply

		queue_reply(communication, ticket)
		return
	for handler in outgoing_handlers():
		frappe.enqueue(
			"support_center.intake.outgoing.deliver",
			handler=handler,
			ticket=ticket.name,
			channel=ticket.channel,
			conversation_id=ticket.external_conversation,
			communication=communication.name,
			enqueue_after_commit=True,
			now=frappe.flags.in_test,
		)


def outgoing_handlers() -> list[str]:
	return frappe.get_hooks(HOOK) or []


def deliver(handler: str, ticket: int, channel: str, conversation_id: str, communication: str) -> None:
	content = frappe.db.get_value("Communication", communication, "content")
	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Communication", "attached_to_name": communication},
		pluck="file_url",
	)
	try:
		frappe.get_attr(handler)(
			ticket=ticket,
			channel=channel,
			conversation_id=conversation_id,
			communication=communication,
			text=strip_html_tags(content or "").strip(),
			attachments=files,
		)
	except Exception:
		frappe.log_error(
			title=_("Reply not delivered to {0}").format(channel),
			reference_doctype="Ticket",
			reference_name=ticket,
		)
