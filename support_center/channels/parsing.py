"""The messengers' webhook bodies read into InboundMessages: pure (no Frappe, no network), so every body a
messenger, or anyone holding a channel's secret, may send is fuzzed in tests/test_fuzz_connector_parsers.py.

Each reader returns the body's messages or raises ``MalformedWebhook`` (the endpoint answers 400 and
stores nothing): never another exception. A message's fields are always what the intake can store: str
text (a number where text was expected is kept as text; lone surrogates become U+FFFD), ids that are
plain and short, a name within 140 characters, a phone number only when it is one, file names without a
path, markup or control characters, a timestamp only when it is a moment. A message with nothing the desk
can show says so in its text instead of being dropped.

``translate``: the connectors pass Frappe's ``_`` for the placeholders; the default leaves them English.
"""

import hashlib
import json
import math
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from support_center.intake.email_rules import safe_file_name
from support_center.intake.rules import MAX_FILE_NAME_BYTES, normalise_phone

# Intake Message and Ticket Data fields hold 140 characters.
MAX_NAME = 140
# Messenger ids are numbers or short tokens (a WhatsApp message id is about 60 characters). A chat id goes
# into the conversation id after the channel's name, which must fit in 140 characters.
MAX_CHAT_ID = 64
MAX_MESSAGE_ID = 100
_ID = re.compile(r"[A-Za-z0-9_.:=+/@-]+")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_KIND = re.compile(r"[a-z_]{1,40}")
# ASCII digits only: "²" is a digit to str.isdigit, and no number to int().
_DIGITS = re.compile(r"[0-9]{1,19}")
# Unix time from 1970 to the year 3000: the range a datetime can be made from on every platform.
MAX_TIMESTAMP = 32503680000


class WebhookRefused(Exception):
	"""The request is not from the messenger (wrong secret or signature): answered 403, nothing stored."""


class MalformedWebhook(WebhookRefused):
	"""The body is not one the messenger sends (not a JSON object, a message without a chat or an id):
	answered 400, nothing stored."""


@dataclass(frozen=True)
class Media:
	"""A file a message refers to; the connector's ``download`` fetches it."""

	reference: str
	filename: str
	size: int | None = None


@dataclass(frozen=True)
class InboundMessage:
	"""One message of a webhook, before the intake: what the connector could read from the messenger."""

	message_id: str
	chat_id: str
	text: str = ""
	sender_name: str | None = None
	sender_phone: str | None = None
	language: str | None = None
	sent_at: float | None = None
	media: tuple[Media, ...] = field(default_factory=tuple)
	# The messenger's id of the sender (VK looks their name up by it).
	sender_id: str | None = None


def _(text: str) -> str:
	"""Marks a placeholder for Frappe's translation extractor; ``translate`` translates it."""
	return text


def _same(text: str) -> str:
	return text


# -- values as the intake can store them -----------------------------------------------------------------


def json_object(body: bytes | str | None, what: str) -> dict:
	"""The body as a JSON object; ``MalformedWebhook`` when it is anything else."""
	try:
		value = json.loads(body or b"{}")
	except (ValueError, RecursionError):
		# ValueError: not JSON, not UTF-8, a number of more than 4300 digits. RecursionError: nesting
		# deeper than the parser goes.
		raise MalformedWebhook(f"Not a {what}: the body is not JSON.") from None
	if not isinstance(value, dict):
		raise MalformedWebhook(f"Not a {what}: the body is not a JSON object.")
	return value


def mapping(value) -> dict:
	return value if isinstance(value, dict) else {}


def items(value) -> list[dict]:
	"""The objects of a JSON list; anything else in it, or a value that is no list, is no object."""
	return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text_of(value) -> str:
	"""A JSON value as text: a string as it is (without NUL, and lone surrogates, which no database stores,
	as U+FFFD), a number as written; null, booleans, lists and objects as ""."""
	if isinstance(value, str):
		# NUL is dropped when stored; a text of NULs and spaces is none.
		return _SURROGATE.sub("\ufffd", value).replace("\x00", "")
	if isinstance(value, int) and not isinstance(value, bool):
		# Python writes at most 4300 digits (JSON reads no more either).
		return str(value) if value.bit_length() < 14000 else ""
	if isinstance(value, float) and math.isfinite(value):
		return repr(value)
	return ""


