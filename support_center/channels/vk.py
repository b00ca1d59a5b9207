"""VK Callback API: the confirmation handshake, events checked by their secret, messages.send out with a
random_id derived from our idempotency key (VK drops a repeated send with the same random_id)."""

import hmac
import json

from frappe import _

from support_center.channels.base import (
	Connector,
	DeliveryError,
	InboundMessage,
	Media,
	OutgoingReply,
	WebhookRefused,
	WebhookResult,
	http,
)
from support_center.channels.rules import vk_random_id

API_VERSION = "5.199"
MAX_TEXT = 4096
# VK's error codes worth waiting for: too many requests, flood control, internal error.
RETRY_CODES = {1, 6, 9, 10}


random_id = vk_random_id


class VKConnector(Connector):
	channel_type = "VK"
	default_base_url = "https://api.vk.com/method"
	max_text_length = MAX_TEXT

	def call(self, channel, method: str, **params) -> dict | int | list:
		params |= {"access_token": channel.get_password("access_token"), "v": API_VERSION}
		response = http("POST", f"{self.base_url(channel)}/{method}", data=params)
		try:
			body = response.json()
		except ValueError:
			raise DeliveryError(f"VK answered {response.status_code}: {response.text[:200]}") from None
		if "error" in body:
			error = body["error"] or {}
			code = error.get("error_code")
			message = f"VK ({code}): {error.get('error_msg')}"
			# 901/902: the customer does not allow the community to write (blocked it).
			raise DeliveryError(
				message, permanent=code not in RETRY_CODES, retry_after=1 if code in (6, 9) else None
			)
		if not response.ok:
			raise DeliveryError(f"VK answered {response.status_code}", permanent=response.status_code < 500)
		return body.get("response")

	def event(self, request) -> dict:
		try:
			event = json.loads(request.get_data() or b"{}")
		except ValueError:
			raise WebhookRefused(_("Not a VK event.")) from None
		return event if isinstance(event, dict) else {}

	def verify(self, channel, request) -> None:
		event = self.event(request)
		if str(event.get("group_id") or "") != str(channel.group_id or ""):
			raise WebhookRefused(_("The event is for another VK community."))
		if event.get("type") == "confirmation":
			return
		expected = channel.get_password("webhook_secret", raise_exception=False) or ""
		if not expected or not hmac.compare_digest(str(event.get("secret") or ""), expected):
			raise WebhookRefused(_("The VK secret key is missing or wrong."))

	def parse(self, channel, request) -> WebhookResult:
		event = self.event(request)
		if event.get("type") == "confirmation":
			return WebhookResult(reply_body=channel.confirmation_code or "")
		if event.get("type") != "message_new":
			return WebhookResult()
		obj = event.get("object") or {}
		message = obj.get("message") or obj
		return WebhookResult(messages=(self.inbound(channel, message),))

	def inbound(self, channel, message: dict) -> InboundMessage:
		media = []
		for index, attachment in enumerate(message.get("attachments") or []):
			kind = attachment.get("type")
			item = attachment.get(kind) or {}
			if kind == "photo" and item.get("sizes"):
				largest = max(
					item["sizes"], key=lambda size: (size.get("width") or 0) * (size.get("height") or 0)
				)
				media.append(Media(largest["url"], f"photo_{message.get('id')}_{index}.jpg"))
			elif kind == "doc" and item.get("url"):
				title = (item.get("title") or f"file_{index}").replace("/", "_")
				if item.get("ext") and not title.endswith("." + item["ext"]):
					title += "." + item["ext"]
				media.append(Media(item["url"], title, item.get("size")))
			elif kind == "audio_message" and (item.get("link_ogg") or item.get("link_mp3")):
				link = item.get("link_ogg") or item.get("link_mp3")
				media.append(
					Media(link, f"voice_{message.get('id')}.{'ogg' if item.get('link_ogg') else 'mp3'}")
				)
		text = message.get("text") or ""
		if not text and not media:
			text = _("(a message the desk cannot show)")
		sender = message.get("from_id")
		return InboundMessage(
			message_id=f"{message.get('peer_id')}:{message.get('conversation_message_id') or message.get('id')}",
			chat_id=str(message.get("peer_id") or sender),
			text=text,
			sender_name=self.user_name(channel, sender),
			sent_at=message.get("date"),
			media=tuple(media),
		)

	def user_name(self, channel, user_id) -> str:
		try:
			users = self.call(channel, "users.get", user_ids=user_id)
			user = users[0] if users else {}
			name = " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)
		except (DeliveryError, AttributeError, IndexError, TypeError):
			name = ""
		return name or _("VK user {0}").format(user_id)

	def download(self, channel, media: Media) -> bytes:
		response = http("GET", media.reference)
		if not response.ok:
			raise DeliveryError(
				f"Download failed ({response.status_code})", permanent=response.status_code < 500
			)
		return response.content

	def send(self, channel, reply: OutgoingReply) -> str:
		params = {"peer_id": reply.chat_id, "random_id": random_id(reply.idempotency_key or reply.text)}
		if reply.text:
			params["message"] = reply.text
		if reply.files:
			filename, content = reply.files[0]
			params["attachment"] = self.upload(channel, reply.chat_id, filename, content)
		return str(self.call(channel, "messages.send", **params))

	def upload(self, channel, peer_id: str, filename: str, content: bytes) -> str:
		server = self.call(channel, "docs.getMessagesUploadServer", type="doc", peer_id=peer_id)
		uploaded = http("POST", server["upload_url"], files={"file": (filename, content)})
		try:
			file = uploaded.json().get("file")
		except ValueError:
			file = None
		if not file:
			raise DeliveryError(f"VK refused the file {filename}: {uploaded.text[:200]}", permanent=True)
		saved = self.call(channel, "docs.save", file=file, title=filename)
		doc = saved.get("doc") or {}
		return f"doc{doc.get('owner_id')}_{doc.get('id')}"
