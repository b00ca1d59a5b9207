"""Telegram Bot API: updates by webhook (checked by the secret token header), replies by sendMessage,
sendPhoto and sendDocument, files fetched through getFile."""

import hmac
import mimetypes

from frappe import _

from support_center.channels.base import (
	Connector,
	DeliveryError,
	Media,
	OutgoingReply,
	WebhookRefused,
	WebhookResult,
	http,
)
from support_center.channels.parsing import telegram_update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's limits: 4096 characters a message, 20 MB a file a bot may download, 50 MB one it may send.
MAX_TEXT = 4096
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class TelegramConnector(Connector):
	channel_type = "Telegram"
	default_base_url = "https://api.telegram.org"
	max_text_length = MAX_TEXT

	def api(self, channel, method: str) -> str:
		return f"{self.base_url(channel)}/bot{channel.get_password('bot_token')}/{method}"

	def verify(self, channel, request) -> None:
		expected = channel.get_password("webhook_secret", raise_exception=False) or ""
		given = request.headers.get(SECRET_HEADER) or ""
		if request.method != "POST" or not expected or not hmac.compare_digest(given, expected):
			raise WebhookRefused(_("The Telegram secret token is missing or wrong."))

	def parse(self, channel, request) -> WebhookResult:
		# Edits, channel posts, member updates carry nothing a customer asked: no messages.
		return WebhookResult(messages=telegram_update(request.get_data(), _))

	def download(self, channel, media: Media) -> bytes:
		response = http("POST", self.api(channel, "getFile"), json={"file_id": media.reference})
		data = answer(response)
		path = data.get("file_path")
		if not path:
			raise DeliveryError(
				_("Telegram gave no file path for {0}.").format(media.filename), permanent=True
			)
		file = http("GET", f"{self.base_url(channel)}/file/bot{channel.get_password('bot_token')}/{path}")
		if not file.ok:
			raise DeliveryError(f"Download failed ({file.status_code})", permanent=file.status_code < 500)
		return file.content

	def send(self, channel, reply: OutgoingReply) -> str:
		if reply.files:
			filename, content = reply.files[0]
			method, field = (
				("sendPhoto", "photo")
				if filename.lower().endswith(IMAGE_TYPES)
				else ("sendDocument", "document")
			)
			mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
			data = {"chat_id": reply.chat_id}
			if reply.text:
				data["caption"] = reply.text[:1024]
			response = http(
				"POST", self.api(channel, method), data=data, files={field: (filename, content, mime)}
			)
		else:
			response = http(
				"POST", self.api(channel, "sendMessage"), json={"chat_id": reply.chat_id, "text": reply.text}
			)
		return str((answer(response) or {}).get("message_id") or "")

	def register_webhook(self, channel) -> dict:
		from support_center.channels.registry import webhook_url

		response = http(
			"POST",
			self.api(channel, "setWebhook"),
			json={
				"url": webhook_url(channel),
				"secret_token": channel.get_password("webhook_secret"),
				"allowed_updates": ["message"],
			},
		)
		answer(response)
		return {"message": _("Telegram now sends this bot's messages to {0}.").format(webhook_url(channel))}


def answer(response) -> dict:
	"""The ``result`` of a Bot API answer, or the DeliveryError its failure means."""
	try:
		body = response.json()
	except ValueError:
		body = {}
	if response.ok and body.get("ok"):
		return body.get("result") or {}
	description = body.get("description") or response.text[:200]
	code = body.get("error_code") or response.status_code
	retry_after = (body.get("parameters") or {}).get("retry_after")
	if code == 429 or retry_after:
		raise DeliveryError(f"Telegram: {description}", retry_after=float(retry_after or 1))
	if code >= 500:
		raise DeliveryError(f"Telegram: {description}")
	# 403: the customer blocked the bot; 400: a bad request or a file too big. Retrying cannot help.
	raise DeliveryError(f"Telegram ({code}): {description}", permanent=True)
