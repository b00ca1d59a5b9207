"""WhatsApp Cloud API: the verification handshake (hub.challenge), webhooks signed with the app secret
(X-Hub-Signature-256), replies through the phone number's messages endpoint, media through its ids.

WhatsApp lets a business write freely only within 24 hours of the customer's last message (the customer
service window); after that only an approved template may be sent. ``window_open`` says which applies.
"""

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
from support_center.channels.parsing import whatsapp_payload
from support_center.channels.rules import hub_signature

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_TEXT = 4096
# Meta's error codes that waiting cannot fix: outside the 24-hour window, recipient not on WhatsApp or
# blocked, media too large or of the wrong type, a bad token.
PERMANENT_CODES = {131047, 131026, 131031, 131051, 131052, 131053, 100, 190, 10, 200}
RATE_LIMIT_CODES = {4, 80007, 130429, 131048, 131056}


signature = hub_signature


class WhatsAppConnector(Connector):
	channel_type = "WhatsApp"
	default_base_url = "https://graph.facebook.com/v19.0"
	max_text_length = MAX_TEXT

	def headers(self, channel) -> dict:
		return {"Authorization": f"Bearer {channel.get_password('access_token')}"}

	def verify(self, channel, request) -> None:
		if request.method == "GET":
			expected = channel.get_password("webhook_secret", raise_exception=False) or ""
			given = request.args.get("hub.verify_token") or ""
			if (
				request.args.get("hub.mode") != "subscribe"
				or not expected
				or not hmac.compare_digest(given, expected)
			):
				raise WebhookRefused(_("The WhatsApp verify token is missing or wrong."))
			return
		secret = channel.get_password("app_secret", raise_exception=False) or ""
		given = request.headers.get(SIGNATURE_HEADER) or ""
		if not secret or not hmac.compare_digest(given, signature(secret, request.get_data())):
			raise WebhookRefused(_("The WhatsApp signature (X-Hub-Signature-256) is missing or wrong."))

	def parse(self, channel, request) -> WebhookResult:
		if request.method == "GET":
			return WebhookResult(reply_body=request.args.get("hub.challenge") or "")
		return WebhookResult(messages=whatsapp_payload(request.get_data(), channel.phone_number_id, _))

	def download(self, channel, media: Media) -> bytes:
		meta = http("GET", f"{self.base_url(channel)}/{media.reference}", headers=self.headers(channel))
		info = answer(meta)
		url = info.get("url")
		if not url:
			raise DeliveryError(_("WhatsApp gave no address for {0}.").format(media.filename), permanent=True)
		file = http("GET", url, headers=self.headers(channel))
		if not file.ok:
			raise DeliveryError(f"Download failed ({file.status_code})", permanent=file.status_code < 500)
		return file.content

	def send(self, channel, reply: OutgoingReply) -> str:
		url = f"{self.base_url(channel)}/{channel.phone_number_id}/messages"
		body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": reply.chat_id}
		if reply.template:
			name, _sep, language = reply.template.partition(":")
			body |= {"type": "template", "template": {"name": name, "language": {"code": language or "en"}}}
		elif reply.files:
			filename, content = reply.files[0]
			media_id = self.upload(channel, filename, content)
			kind = "image" if (mimetypes.guess_type(filename)[0] or "").startswith("image/") else "document"
			item = {"id": media_id}
			if kind == "document":
				item["filename"] = filename
			if reply.text:
				item["caption"] = reply.text[:1024]
			body |= {"type": kind, kind: item}
		else:
			body |= {"type": "text", "text": {"body": reply.text, "preview_url": False}}
		result = answer(http("POST", url, json=body, headers=self.headers(channel)))
		return str(((result.get("messages") or [{}])[0]).get("id") or "")

	def upload(self, channel, filename: str, content: bytes) -> str:
		mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
		response = http(
			"POST",
			f"{self.base_url(channel)}/{channel.phone_number_id}/media",
			data={"messaging_product": "whatsapp", "type": mime},
			files={"file": (filename, content, mime)},
			headers=self.headers(channel),
		)
		return str(answer(response).get("id"))


def answer(response) -> dict:
	try:
		body = response.json()
	except ValueError:
		body = {}
	if response.ok and "error" not in body:
		return body
	error = body.get("error") or {}
	code = error.get("code")
	message = error.get("message") or response.text[:200]
	if code == 131047:
		raise DeliveryError(
			_(
				"WhatsApp: more than 24 hours passed since the customer's last message; send an approved template."
			),
			permanent=True,
		)
	if response.status_code == 429 or code in RATE_LIMIT_CODES:
		retry_after = response.headers.get("Retry-After")
		raise DeliveryError(
			f"WhatsApp ({code}): {message}", retry_after=float(retry_after) if retry_after else None
		)
	if response.status_code >= 500 and code not in PERMANENT_CODES:
		raise DeliveryError(f"WhatsApp ({code}): {message}")
	raise DeliveryError(f"WhatsApp ({code or response.status_code}): {message}", permanent=True)
