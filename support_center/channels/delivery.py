"""Replies on their way to a messenger: one Channel Delivery per reply, sent by a background job, retried
with backoff, shown on the ticket, never sent twice.

- A public reply on a ticket of a Support Channel (intake/outgoing.py calls ``queue_reply``) is stored as a
  Channel Delivery in the reply's own transaction, under an idempotency key made from the Communication: a
  second call for the same reply finds the key and stops.
- ``attempt`` claims the delivery under a row lock (status Sending), so two workers never send it at once;
  a long reply goes as several parts and the parts that arrived are counted, so a retry sends only the rest.
- A failure the messenger says is temporary (429 with retry_after, 5xx, a timeout, a network error) is
  retried by the scheduler (``retry_due``, every minute) after ``BACKOFF_SECONDS``; a final one (the customer
  blocked the bot, a file too large) or the last attempt marks the delivery and the ticket Not Delivered and
  tells the agent in the ticket's timeline. Nothing is dropped silently.
"""

from datetime import timedelta

import frappe
from frappe import _
from frappe.core.utils import html2text
from frappe.utils import add_to_date, get_datetime, now_datetime

from support_center.channels.base import DeliveryError, OutgoingReply
from support_center.channels.registry import connector_for
from support_center.channels.rules import MAX_ATTEMPTS, next_delay, split_text

# A delivery left Sending longer than this (its worker died) may be claimed again.
STALE_SENDING = timedelta(minutes=10)
# A delivery still Queued this long after it was stored lost its job (a worker restart): the scheduler sends it.
LOST_JOB = timedelta(minutes=2)
RETRY_BATCH = 50


def plain_text(html: str | None) -> str:
	return html2text(html or "", wrap=False).strip() if html else ""


def chat_id_of(channel: str, conversation: str) -> str:
	prefix = f"{channel}:"
	return conversation[len(prefix) :] if conversation.startswith(prefix) else conversation


def queue_reply(communication, ticket) -> str | None:
	"""Store a public reply's delivery to the ticket's channel and send it after commit."""
	channel = frappe.get_doc("Support Channel", ticket.support_channel)
	if channel.channel_type == "Chat":
		# The chat reads the ticket itself (support_center/api/chat.py): nudge it to look now.
		connector_for(channel).send(
			channel, OutgoingReply(chat_id_of(channel.name, ticket.external_conversation), "")
		)
		return None
	template = communication.flags.get("channel_template")
	return queue(
		ticket=ticket.name,
		channel=channel.name,
		conversation=ticket.external_conversation,
		key=f"reply:{communication.name}",
		text=plain_text(communication.content),
		kind="Template" if template else "Reply",
		template=template,
		communication=communication.name,
	)


def queue(
	ticket: int,
	channel: str,
	conversation: str,
	key: str,
	text: str,
	kind: str = "Reply",
	template: str | None = None,
	communication: str | None = None,
) -> str | None:
	"""A Channel Delivery under ``key`` (None when that key was queued before), sent after commit."""
	if frappe.db.exists("Channel Delivery", {"idempotency_key": key}):
		return None
	delivery = frappe.get_doc(
		{
			"doctype": "Channel Delivery",
			"ticket": ticket,
			"communication": communication,
			"support_channel": channel,
			"kind": kind,
			"status": "Queued",
			"conversation_id": chat_id_of(channel, conversation),
			"idempotency_key": key,
			"text": text,
			"template": template,
		}
	).insert(ignore_permissions=True)
	set_ticket_status(ticket, "Sending")
	frappe.enqueue(
		"support_center.channels.delivery.attempt",
		queue="short",
		delivery=delivery.name,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
	)
	return delivery.name


def claim(delivery: str) -> bool:
	"""Take the delivery for this worker; False when it is sent, final, waiting, or another worker has it."""
	row = frappe.db.get_value(
		"Channel Delivery",
		delivery,
		["status", "sending_since", "next_attempt_at"],
		as_dict=True,
		for_update=True,
	)
	if not row:
		return False
	now = now_datetime()
	if (
		row.status == "Sending"
		and row.sending_since
		and get_datetime(row.sending_since) > now - STALE_SENDING
	):
		return False
	if row.status not in ("Queued", "Retrying", "Sending"):
		return False
	frappe.db.set_value(
		"Channel Delivery", delivery, {"status": "Sending", "sending_since": now}, update_modified=False
	)
	commit()
	return True


def commit() -> None:
	# Each step of a delivery is kept as it happens, so a worker that dies leaves an accurate record.
	# Tests run in one transaction that is rolled back afterwards.
	if not frappe.flags.in_test:
		frappe.db.commit()  # nosemgrep: frappe-manual-commit


def parts_of(doc, connector) -> list[OutgoingReply]:
	if doc.template:
		return [
			OutgoingReply(doc.conversation_id, "", template=doc.template, idempotency_key=doc.idempotency_key)
		]
	parts = [
		OutgoingReply(doc.conversation_id, part, idempotency_key=f"{doc.idempotency_key}:{index}")
		for index, part in enumerate(split_text(doc.text or "", getattr(connector, "max_text_length", 4096)))
	]
	if doc.communication:
		for index, file in enumerate(
			frappe.get_all(
				"File",
				filters={"attached_to_doctype": "Communication", "attached_to_name": doc.communication},
				fields=["name", "file_name"],
				order_by="creation asc",
			)
		):
			content = frappe.get_doc("File", file.name).get_content()
			if isinstance(content, str):
				content = content.encode()
			parts.append(
				OutgoingReply(
					doc.conversation_id,
					"",
					files=((file.file_name, content),),
					idempotency_key=f"{doc.idempotency_key}:file:{index}",
				)
			)
	return parts


