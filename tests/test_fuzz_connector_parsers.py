"""Hostile webhook bodies through the connectors' pure readers (support_center/channels/parsing.py): any
bytes, any JSON, and well-formed Telegram updates, WhatsApp notifications and VK events whose fields hold
huge strings, control characters, NUL, RTL overrides, markup, lone surrogates, numbers where text belongs,
nulls, lists and broken media. Each reader returns messages or raises MalformedWebhook (the endpoint's
400), never another exception; every message it returns is one the intake accepts as it is (so none is
lost to a validation error after the messenger was told "ok"), and the customer's text is in it."""

import math

from hypothesis import event, example, given
from hypothesis import strategies as st

from support_center.channels.parsing import (
	MAX_CHAT_ID,
	MAX_NAME,
	InboundMessage,
	MalformedWebhook,
	intake_message_id,
	telegram_update,
	vk_event,
	vk_messages,
	whatsapp_payload,
)
from support_center.intake.rules import (
	TRUSTED_WEBHOOK,
	WEBHOOK,
	Attachment,
	IncomingMessage,
	normalise_phone,
	validation_errors,
)
from support_center.tests.hostile_input import fuzz_settings
from support_center.tests.hostile_webhooks import body_of, json_value, objects, tg_update, vk_body, wa_payload

# -- what every returned message must be ------------------------------------------------------------------


def clean(value: str) -> str:
	return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value if c != "\x00")


def check(messages) -> tuple[InboundMessage, ...]:
	"""Every message is one the intake takes as the webhook hands it over (channels/webhook.py)."""
	assert isinstance(messages, tuple)
	for message in messages:
		assert isinstance(message, InboundMessage)
		for value in (message.message_id, message.chat_id):
			assert isinstance(value, str) and value and value.isprintable() and " " not in value
		assert len(message.chat_id) <= MAX_CHAT_ID
		assert len(intake_message_id("Telegram @a_rather_long_support_bot_name", message.message_id)) <= 130
		assert isinstance(message.text, str) and "\x00" not in message.text
		message.text.encode("utf-8")  # no lone surrogates: the database would refuse them
		if message.sender_name is not None:
			assert isinstance(message.sender_name, str) and 0 < len(message.sender_name) <= MAX_NAME
			message.sender_name.encode("utf-8")
		if message.sender_phone is not None:
			assert normalise_phone(message.sender_phone)
		if message.language is not None:
			assert isinstance(message.language, str) and len(message.language) <= 35
		if message.sent_at is not None:
			assert (
				isinstance(message.sent_at, float) and math.isfinite(message.sent_at) and message.sent_at > 0
			)
		for media in message.media:
			assert isinstance(media.reference, str) and media.reference
			assert media.size is None or (isinstance(media.size, int) and media.size >= 0)
		incoming = IncomingMessage(
			channel="Messenger",
			text=message.text,
			sender_name=message.sender_name or f"Telegram user {message.chat_id}",
			sender_phone=message.sender_phone,
			message_id=message.message_id,
			conversation_id=f"channel:{message.chat_id}",
			attachments=tuple(Attachment(media.filename, b"") for media in message.media),
			source=TRUSTED_WEBHOOK if message.sender_phone else WEBHOOK,
			language=message.language,
		)
		assert validation_errors(incoming, 10) == [], message
	return messages


def read(reader, *args):
	try:
		messages = check(reader(*args))
	except MalformedWebhook as error:
		assert str(error)
		event(f"{reader.__name__}: malformed")
		return None
	event(f"{reader.__name__}: {min(len(messages), 2)} message(s)")
	return messages


def kept(given_text, message: InboundMessage) -> None:
	"""The customer's words are the message's text, whole (lone surrogates shown as U+FFFD)."""
	if isinstance(given_text, str) and given_text.replace("\x00", "").strip():
		assert message.text == clean(given_text)


# -- any bytes, any JSON ----------------------------------------------------------------------------------


@fuzz_settings(300)
@given(st.one_of(st.binary(max_size=300), json_value.map(body_of), st.just(b"[" * 100_000)))
@example(b"{not json")
@example(b"[]")
@example(b'"a string"')
@example(b"1" * 5000)
@example(b"\xff\xfe{}")
def test_any_body_is_messages_or_a_malformed_webhook(body):
	read(telegram_update, body)
	read(whatsapp_payload, body, "1")
	try:
		parsed = vk_event(body)
	except MalformedWebhook:
		return
	read(vk_messages, parsed)


# -- Telegram ---------------------------------------------------------------------------------------------


