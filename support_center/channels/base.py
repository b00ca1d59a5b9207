"""The interface every messenger connector implements, and what it hands to the rest of the app."""

from abc import ABC, abstractmethod
from dataclasses import dataclass

import requests

# What a webhook is read into, and its refusals, live with the pure readers (parsing.py); here too, for the
# connectors.
from support_center.channels.parsing import InboundMessage, MalformedWebhook, Media, WebhookRefused

# Seconds to wait for a messenger's API. A module attribute so tests can shorten it.
TIMEOUT_SECONDS = 15.0
# The most a downloaded media file may weigh; larger ones are noted on the ticket instead.
DEFAULT_MAX_MEDIA_BYTES = 20 * 1024 * 1024


class DeliveryError(Exception):
	"""A reply did not reach the messenger.

	``permanent``: retrying cannot help (the customer blocked the bot, the file is too large, the token is
	wrong). ``retry_after``: the messenger asked us to wait that many seconds (rate limiting).
	"""

	def __init__(self, message: str, permanent: bool = False, retry_after: float | None = None):
		super().__init__(message)
		self.permanent = permanent
		self.retry_after = retry_after


@dataclass(frozen=True)
class WebhookResult:
	"""What a webhook carried: messages to take in, and the body to answer the messenger with."""

	messages: tuple[InboundMessage, ...] = ()
	reply_body: str = "ok"
	reply_type: str = "text/plain"


@dataclass(frozen=True)
class OutgoingReply:
	chat_id: str
	text: str
	# (file name, content) pairs.
	files: tuple[tuple[str, bytes], ...] = ()
	# WhatsApp: "name:language" of an approved template, sent instead of free text.
	template: str | None = None
	# Ours, unique per reply: messengers that take one (VK's random_id) drop a repeated send.
	idempotency_key: str = ""


class Connector(ABC):
	"""One messenger. Subclasses set ``channel_type`` and ``default_base_url`` and implement ``send``; those
	that take webhooks (Telegram, WhatsApp, VK) also ``verify``, ``parse`` and ``download``."""

	channel_type = ""
	default_base_url = ""

	def base_url(self, channel) -> str:
		return (channel.api_base_url or self.default_base_url).rstrip("/")

	def verify(self, channel, request) -> None:
		"""Raise WebhookRefused unless the request is from the messenger. ``request``: the werkzeug request."""
		# The site chat and website comments come in through the app's own endpoints, never a webhook.
		raise WebhookRefused(f"{self.channel_type or 'this'} channel takes no webhook")

	def parse(self, channel, request) -> WebhookResult:
		raise WebhookRefused(f"{self.channel_type or 'this'} channel takes no webhook")

	def download(self, channel, media: Media) -> bytes:
		raise DeliveryError(f"{self.channel_type or 'this'} channel has no media to download", permanent=True)

	@abstractmethod
	def send(self, channel, reply: OutgoingReply) -> str:
		"""Send a reply; return the messenger's id of the message, raise DeliveryError."""

	def register_webhook(self, channel) -> dict:
		from frappe import _

		return {"message": _("Enter the webhook address shown on this form in the messenger's settings.")}


def http(method: str, url: str, **kwargs) -> requests.Response:
	"""A request to a messenger's API; network failures and timeouts become retryable DeliveryErrors."""
	kwargs.setdefault("timeout", TIMEOUT_SECONDS)
	try:
		return requests.request(method, url, **kwargs)
	except requests.Timeout as error:
		raise DeliveryError(f"Timed out after {kwargs['timeout']} s: {error}") from error
	except requests.RequestException as error:
		raise DeliveryError(f"Could not reach the messenger: {error}") from error


def error_for_status(response: requests.Response, description: str) -> DeliveryError:
	"""A messenger's HTTP failure as a DeliveryError: 429 and 5xx are retried, other 4xx are final."""
	status = response.status_code
	if status == 429:
		retry_after = None
		try:
			retry_after = float(response.headers.get("Retry-After") or 0) or None
		except ValueError:
			pass
		return DeliveryError(f"Rate limited (429): {description}", retry_after=retry_after)
	if status >= 500:
		return DeliveryError(f"Messenger error {status}: {description}")
	return DeliveryError(f"Refused ({status}): {description}", permanent=True)