def ident(value, limit: int = MAX_MESSAGE_ID) -> str | None:
	"""A messenger's id (a number or a plain token) as text; None when it is neither, or too long."""
	if isinstance(value, bool):
		return None
	if isinstance(value, int):
		value = str(value)
	if isinstance(value, str) and len(value) <= limit and _ID.fullmatch(value):
		return value
	return None


def name_of(*parts) -> str | None:
	name = " ".join(part for part in (text_of(p).strip() for p in parts) if part)
	return name[:MAX_NAME].strip() or None


def size_of(value) -> int | None:
	if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
		return value
	return None


def number_of(value) -> float:
	if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
		return float(value)
	return 0.0


def timestamp(value) -> float | None:
	"""A Unix timestamp (a number, or digits in a string as WhatsApp sends it) or None."""
	if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
		value = int(value)
	if isinstance(value, bool) or not isinstance(value, int | float):
		return None
	if not math.isfinite(value) or not 0 < value < MAX_TIMESTAMP:
		return None
	return float(value)


def language_of(value) -> str | None:
	"""A language code ("ru", "pt-br") or None."""
	return value if isinstance(value, str) and len(value) <= 35 and _LANGUAGE.fullmatch(value) else None


def phone_of(value) -> str | None:
	"""A phone number as "+" and digits, when the value is one."""
	raw = text_of(value).strip()
	if not raw:
		return None
	number = raw if raw.startswith("+") else "+" + raw
	return number if normalise_phone(number) else None


def file_name(given, default: str) -> str:
	"""A name the file can be stored under: the sender's, cleaned, else ``default``, cleaned; within the
	intake's limit in bytes, keeping the extension."""
	name = safe_file_name(text_of(given), "") or safe_file_name(default, "file")
	if len(name.encode()) > MAX_FILE_NAME_BYTES:
		stem, dot, extension = name.rpartition(".")
		if not (dot and stem) or len(extension.encode()) > 20:
			stem, extension = name, ""
		budget = MAX_FILE_NAME_BYTES - len(extension.encode()) - 1
		stem = stem.encode()[:budget].decode("utf-8", "ignore").rstrip(" ._")
		name = f"{stem}.{extension}" if stem and extension else stem or "file"
	return name


def placeholder(kind: str, translate: Callable[[str], str]) -> str:
	return translate(_("(a {0} the desk cannot show)")).format(kind or translate(_("message")))


def required(value: str | None, what: str) -> str:
	if not value:
		raise MalformedWebhook(f"The message has no {what} (or not a plain one).")
	return value


def intake_message_id(channel: str, message_id: str) -> str:
	"""The Intake Message's id of a messenger message: the channel's name and the messenger's id, or (when
	"Messenger:" and that would not fit the 140 characters of the dedupe key) their SHA-256."""
	key = f"{channel}:{message_id}"
	if len(f"Messenger:{key}") <= MAX_NAME:
		return key
	return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


# -- Telegram ---------------------------------------------------------------------------------------------

TELEGRAM_MEDIA = (
	("document", "file_{0}"),
	("voice", "voice_{0}.ogg"),
	("audio", "audio_{0}.mp3"),
	("video", "video_{0}.mp4"),
)
TELEGRAM_UNSHOWN = ("sticker", "location", "poll", "animation", "video_note")


def telegram_update(body: bytes | str | None, translate: Callable[[str], str] = _same) -> tuple:
	"""A Telegram Bot API update: its customer message, or none (edits, channel posts, member updates)."""
	update = json_object(body, "Telegram update")
	for key in ("message", "business_message"):
		if update.get(key) is None:
			continue
		if not isinstance(update[key], dict):
			raise MalformedWebhook(f"The update's {key} is not an object.")
		if update[key]:
			return (telegram_message(update[key], translate),)
	return ()


