"""The site chat's conversations: a ticket of channel Chat, found by an unguessable token.

The visitor's browser keeps a random token (256 bits); the server keeps only its SHA-256 digest, as the
ticket's conversation id (``<channel>:<digest>``). Whoever has the token reads that one conversation and
nothing else; the digest the agents see cannot be turned back into a token. A logged-in customer's chat is
also theirs by their user.
"""

import secrets

import frappe
from frappe import _
from frappe.utils import escape_html, get_datetime, now_datetime

from support_center.channels.acknowledgement import acknowledgement_text
from support_center.channels.rules import token_digest
from support_center.conversation.acknowledgement import is_outside_business_hours
from support_center.conversation.values import format_moment, policy_zone
from support_center.conversation.visibility import customer_filters
from support_center.intake.core import receive
from support_center.intake.rules import PORTAL, WEBHOOK, IncomingMessage

CHANNEL = "Chat"
MAX_MESSAGE_CHARS = 5000
CLOSED_STATUSES = ("Resolved", "Closed")


def new_token() -> str:
	return secrets.token_urlsafe(32)


def digest(token: str) -> str:
	return token_digest(token)


def conversation_id(channel: str, token: str) -> str:
	return f"{channel}:{digest(token)}"


def default_channel() -> str | None:
	return frappe.db.get_value(
		"Support Channel", {"channel_type": "Chat", "enabled": 1}, "name", order_by="creation asc"
	)


def chat_channel(name: str | None):
	"""The enabled Chat channel of that name, else the site's first one; None when the chat is off."""
	name = name or default_channel()
	if not name:
		return None
	row = frappe.db.get_value(
		"Support Channel",
		{"name": name, "channel_type": "Chat", "enabled": 1},
		["name", "category", "team"],
		as_dict=True,
	)
	return row


def ticket_for(channel: str, token: str | None, user: str | None = None):
	"""The conversation's ticket (the newest, closed or not) by its token, else a logged-in user's open chat."""
	if token:
		name = frappe.db.get_value(
			"Ticket",
			{"channel": CHANNEL, "external_conversation": conversation_id(channel, token)},
			"name",
			order_by="creation desc",
		)
		if name:
			return frappe.get_doc("Ticket", name)
	if user and user != "Guest":
		name = frappe.db.get_value(
			"Ticket",
			{
				"channel": CHANNEL,
				"support_channel": channel,
				"raised_by": frappe.db.get_value("User", user, "email"),
				"status": ("not in", CLOSED_STATUSES),
			},
			"name",
			order_by="creation desc",
		)
		if name:
			return frappe.get_doc("Ticket", name)
	return None


def post_to(
	channel: str,
	conversation: str,
	text: str,
	client_id: str,
	name: str | None,
	email: str | None,
	phone: str | None,
	language: str | None,
	user: str | None,
):
	"""One message of the visitor into the intake: a new ticket or the conversation's open one."""
	logged_in = bool(user and user != "Guest")
	result = receive(
		IncomingMessage(
			channel=CHANNEL,
			text=text[:MAX_MESSAGE_CHARS],
			sender_name=name,
			sender_email=email,
			sender_phone=phone,
			# The client's id of this message, so a retried send is one message.
			message_id=f"{conversation}:{client_id}",
			conversation_id=conversation,
			# A logged-in customer's own address is verified, as on the portal; a guest's details are claims.
			source=PORTAL if logged_in else WEBHOOK,
			support_channel=channel,
			language=language,
		)
	)
	return result


def expected_answer(channel, language: str) -> dict:
	"""Before the first message: whether it is outside business hours now and when an answer would come.
	Every page with the chat asks, so the answer is kept for a minute per channel and language."""
	key = f"support_center:chat_expected:{channel.name}:{language}"
	cached = frappe.cache.get_value(key)
	if cached is None:
		cached = _expected_answer(channel, language)
		frappe.cache.set_value(key, cached, expires_in_sec=60)
	return cached


def _expected_answer(channel, language: str) -> dict:
	from support_center.sla.service import apply_sla

	probe = frappe.new_doc("Ticket")
	probe.update({"channel": CHANNEL, "subject": "-", "category": channel.category, "team": channel.team})
	probe.priority = probe.priority or frappe.db.get_single_value(
		"Support Center Settings", "default_priority"
	)
	try:
		apply_sla(probe)
	except Exception:
		return {"outside_business_hours": False, "expected_reply": ""}
	return {
		"outside_business_hours": is_outside_business_hours(probe),
		"expected_reply": format_moment(probe.response_due, policy_zone(probe), language),
	}


