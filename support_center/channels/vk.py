"""VK Callback API: the confirmation handshake, events checked by their secret, messages.send out with a
random_id derived from our idempotency key (VK drops a repeated send with the same random_id)."""

import hmac
from dataclasses import replace

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
from support_center.channels.parsing import MAX_NAME, vk_event, vk_messages
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
		return vk_event(request.get_data())

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
		messages = vk_messages(event, _)
		return WebhookResult(
			messages=tuple(
				replace(message, sender_name=self.user_name(channel, message.sender_id))
				if message.sender_id
				else message
				for message in messages
			)
		)

	def user_name(self, channel, user_id) -> str:
		try:
			users = self.call(channel, "users.get", user_ids=user_id)
			user = users[0] if users else {}
			name = " ".join(
				str(part) for part in (user.get("first_name"), user.get("last_name")) if part
			).strip()
		except (DeliveryError, AttributeError, IndexError, KeyError, TypeError):
			name = ""
		return (name or _("VK user {0}").format(user_id))[:MAX_NAME]

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