def telegram_message(message: dict, translate: Callable[[str], str] = _same) -> InboundMessage:
	sender = mapping(message.get("from"))
	chat = mapping(message.get("chat"))
	sender_id = ident(sender.get("id"), MAX_CHAT_ID)
	chat_id = required(ident(chat.get("id"), MAX_CHAT_ID) or sender_id, "chat id")
	number = required(ident(message.get("message_id")), "message id")
	name = name_of(sender.get("first_name"), sender.get("last_name"))
	username = text_of(sender.get("username")).strip()
	if not name and username:
		name = name_of("@" + username)
	media = []
	photos = [photo for photo in items(message.get("photo")) if text_of(photo.get("file_id"))]
	if photos:
		# Telegram sends each photo in several sizes; the last is the largest.
		largest = photos[-1]
		filename = file_name(None, f"photo_{number}.jpg")
		media.append(Media(text_of(largest["file_id"]), filename, size_of(largest.get("file_size"))))
	for kind, default_name in TELEGRAM_MEDIA:
		item = mapping(message.get(kind))
		if text_of(item.get("file_id")):
			filename = file_name(item.get("file_name"), default_name.format(number))
			media.append(Media(text_of(item["file_id"]), filename, size_of(item.get("file_size"))))
	text = next((t for t in (text_of(message.get(k)) for k in ("text", "caption")) if t.strip()), "")
	phone = None
	contact = mapping(message.get("contact"))
	shared = text_of(contact.get("phone_number")).strip()
	if shared:
		# Only the sender's own contact card (Telegram's "share my phone number") says who they are.
		if sender_id and ident(contact.get("user_id"), MAX_CHAT_ID) == sender_id:
			phone = phone_of(shared)
		if not text.strip():
			text = translate(_("Shared contact: {0}")).format(shared)
	if not text.strip() and not media:
		kinds = [key for key in TELEGRAM_UNSHOWN if key in message]
		text = placeholder(kinds[0] if kinds else "", translate)
	return InboundMessage(
		message_id=f"{chat_id}:{number}",
		chat_id=chat_id,
		text=text,
		sender_name=name,
		sender_phone=phone,
		language=language_of(sender.get("language_code")),
		sent_at=timestamp(message.get("date")),
		media=tuple(media),
		sender_id=sender_id,
	)


# -- WhatsApp Cloud API -----------------------------------------------------------------------------------

WHATSAPP_MEDIA = ("image", "document", "audio", "video", "sticker")


def whatsapp_payload(
	body: bytes | str | None, phone_number_id: str | None, translate: Callable[[str], str] = _same
) -> tuple:
	"""The customer messages of a WhatsApp webhook to the business number ``phone_number_id``."""
	payload = json_object(body, "WhatsApp webhook")
	messages = []
	for entry in items(payload.get("entry")):
		for change in items(entry.get("changes")):
			value = mapping(change.get("value"))
			phone_id = text_of(mapping(value.get("metadata")).get("phone_number_id"))
			if phone_id and phone_number_id and phone_id != str(phone_number_id):
				# Another number of the same app: not this channel's conversation.
				continue
			names = {}
			for contact in items(value.get("contacts")):
				wa_id = ident(contact.get("wa_id"), MAX_CHAT_ID)
				if wa_id:
					names[wa_id] = name_of(mapping(contact.get("profile")).get("name"))
			raw = value.get("messages")
			if raw is not None and not isinstance(raw, list):
				raise MalformedWebhook("The webhook's messages are not a list.")
			for message in raw or ():
				if not isinstance(message, dict):
					raise MalformedWebhook("A message of the webhook is not an object.")
				messages.append(whatsapp_message(message, names, translate))
	return tuple(messages)