def telegram(**message) -> dict:
	return {"update_id": 1, "message": {"message_id": 7, "chat": {"id": 5}, "from": {"id": 5}, **message}}


@fuzz_settings(400)
@given(tg_update)
@example(telegram(photo={"file_id": "x"}))  # was KeyError: -1
@example(telegram(photo=[{"file_size": 1}]))  # was KeyError: 'file_id'
@example(telegram(text=123))  # an int as the text: the intake failed on it
@example(telegram(text="   "))  # a blank text was refused as empty: lost
@example(telegram(text="hi", document={"file_id": "d", "file_name": "../x\u202e.pdf"}))  # refused name: lost
@example(telegram(contact={"phone_number": "abc", "user_id": 5}))  # "+abc" refused as a phone: lost
@example(telegram(contact={"phone_number": 79991234567, "user_id": 5}))  # was AttributeError
@example(telegram(text="x", date="yesterday"))  # was ValueError in the webhook
@example(telegram(text="x", date=10**30))  # was OverflowError in the webhook
@example(telegram(text="x", **{"from": "bob"}))  # was AttributeError
@example(telegram(text="x", **{"from": {"id": 5, "first_name": "ж" * 500, "language_code": "x" * 500}}))
@example({"message": {"text": "no ids"}})  # was the id "None:None", shared by every such message
@example({"message": "not an object"})
@example(telegram(text="a\ud800b"))
@example(telegram(text="\x00 \x00"))  # stored without its NULs: a blank message
def test_a_telegram_update_is_messages_or_a_malformed_webhook(update):
	messages = read(telegram_update, body_of(update))
	if not messages:
		return
	[message] = messages
	source = update.get("message") or update.get("business_message")
	for key in ("text", "caption"):
		value = source.get(key)
		if isinstance(value, str) and value.strip():
			kept(value, message)
			break
		if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
			break  # a number where the text belongs is kept as written


def test_a_plain_telegram_update_reads_as_before():
	update = telegram(
		text="My order has not arrived",
		date=1_700_000_000,
		photo=[{"file_id": "small", "file_size": 10}, {"file_id": "big", "file_size": 14}],
		document={"file_id": "doc", "file_name": "invoice.pdf", "file_size": 16},
		contact={"phone_number": "79991234567", "user_id": 5},
		**{"from": {"id": 5, "first_name": "Laura", "last_name": "Palmer", "language_code": "ru"}},
	)
	[message] = telegram_update(body_of(update))
	assert (message.message_id, message.chat_id, message.text) == ("5:7", "5", "My order has not arrived")
	assert (message.sender_name, message.sender_phone, message.language) == (
		"Laura Palmer",
		"+79991234567",
		"ru",
	)
	assert message.sent_at == 1_700_000_000.0
	assert [(m.reference, m.filename, m.size) for m in message.media] == [
		("big", "photo_7.jpg", 14),
		("doc", "invoice.pdf", 16),
	]
	[sticker] = telegram_update(body_of(telegram(sticker={"file_id": "s"})))
	assert sticker.text == "(a sticker the desk cannot show)"
	assert telegram_update(body_of({"update_id": 2, "edited_message": {"text": "x"}})) == ()


# -- WhatsApp ---------------------------------------------------------------------------------------------


def whatsapp(*messages, contacts=()) -> dict:
	value = {"metadata": {"phone_number_id": "1"}, "contacts": list(contacts), "messages": list(messages)}
	return {"object": "whatsapp_business_account", "entry": [{"id": "x", "changes": [{"value": value}]}]}


@fuzz_settings(400)
@given(wa_payload)
@example({"entry": "x"})  # was AttributeError
@example(whatsapp(contacts=[{"wa_id": ["a"]}]))  # was TypeError: unhashable
@example(whatsapp({"from": "7999", "id": "w1", "type": "text", "text": {"body": "x"}, "timestamp": "abc"}))
@example(whatsapp({"from": "7999", "id": 5, "type": "image", "image": {"id": "m"}}))  # was TypeError
@example(whatsapp({"from": "7999", "id": "w2", "type": "text", "text": {"body": "x"}, "timestamp": "²"}))
@example(whatsapp({"from": "abc", "id": "w", "type": "text", "text": {"body": "x"}}))  # "+abc": lost
@example(whatsapp({"from": "7999", "id": "w", "type": "text", "text": "hello"}))  # was AttributeError
@example(
	whatsapp({"from": "7999", "id": "w", "type": "document", "document": {"id": "1", "filename": "a/b"}})
)
@example(whatsapp({"from": "7999", "type": "text", "text": {"body": "no id"}}))  # was the id "None"
def test_a_whatsapp_webhook_is_messages_or_a_malformed_webhook(payload):
	messages = read(whatsapp_payload, body_of(payload), "1")
	if not messages:
		return
	for message in messages:
		assert message.sender_id == message.chat_id
		same = [
			source
			for source in objects(payload, "entry", "changes", "value", "messages")
			if str(source.get("id")) == message.message_id
		]
		assert same
		bodies = [mapping_of(source.get("text")).get("body") for source in same]
		if all(source.get("type") == "text" for source in same) and all(
			isinstance(body, str) and body.replace("\x00", "").strip() for body in bodies
		):
			assert message.text in {clean(body) for body in bodies}


