"""Which connector serves a channel type, and the parts of a Support Channel every connector shares."""

import secrets
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import get_url

from support_center.channels.base import Connector

# Channel type -> the connector class's dotted path. A new messenger is one module and one line here.
CONNECTORS = {
	"Telegram": "support_center.channels.telegram.TelegramConnector",
	"WhatsApp": "support_center.channels.whatsapp.WhatsAppConnector",
	"VK": "support_center.channels.vk.VKConnector",
	"Chat": "support_center.channels.chat.ChatConnector",
	"Website Comments": "support_center.channels.website_comments.WebsiteCommentConnector",
}
WEBHOOK_METHOD = "support_center.api.channels.webhook"


def connector_for(channel) -> Connector:
	path = CONNECTORS.get(channel.channel_type)
	if not path:
		frappe.throw(_("No connector for channel type {0}.").format(channel.channel_type))
	return frappe.get_attr(path)()


def webhook_url(channel) -> str:
	if channel.channel_type in ("Chat", "Website Comments"):
		return ""
	return get_url(f"/api/method/{WEBHOOK_METHOD}?{urlencode({'channel': channel.name})}")


def prepare_channel(doc) -> None:
	"""Support Channel validate: a webhook secret of its own, a clean base URL, a routed category."""
	if doc.channel_type in ("Telegram", "WhatsApp", "VK") and not doc.get_password(
		"webhook_secret", raise_exception=False
	):
		# Telegram allows A-Z, a-z, 0-9, _ and - in its secret token.
		doc.webhook_secret = secrets.token_urlsafe(32)
	if doc.api_base_url:
		doc.api_base_url = doc.api_base_url.strip().rstrip("/")
		if not doc.api_base_url.startswith(("https://", "http://")):
			frappe.throw(_("The API base URL must start with https://."))


def enabled_channel(name: str | None, channel_type: str | None = None):
	"""The enabled Support Channel of that name (and type), or None."""
	if not name:
		return None
	filters = {"name": name, "enabled": 1}
	if channel_type:
		filters["channel_type"] = channel_type
	found = frappe.db.get_value("Support Channel", filters, "name")
	return frappe.get_doc("Support Channel", found) if found else None