def whatsapp_message(message: dict, names: dict, translate: Callable[[str], str] = _same) -> InboundMessage:
	kind = text_of(message.get("type"))
	sender = required(ident(message.get("from"), MAX_CHAT_ID), "sender")
	message_id = required(ident(message.get("id")), "message id")
	text = ""
	media = []
	if kind == "text":
		text = text_of(mapping(message.get("text")).get("body"))
	elif kind in WHATSAPP_MEDIA:
		item = mapping(message.get(kind))
		text = text_of(item.get("caption"))
		mime = text_of(item.get("mime_type")).split(";")[0].strip()
		extension = (mimetypes.guess_extension(mime) or "") if mime.isprintable() else ""
		filename = file_name(item.get("filename"), f"{kind}_{message_id[-12:]}{extension}")
		if ident(item.get("id")):
			media.append(Media(ident(item.get("id")), filename, None))
	elif kind == "button":
		text = text_of(mapping(message.get("button")).get("text"))
	elif kind == "interactive":
		interactive = mapping(message.get("interactive"))
		reply = mapping(interactive.get("button_reply")) or mapping(interactive.get("list_reply"))
		text = text_of(reply.get("title"))
	elif kind == "location":
		location = mapping(message.get("location"))
		place = " ".join(
			part for part in (text_of(location.get(key)).strip() for key in ("name", "address")) if part
		)
		latitude, longitude = text_of(location.get("latitude")), text_of(location.get("longitude"))
		text = f"{place} {latitude}, {longitude}".strip() if latitude or longitude else place
	if not text.strip() and not media:
		text = placeholder(kind if _KIND.fullmatch(kind) else "", translate)
	return InboundMessage(
		message_id=message_id,
		chat_id=sender,
		text=text,
		sender_name=names.get(sender),
		# WhatsApp verifies the number a customer writes from.
		sender_phone=phone_of(sender) if sender.isdigit() else None,
		sent_at=timestamp(message.get("timestamp")),
		media=tuple(media),
		sender_id=sender,
	)


# -- VK Callback API --------------------------------------------------------------------------------------


def vk_event(body: bytes | str | None) -> dict:
	return json_object(body, "VK event")


def vk_messages(event: dict, translate: Callable[[str], str] = _same) -> tuple:
	"""The customer message of a VK ``message_new`` event, or none for other events. The sender's name is
	the connector's to look up (users.get), by ``sender_id``."""
	if event.get("type") != "message_new":
		return ()
	obj = event.get("object")
	if not isinstance(obj, dict):
		raise MalformedWebhook("The event's object is not an object.")
	# API 5.103 and later wrap the message; older versions send it as the object itself.
	message = obj.get("message") or obj
	if not isinstance(message, dict):
		raise MalformedWebhook("The event's message is not an object.")
	return (vk_message(message, translate),)


def vk_message(message: dict, translate: Callable[[str], str] = _same) -> InboundMessage:
	sender = ident(message.get("from_id"), MAX_CHAT_ID)
	chat_id = required(ident(message.get("peer_id"), MAX_CHAT_ID) or sender, "peer id")
	own_id = ident(message.get("id"))
	number = required(ident(message.get("conversation_message_id")) or own_id, "message id")
	media = []
	for index, attachment in enumerate(items(message.get("attachments"))):
		kind = text_of(attachment.get("type"))
		item = mapping(attachment.get(kind)) if kind else {}
		if kind == "photo":
			sizes = [size for size in items(item.get("sizes")) if text_of(size.get("url"))]
			if sizes:
				largest = max(
					sizes, key=lambda size: number_of(size.get("width")) * number_of(size.get("height"))
				)
				filename = file_name(None, f"photo_{own_id or number}_{index}.jpg")
				media.append(Media(text_of(largest["url"]), filename))
		elif kind == "doc" and text_of(item.get("url")):
			title = text_of(item.get("title")).strip() or f"file_{index}"
			extension = text_of(item.get("ext")).strip()
			if extension and not title.endswith("." + extension):
				title += "." + extension
			media.append(
				Media(text_of(item["url"]), file_name(title, f"file_{index}"), size_of(item.get("size")))
			)
		elif kind == "audio_message":
			link = text_of(item.get("link_ogg")) or text_of(item.get("link_mp3"))
			if link:
				extension = "ogg" if text_of(item.get("link_ogg")) else "mp3"
				media.append(Media(link, file_name(None, f"voice_{own_id or number}.{extension}")))
	text = text_of(message.get("text"))
	if not text.strip() and not media:
		text = translate(_("(a message the desk cannot show)"))
	return InboundMessage(
		message_id=f"{chat_id}:{number}",
		chat_id=chat_id,
		text=text,
		sent_at=timestamp(message.get("date")),
		media=tuple(media),
		sender_id=sender,
	)