def messages(ticket, language: str, after: str | None = None) -> list[dict]:
	"""The conversation as the visitor sees it: their first message, the acknowledgement, the public
	replies and their own later messages; never internal notes or staff-only mail. With ``after`` (the
	``at`` of the last message the browser has) only newer ones: what an open chat asks every few seconds."""
	moment = get_datetime(after) if after else None
	items = []
	if not moment or get_datetime(ticket.creation) > moment:
		items += [
			{"id": "m0", "from": "visitor", "html": ticket.description or "", "at": str(ticket.creation)},
			{
				"id": "ack",
				"from": "system",
				# As it was when the conversation began (the moment the acknowledgement stands for).
				"html": escape_html(
					acknowledgement_text(ticket, language, now=get_datetime(ticket.creation))
				),
				"at": str(ticket.creation),
			},
		]
	filters = {"reference_doctype": "Ticket", "reference_name": str(ticket.name), **customer_filters()}
	if moment:
		filters["creation"] = (">", moment)
	for row in frappe.get_all(
		"Communication",
		filters=filters,
		fields=["name", "sent_or_received", "content", "sender_full_name", "creation"],
		order_by="creation asc",
	):
		items.append(
			{
				"id": row.name,
				"from": "agent" if row.sent_or_received == "Sent" else "visitor",
				"name": escape_html(first_name(row.sender_full_name))
				if row.sent_or_received == "Sent"
				else "",
				# Stored content is cleaned on save (permissions/customer_input.py); cleaned again here
				# because this page is read by anyone who holds the token.
				"html": frappe.utils.sanitize_html(row.content or ""),
				"at": str(row.creation),
			}
		)
	return items


def first_name(full_name: str | None) -> str:
	return (full_name or "").split(" ")[0]


def guest_email(ticket) -> str | None:
	"""The address a guest typed when the chat began (a claim: used only for their own transcript)."""
	return frappe.db.get_value(
		"Intake Message",
		{"ticket": ticket.name, "channel": CHANNEL, "sender_email": ("is", "set")},
		"sender_email",
		order_by="creation asc",
	)


def on_ticket_update(doc, method=None) -> None:
	"""Ticket on_update: a chat that is resolved or closed sends the guest its transcript, once."""
	if doc.channel != CHANNEL or doc.status not in CLOSED_STATUSES:
		return
	before = doc.get_doc_before_save()
	if before and before.status in CLOSED_STATUSES:
		return
	send_transcript(doc)


def transcript_sent(ticket) -> bool:
	return bool(
		frappe.db.exists(
			"Comment",
			{
				"reference_doctype": "Ticket",
				"reference_name": str(ticket.name),
				"comment_type": "Info",
				"content": ("like", "Chat transcript sent%"),
			},
		)
	)


def send_transcript(ticket) -> bool:
	"""Mail the conversation to the guest, once, and only when an agent answered (so the site never mails
	an address a stranger typed anything but the support team's own answers to that stranger)."""
	email = ticket.raised_by or guest_email(ticket)
	if not email or transcript_sent(ticket):
		return False
	from support_center.channels.acknowledgement import ticket_language

	language = ticket_language(ticket)
	items = messages(ticket, language)
	if not any(item["from"] == "agent" for item in items):
		return False
	lines = []
	for item in items:
		if item["from"] == "system":
			continue
		who = (
			_("You", lang=language)
			if item["from"] == "visitor"
			else (item.get("name") or _("Support", lang=language))
		)
		lines.append(
			f"<p><strong>{who}</strong> <small>{escape_html(item['at'][:16])}</small></p>{item['html']}"
		)
	try:
		frappe.sendmail(
			recipients=[email],
			subject=_("Your chat with us, request #{0}", lang=language).format(ticket.name),
			message="".join(lines),
			reference_doctype="Ticket",
			reference_name=ticket.name,
			email_headers={"Auto-Submitted": "auto-generated"},
		)
	except (frappe.ValidationError, frappe.OutgoingEmailError):
		frappe.log_error(
			title=_("Chat transcript not sent"), reference_doctype="Ticket", reference_name=ticket.name
		)
		return False
	# The marker transcript_sent looks for; its wording is fixed on purpose (not translated).
	ticket.add_comment("Info", f"Chat transcript sent to {escape_html(email)}.")
	return True


def outside_hours_note(ticket, language: str) -> str:
	if is_outside_business_hours(ticket):
		return _(
			"It is outside our business hours now; we will pick up your request as soon as we are back.",
			lang=language,
		)
	return ""


def now_string() -> str:
	return str(now_datetime())
