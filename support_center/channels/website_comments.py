"""Website comments (blog posts, web pages) that ask for help become tickets, and the agent's public answer
is posted back under them, once.

A comment becomes a ticket when the Website Comments channel's support words match it, or when an agent
clicks "Make Ticket" on it (support_center/api/website_comments.py). The conversation is the visitor on
that page (``<channel>:<doctype>|<name>|<email>``), so their later comments there join the same open
ticket; the comment's own name is the message id, so a comment is never taken in twice. Answers go
through the channel's delivery (support_center/channels/delivery.py): one Channel Delivery per reply, so
an answer is posted once however often its job runs. Internal notes never leave the desk.
"""

import frappe
from frappe import _
from frappe.utils import escape_html, get_url, strip_html_tags

from support_center.channels.base import Connector, DeliveryError, OutgoingReply
from support_center.channels.rules import is_support_matter, support_words
from support_center.intake.core import receive
from support_center.intake.rules import TRUSTED_WEBHOOK, WEBHOOK, IncomingMessage

CHANNEL_TYPE = "Website Comments"
TICKET_CHANNEL = "Website Comment"
# Documents whose comments are the site's, not the desk's.
WEBSITE_DOCTYPES = ("Blog Post", "Web Page")
SEPARATOR = "|"


class WebsiteCommentConnector(Connector):
	channel_type = CHANNEL_TYPE
	max_text_length = 100_000
	# An acknowledgement posted in public under the comment would only add noise; the answer goes there.
	acknowledge = False

	def send(self, channel, reply: OutgoingReply) -> str:
		doctype, name, email = parse_conversation(reply.chat_id)
		if not (doctype and name) or not frappe.db.exists(doctype, name):
			raise DeliveryError(_("The page the comment was written under no longer exists."), permanent=True)
		visitor = frappe.db.get_value(
			"Comment",
			{
				"reference_doctype": doctype,
				"reference_name": name,
				"comment_email": email,
				"comment_type": "Comment",
			},
			"comment_by",
			order_by="creation desc",
		)
		# Themes often show a comment's text without its tags: the mention goes on the first line itself.
		text = f"@{visitor} {reply.text or ''}" if visitor else reply.text or ""
		paragraphs = [escape_html(part.strip()) for part in text.split("\n\n") if part.strip()]
		body = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in paragraphs)
		comment = frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Comment",
				"reference_doctype": doctype,
				"reference_name": name,
				"comment_by": channel.public_name or _("Support"),
				"comment_email": frappe.db.get_value("User", frappe.session.user, "email") or "",
				"content": body,
				"published": 1,
			}
		)
		comment.flags.from_support_center = True
		comment.insert(ignore_permissions=True)
		route = frappe.db.get_value(doctype, name, "route")
		if route:
			from frappe.website.utils import clear_cache

			clear_cache(route)
		return comment.name


def conversation_of(channel: str, doctype: str, name: str, email: str) -> str:
	return f"{channel}:{SEPARATOR.join((doctype, name, (email or '').lower()))}"


def parse_conversation(chat_id: str) -> tuple[str | None, str | None, str | None]:
	parts = (chat_id or "").split(SEPARATOR)
	return tuple(parts) if len(parts) == 3 else (None, None, None)


def comments_channel():
	name = frappe.db.get_value(
		"Support Channel", {"channel_type": CHANNEL_TYPE, "enabled": 1}, "name", order_by="creation asc"
	)
	return frappe.get_doc("Support Channel", name) if name else None


def is_website_comment(comment) -> bool:
	return (
		comment.comment_type == "Comment"
		and comment.reference_doctype in WEBSITE_DOCTYPES
		and bool(strip_html_tags(comment.content or "").strip())
	)


def open_ticket_of(conversation: str) -> int | None:
	return frappe.db.get_value(
		"Ticket",
		{"channel": TICKET_CHANNEL, "external_conversation": conversation, "status": ("!=", "Closed")},
		"name",
	)


def on_comment(doc, method=None) -> None:
	"""Comment after_insert: a website comment that asks for help, or a visitor's next comment on a page
	where they have an open ticket, is taken in."""
	if doc.flags.get("from_support_center") or not is_website_comment(doc):
		return
	channel = comments_channel()
	if not channel:
		return
	conversation = conversation_of(channel.name, doc.reference_doctype, doc.reference_name, doc.comment_email)
	text = strip_html_tags(doc.content or "")
	if open_ticket_of(conversation) or is_support_matter(text, support_words(channel.trigger_words)):
		take_in(doc, channel)


def take_in(comment, channel=None):
	"""The comment as an intake message of the Website Comments channel (once: its name is the message id)."""
	channel = channel or comments_channel()
	if not channel:
		frappe.throw(_("Create and enable a Support Channel of type Website Comments first."))
	if not is_website_comment(comment):
		frappe.throw(_("Only comments under blog posts and web pages become tickets."))
	route = frappe.db.get_value(comment.reference_doctype, comment.reference_name, "route")
	page = get_url(f"/{route}") if route else f"{comment.reference_doctype} {comment.reference_name}"
	text = strip_html_tags(comment.content or "").strip()
	# A logged-in visitor's address is their own (the site's comment endpoint signs with the session user).
	verified = (
		bool(comment.comment_email)
		and comment.owner not in ("Guest", "Administrator")
		and (frappe.db.get_value("User", comment.owner, "email") == comment.comment_email)
	)
	result = receive(
		IncomingMessage(
			channel=TICKET_CHANNEL,
			text=f"{text}\n\n{_('Written under {0}').format(page)}",
			subject=_("Comment: {0}").format(text.splitlines()[0][:100] if text else comment.reference_name),
			sender_name=comment.comment_by or comment.comment_email,
			sender_email=comment.comment_email or None,
			message_id=f"{channel.name}:comment:{comment.name}",
			conversation_id=conversation_of(
				channel.name, comment.reference_doctype, comment.reference_name, comment.comment_email
			),
			source=TRUSTED_WEBHOOK if verified else WEBHOOK,
			support_channel=channel.name,
		)
	)
	frappe.db.set_value(
		"Support Channel", channel.name, "last_message_at", frappe.utils.now_datetime(), update_modified=False
	)
	return result
