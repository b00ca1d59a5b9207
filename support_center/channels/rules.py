"""The connectors' decisions that need no database and no network: pure, unit-tested in tests/."""

import hashlib
import hmac
from datetime import datetime, timedelta

# Seconds before attempt 2, 3, ... of a reply that failed for a reason that may pass.
BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# WhatsApp's customer service window: a business may write freely this long after the customer's message.
WHATSAPP_WINDOW = timedelta(hours=24)


def next_delay(attempts: int, retry_after: float | None) -> float:
	"""Seconds to wait after ``attempts`` failed attempts: the messenger's retry_after when it gave one."""
	if retry_after:
		return max(float(retry_after), 1.0)
	return float(BACKOFF_SECONDS[max(min(attempts, len(BACKOFF_SECONDS)), 1) - 1])


def split_text(text: str, limit: int) -> list[str]:
	"""A long reply as messages of at most ``limit`` characters, cut at paragraph, line or word ends."""
	text = (text or "").strip()
	parts = []
	while len(text) > limit:
		cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
		if cut <= limit // 2:
			cut = limit
		parts.append(text[:cut].rstrip())
		text = text[cut:].lstrip()
	if text:
		parts.append(text)
	return parts


def window_open(last_customer_message: datetime | None, now: datetime) -> bool:
	"""Whether WhatsApp allows a free-form reply: the customer wrote within the last 24 hours."""
	return bool(last_customer_message) and now - last_customer_message < WHATSAPP_WINDOW


def parse_templates(text: str | None) -> list[dict]:
	"""A channel's approved templates, one "name:language" a line, as [{"name", "language"}]."""
	templates = []
	for line in (text or "").splitlines():
		line = line.strip()
		if not line:
			continue
		name, _sep, language = line.partition(":")
		if name.strip():
			templates.append({"name": name.strip(), "language": (language.strip() or "en")})
	return templates


def hub_signature(secret: str, body: bytes) -> str:
	"""WhatsApp's (Meta's) X-Hub-Signature-256 of a webhook body."""
	return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def vk_random_id(key: str) -> int:
	"""A stable positive 31-bit number for an idempotency key: VK drops a second send with the same one."""
	return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & 0x7FFFFFFF


def token_digest(token: str) -> str:
	"""What the server keeps of a chat token: its SHA-256, from which the token cannot be recovered."""
	return hashlib.sha256(token.encode()).hexdigest()


def support_words(text: str | None) -> list[str]:
	"""A channel's support words, one word or phrase a line, lower-cased."""
	return [line.strip().lower() for line in (text or "").splitlines() if line.strip()]


def is_support_matter(comment: str, words: list[str]) -> bool:
	"""Whether a website comment asks for help: it contains one of the words, as a whole word or phrase."""
	import re

	lowered = " ".join((comment or "").lower().split())
	return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in words if word)