def attempt(delivery: str) -> str:
	"""Send what is left of a delivery; returns its status afterwards."""
	if not claim(delivery):
		return frappe.db.get_value("Channel Delivery", delivery, "status")
	doc = frappe.get_doc("Channel Delivery", delivery)
	channel = frappe.get_doc("Support Channel", doc.support_channel)
	try:
		if not channel.enabled:
			raise DeliveryError(_("The channel {0} is disabled.").format(channel.name))
		connector = connector_for(channel)
		parts = parts_of(doc, connector)
		for part in parts[doc.parts_sent or 0 :]:
			message_id = connector.send(channel, part)
			doc.parts_sent = (doc.parts_sent or 0) + 1
			doc.db_set(
				{"parts_sent": doc.parts_sent, "external_message_id": message_id or doc.external_message_id},
				update_modified=False,
			)
			commit()
	except DeliveryError as error:
		return failed(doc, channel, error)
	except Exception as error:
		# A bug or an unreadable file must not leave the reply Sending for ever.
		frappe.log_error(
			title=_("Reply not delivered"), reference_doctype="Ticket", reference_name=doc.ticket
		)
		return failed(doc, channel, DeliveryError(repr(error)))
	now = now_datetime()
	doc.db_set(
		{
			"status": "Sent",
			"sent_at": now,
			"attempts": (doc.attempts or 0) + 1,
			"last_error": None,
			"next_attempt_at": None,
		},
		update_modified=False,
	)
	frappe.db.set_value("Support Channel", channel.name, "last_delivery_at", now, update_modified=False)
	set_ticket_status(doc.ticket, "Delivered")
	if doc.kind == "Acknowledgement":
		frappe.get_doc("Ticket", doc.ticket).add_comment(
			"Info", _("Acknowledgement sent in {0}.").format(channel.name)
		)
	commit()
	return "Sent"


def failed(doc, channel, error: DeliveryError) -> str:
	attempts = (doc.attempts or 0) + 1
	message = str(error)[:1000]
	now = now_datetime()
	frappe.db.set_value(
		"Support Channel",
		channel.name,
		{"last_error": message, "last_error_at": now},
		update_modified=False,
	)
	if error.permanent or attempts >= MAX_ATTEMPTS:
		doc.db_set(
			{"status": "Not Delivered", "attempts": attempts, "last_error": message, "next_attempt_at": None},
			update_modified=False,
		)
		set_ticket_status(doc.ticket, "Not Delivered")
		frappe.get_doc("Ticket", doc.ticket).add_comment(
			"Info",
			_("Not delivered to {0}: {1}").format(
				frappe.utils.escape_html(channel.name), frappe.utils.escape_html(message)
			),
		)
		commit()
		return "Not Delivered"
	next_at = add_to_date(now, seconds=next_delay(attempts, error.retry_after))
	doc.db_set(
		{"status": "Retrying", "attempts": attempts, "last_error": message, "next_attempt_at": next_at},
		update_modified=False,
	)
	set_ticket_status(doc.ticket, "Retrying")
	commit()
	return "Retrying"


def retry_due(now=None) -> list[str]:
	"""Scheduler, every minute: deliveries whose wait is over, and queued ones whose job was lost."""
	now = get_datetime(now) if now else now_datetime()
	due = frappe.get_all(
		"Channel Delivery",
		filters={"status": "Retrying", "next_attempt_at": ("<=", now)},
		pluck="name",
		order_by="next_attempt_at asc",
		limit=RETRY_BATCH,
	)
	due += frappe.get_all(
		"Channel Delivery",
		filters={"status": "Queued", "creation": ("<", now - LOST_JOB)},
		pluck="name",
		limit=RETRY_BATCH,
	)
	due += frappe.get_all(
		"Channel Delivery",
		filters={"status": "Sending", "sending_since": ("<", now - STALE_SENDING)},
		pluck="name",
		limit=RETRY_BATCH,
	)
	for name in due:
		attempt(name)
	return due


def retry_now(delivery: str) -> str:
	"""An agent's Retry of a Not Delivered reply (after the customer unblocked the bot, say)."""
	frappe.db.set_value(
		"Channel Delivery",
		delivery,
		{"status": "Retrying", "next_attempt_at": now_datetime()},
		update_modified=False,
	)
	return attempt(delivery)


def set_ticket_status(ticket: int, status: str) -> None:
	if frappe.db.get_value("Ticket", ticket, "reply_delivery") != status:
		frappe.db.set_value("Ticket", ticket, "reply_delivery", status, update_modified=False)
		frappe.publish_realtime(
			"support_channel_delivery",
			{"ticket": ticket, "status": status},
			doctype="Ticket",
			docname=str(ticket),
			after_commit=True,
		)
