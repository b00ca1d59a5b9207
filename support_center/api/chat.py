"""The site chat's endpoints, called by support_center/public/js/chat_loader.js from any page of the site.

Guests may call them, so each is rate limited per IP address, and a conversation is reached only with
its token (support_center/channels/chat_session.py): a random 256-bit value that the visitor's browser
keeps and the server stores only as a digest. Without the token nothing is returned; a logged-in
customer also reaches their own open chat by their session.
"""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import validate_email_address

from support_center.channels import chat_session
from support_center.intake.core import IntakeError
from support_center.intake.rules import normalise_phone
from support_center.portal.languages import text_direction, visitor_language

MAX_NAME = 140


def _channel(channel: str | None):
	found = chat_session.chat_channel(channel)
	if not found:
		frappe.throw(_("The chat is not available."), frappe.DoesNotExistError)
	return found


def _user() -> str | None:
	return None if frappe.session.user == "Guest" else frappe.session.user


def strings() -> dict:
	"""The chat's words in the visitor's language (Frappe picks it from the request)."""
	return {
		"open": _("Chat with us"),
		"title": _("Chat with support"),
		"close": _("Close chat"),
		"intro": _("Write to us and we will answer here."),
		"name": _("Your name"),
		"email": _("Email"),
		"phone": _("Phone"),
		"email_or_phone": _("Give an email address or a phone number so we can reach you."),
		"message": _("Message"),
		"send": _("Send"),
		"sending": _("Sending…"),
		"end": _("End chat"),
		"ended": _("The chat has ended. Thank you!"),
		"transcript": _("We sent a copy of this conversation to your email."),
		"you": _("You"),
		"support": _("Support"),
		"error": _("The message could not be sent. Please try again."),
		"closed_ticket": _("This conversation is closed. Write again to start a new one."),
		"new_messages": _("New message"),
	}


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@rate_limit(limit=60, seconds=60)
def config(channel: str | None = None) -> dict:
	"""Whether the chat is on, its words, who the visitor is, and whether an answer waits for business hours."""
	found = chat_session.chat_channel(channel)
	if not found:
		return {"enabled": False}
	language = visitor_language()
	user = _user()
	expected = chat_session.expected_answer(found, language)
	notice = ""
	if expected["outside_business_hours"]:
		notice = (
			_("We are away now. Leave a message and we will answer by {0}.").format(
				expected["expected_reply"]
			)
			if expected["expected_reply"]
			else _("We are away now. Leave a message and we will answer when we are back.")
		)
	return {
		"enabled": True,
		"channel": found.name,
		"language": language,
		"direction": text_direction(language),
		"strings": strings(),
		"user": {"name": frappe.utils.get_fullname(user), "email": frappe.db.get_value("User", user, "email")}
		if user
		else None,
		"outside_business_hours": expected["outside_business_hours"],
		"notice": notice,
	}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=10, seconds=60 * 10)
def start(
	message: str,
	client_id: str,
	name: str = "",
	email: str = "",
	phone: str = "",
	channel: str | None = None,
) -> dict:
	"""A new conversation: returns its token, which the browser keeps (and the server only as a digest)."""
	found = _channel(channel)
	user = _user()
	if user:
		name = frappe.utils.get_fullname(user)
		email = frappe.db.get_value("User", user, "email")
		phone = ""
	else:
		name = (name or "").strip()[:MAX_NAME]
		email = (email or "").strip()
		phone = (phone or "").strip()
		if not name:
			frappe.throw(_("Please give your name."))
		if not (email or phone):
			frappe.throw(_("Give an email address or a phone number so we can reach you."))
		if email:
			validate_email_address(email, throw=True)
		if phone and not normalise_phone(phone):
			frappe.throw(_("{0} is not a phone number.").format(frappe.utils.escape_html(phone)))
	token = chat_session.new_token()
	ticket = _post(found, token, message, client_id, name, email or None, phone or None, user)
	return {"token": token, **_conversation(ticket)}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=60)
def send(token: str, message: str, client_id: str, channel: str | None = None) -> dict:
	"""The visitor's next message; a conversation whose ticket was closed goes on as a new ticket."""
	found = _channel(channel)
	user = _user()
	ticket = chat_session.ticket_for(found.name, token, user)
	if not ticket:
		frappe.throw(_("This conversation was not found."), frappe.DoesNotExistError)
	first = (
		frappe.db.get_value(
			"Intake Message",
			{"ticket": ticket.name, "channel": chat_session.CHANNEL},
			["sender_name", "sender_email", "sender_phone"],
			as_dict=True,
			order_by="creation asc",
		)
		or frappe._dict()
	)
	if user:
		first = frappe._dict(
			sender_name=frappe.utils.get_fullname(user),
			sender_email=frappe.db.get_value("User", user, "email"),
		)
	own_token = token and ticket.external_conversation == chat_session.conversation_id(found.name, token)
	if not own_token:
		# A logged-in customer's chat found by their session: it keeps its own conversation id.
		token_digest_conversation = ticket.external_conversation
		ticket = _post_to_conversation(found, token_digest_conversation, message, client_id, first, user)
	else:
		ticket = _post(
			found, token, message, client_id, first.sender_name, first.sender_email, first.sender_phone, user
		)
	return _conversation(ticket)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=120, seconds=60)
def poll(token: str = "", after: str = "", channel: str | None = None) -> dict:
	"""The conversation's messages (after ``after``, the ``at`` of the last one the browser has)."""
	found = chat_session.chat_channel(channel)
	if not found:
		return {"messages": [], "found": False}
	ticket = chat_session.ticket_for(found.name, token or None, _user())
	if not ticket:
		return {"messages": [], "found": False}
	return _conversation(ticket, after or None)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=10, seconds=60 * 10)
def end(token: str = "", channel: str | None = None) -> dict:
	"""The visitor ends the chat: a guest gets the transcript by email (when an agent answered)."""
	found = _channel(channel)
	ticket = chat_session.ticket_for(found.name, token or None, _user())
	if not ticket:
		return {"transcript_sent": False}
	sent = chat_session.send_transcript(ticket)
	ticket.add_comment("Info", _("The visitor ended the chat."))
	return {"transcript_sent": sent}


def _post(found, token, message, client_id, name, email, phone, user):
	conversation = chat_session.conversation_id(found.name, token)
	return _post_to_conversation(
		found,
		conversation,
		message,
		client_id,
		frappe._dict(sender_name=name, sender_email=email, sender_phone=phone),
		user,
	)


def _post_to_conversation(found, conversation: str, message: str, client_id: str, sender, user):
	message = (message or "").strip()
	if not message:
		frappe.throw(_("Write a message first."))
	client_id = (client_id or "").strip()[:64]
	if not client_id:
		frappe.throw(_("client_id is required."))
	try:
		result = chat_session.post_to(
			found.name,
			conversation,
			message,
			client_id,
			sender.sender_name,
			sender.sender_email,
			sender.sender_phone,
			visitor_language(),
			user,
		)
	except IntakeError as error:
		frappe.throw(str(error))
	frappe.db.set_value(
		"Support Channel", found.name, "last_message_at", frappe.utils.now_datetime(), update_modified=False
	)
	return frappe.get_doc("Ticket", result.ticket)


def _conversation(ticket, after: str | None = None) -> dict:
	language = visitor_language()
	return {
		"found": True,
		"ticket": ticket.name,
		"status": ticket.status,
		"closed": ticket.status == "Closed",
		"messages": chat_session.messages(ticket, language, after),
	}