def mapping_of(value) -> dict:
	return value if isinstance(value, dict) else {}


def test_a_plain_whatsapp_message_reads_as_before():
	payload = whatsapp(
		{
			"from": "79990001122",
			"id": "wamid.A1",
			"timestamp": "1700000000",
			"type": "text",
			"text": {"body": "Hi"},
		},
		{
			"from": "79990001122",
			"id": "wamid.A2",
			"type": "image",
			"image": {"id": "77", "mime_type": "image/jpeg"},
		},
		contacts=[{"wa_id": "79990001122", "profile": {"name": "Dale Cooper"}}],
	)
	text, image = whatsapp_payload(body_of(payload), "1")
	assert (text.message_id, text.chat_id, text.text, text.sent_at) == (
		"wamid.A1",
		"79990001122",
		"Hi",
		1.7e9,
	)
	assert (text.sender_name, text.sender_phone) == ("Dale Cooper", "+79990001122")
	assert [(m.reference, m.filename) for m in image.media] == [("77", "image_wamid.A2.jpg")]
	assert whatsapp_payload(body_of(payload), "2") == ()


# -- VK ---------------------------------------------------------------------------------------------------


def vk(**message) -> dict:
	return {"type": "message_new", "group_id": 555, "object": {"message": {"peer_id": 1, "id": 1, **message}}}


@fuzz_settings(400)
@given(vk_body)
@example({"type": "message_new", "object": [1]})  # was AttributeError
@example(vk(attachments=[{"type": ["x"]}]))  # was TypeError: unhashable
@example(
	vk(
		attachments=[
			{"type": "photo", "photo": {"sizes": [{"width": "a", "height": 2, "url": "u"}, {"url": "v"}]}}
		]
	)
)
@example(vk(attachments=[{"type": "photo", "photo": {"sizes": [{"width": 1}]}}]))  # was KeyError: 'url'
@example(vk(attachments=[{"type": "doc", "doc": {"url": "u", "ext": 5}}]))  # was TypeError
@example(vk(attachments=[{"type": "doc", "doc": {"url": "u", "title": "../../etc/passwd"}}]))  # lost
@example(vk(text="x", date=1e30))  # was OverflowError in the webhook
@example({"type": "message_new", "object": {"message": {"text": "no ids"}}})  # was the id "None:None"
def test_a_vk_event_is_messages_or_a_malformed_webhook(event):
	messages = read(vk_messages, vk_event(body_of(event)))
	if not messages:
		return
	[message] = messages
	source = event["object"].get("message") or event["object"]
	kept(source.get("text"), message)


def test_a_plain_vk_message_reads_as_before():
	event = vk(
		text="The app crashes",
		from_id=2000001,
		peer_id=2000001,
		conversation_message_id=10,
		attachments=[
			{"type": "doc", "doc": {"title": "crash", "ext": "log", "url": "https://vk.test/d", "size": 8}}
		],
	)
	[message] = vk_messages(vk_event(body_of(event)))
	assert (message.message_id, message.chat_id, message.sender_id) == ("2000001:10", "2000001", "2000001")
	assert [(m.reference, m.filename, m.size) for m in message.media] == [
		("https://vk.test/d", "crash.log", 8)
	]
	assert vk_messages({"type": "confirmation"}) == ()


def test_a_long_intake_message_id_is_hashed_to_fit_the_dedupe_key():
	assert intake_message_id("Telegram bot", "5:7") == "Telegram bot:5:7"
	long = intake_message_id("Telegram bot " + "x" * 100, "5:" + "9" * 60)
	assert long.startswith("sha256:") and len("Messenger:" + long) <= 140
	assert long == intake_message_id("Telegram bot " + "x" * 100, "5:" + "9" * 60)
