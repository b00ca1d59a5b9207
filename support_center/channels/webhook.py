"""A messenger's webhook: verified, parsed, each message taken in once through the intake, media kept as
private attachments, the channel's health (last message in, last error) kept on the Support Channel."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import frappe
from frappe import _
from frappe.utils import escape_html, get_system_timezone, now_datetime
from werkzeug.wrappers import Response

from support_center.channels.base import DeliveryError, InboundMessage, MalformedWebhook, WebhookRefused
from support_center.channels.parsing import intake_message_id
from support_center.channels.registry import connector_for, enabled_channel
from support_center.intake.core import IntakeError, max_attachment_bytes, receive
from support_center.intake.party import contact_by_phone, customer_of
from support_center.intake.rules import TRUSTED_WEBHOOK, WEBHOOK, Attachment, IncomingMessage

MESSENGER = "Messenger"


def handle(channel_name: str, request) -> Response:
	channel = enabled_channel(channel_name)
	if not channel or channel.channel_type in ("Chat", "Website Comments"):
		return Response(_("No such channel."), status=404, mimetype="text/plain")
	connector = connector_for(channel)
	try:
		connector.verify(channel, request)
		result = connector.parse(channel, request)
	except WebhookRefused as refused:
		# Not the messenger's (403), or a body the messenger would not send (MalformedWebhook, 400).
		note_error(channel.name, str(refused))
		status = 400 if isinstance(refused, MalformedWebhook) else 403
		return Response(str(refused), status=status, mimetype="text/plain")
	for message in result.messages:
		take_in(channel, connector, message)
	if result.messages:
		frappe.db.set_value(
			"Support Channel", channel.name, "last_message_at", now_datetime(), update_modified=False
		)
	return Response(result.reply_body, status=200, mimetype=result.reply_type)


def note_error(channel: str, message: str) -> None:
	frappe.db.set_value(
		"Support Channel",
		channel,
		{"last_error": message[:1000], "last_error_at": now_datetime()},
		update_modified=False,
	)


def take_in(channel, connector, message: InboundMessage):
	"""One message through the intake; a repeat of one already taken in is skipped before any download."""
	message_id = intake_message_id(channel.name, message.message_id)
	done = frappe.db.get_value(
		"Intake Message", {"dedupe_key": f"{MESSENGER}:{message_id}", "status": "Processed"}, "name"
	)
	if done:
		return None
	attachments, problems = download(channel, connector, message)
	text = message.text or ""
	if problems:
		text = "\n\n".join(part for part in (text, *problems) if part)
	try:
		result = receive(
			IncomingMessage(
				channel=MESSENGER,
				text=text,
				sender_name=message.sender_name
				or _("{0} user {1}").format(channel.channel_type, message.chat_id),
				sender_phone=message.sender_phone,
				message_id=message_id,
				conversation_id=f"{channel.name}:{message.chat_id}",
				attachments=attachments,
				received_at=system_time(message.sent_at),
				# A number the messenger verified (WhatsApp's sender, Telegram's own shared contact) finds
				# the customer; nothing else the sender says does.
				source=TRUSTED_WEBHOOK if message.sender_phone else WEBHOOK,
				support_channel=channel.name,
				language=message.language,
			)
		)
	except IntakeError as error:
		note_error(channel.name, str(error))
		return None
	except Exception as error:
		# Stored, then failed in delivery: kept as Failed with its reason and a Retry (intake/core.py), so the
		# messenger is told it arrived. Nothing stored: the error answers the messenger, which sends it again.
		failed = {"dedupe_key": f"{MESSENGER}:{message_id}", "status": "Failed"}
		if not frappe.db.exists("Intake Message", failed):
			raise
		note_error(channel.name, str(error) or type(error).__name__)
		return None
	if message.sender_phone and result.ticket and not result.created:
		link_contact(result.ticket, message.sender_phone)
	return result


def system_time(timestamp: float | None) -> datetime | None:
	"""A messenger's Unix timestamp as the naive system-time datetime Frappe stores."""
	if not timestamp:
		return None
	moment = datetime.fromtimestamp(float(timestamp), tz=UTC)
	return moment.astimezone(ZoneInfo(get_system_timezone())).replace(tzinfo=None)


def download(channel, connector, message: InboundMessage) -> tuple[tuple[Attachment, ...], list[str]]:
	"""The message's files, and a line for the agent about each that could not be kept."""
	limit = max_attachment_bytes()
	attachments, problems = [], []
	for media in message.media:
		if media.size and media.size > limit:
			problems.append(
				_("[{0} was not kept: {1} MB is over the limit of {2} MB.]").format(
					media.filename, round(media.size / 1048576, 1), limit // 1048576
				)
			)
			continue
		try:
			content = connector.download(channel, media)
		except DeliveryError as error:
			problems.append(_("[{0} could not be downloaded: {1}]").format(media.filename, str(error)))
			note_error(channel.name, str(error))
			continue
		if len(content) > limit:
			problems.append(
				_("[{0} was not kept: {1} MB is over the limit of {2} MB.]").format(
					media.filename, round(len(content) / 1048576, 1), limit // 1048576
				)
			)
			continue
		# A file Frappe cannot store as sent is kept under another name by the intake (core.store).
		filename = media.filename
		attachments.append(Attachment(filename, content))
	return tuple(attachments), problems


def link_contact(ticket: int, phone: str) -> None:
	"""A customer who shares their verified number later in the conversation is recognised then."""
	current = frappe.db.get_value("Ticket", ticket, ["contact", "customer"], as_dict=True)
	if current.customer:
		return
	contact = contact_by_phone(phone)
	customer = customer_of(contact)
	if contact and customer:
		frappe.db.set_value("Ticket", ticket, {"contact": contact, "customer": customer})
		frappe.get_doc("Ticket", ticket).add_comment(
			"Info",
			_("Recognised as {0} by the phone number {1} the messenger verified.").format(
				escape_html(customer), escape_html(phone)
			),
		)
