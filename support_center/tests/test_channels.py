"""Telegram, WhatsApp and VK against fake servers (support_center/tests/fake_messengers.py): webhooks
refused when their secret or signature is wrong, duplicates ignored, media kept, replies delivered, each
failure retried once (or marked Not Delivered when retrying cannot help), never sent twice."""

import io
import json
import time
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from support_center.channels import base, delivery, webhook
from support_center.channels.whatsapp import signature
from support_center.conversation.notes import add_note
from support_center.tests.factories import make_category, make_contact, make_customer, make_user, unique
from support_center.tests.fake_messengers import TELEGRAM_TOKEN, VK_TOKEN, WHATSAPP_TOKEN, FakeMessengers

APP_SECRET = "whatsapp-app-secret"


def add_phone(contact: str, phone: str) -> None:
	doc = frappe.get_doc("Contact", contact)
	doc.append("phone_nos", {"phone": phone})
	doc.save(ignore_permissions=True)


def jpeg(colour: str = "red") -> bytes:
	"""A real JPEG: Frappe opens images it stores (to strip their EXIF data)."""
	from PIL import Image

	buffer = io.BytesIO()
	Image.new("RGB", (4, 4), colour).save(buffer, "JPEG")
	return buffer.getvalue()


def attach(communication: str, filename: str, content: bytes) -> None:
	frappe.get_doc(
		{
			"doctype": "File",
			"file_name": filename,
			"content": content,
			"is_private": 1,
			"attached_to_doctype": "Communication",
			"attached_to_name": communication,
		}
	).insert(ignore_permissions=True)


def call_webhook(channel: str, method: str = "POST", body=None, headers=None, query=None):
	data = json.dumps(body).encode() if isinstance(body, dict) else body
	builder = EnvironBuilder(
		method=method,
		path="/api/method/support_center.api.channels.webhook",
		query_string={"channel": channel, **(query or {})},
		data=data,
		headers=headers or {},
		content_type="application/json" if data else None,
	)
	request = Request(builder.get_environ())
	return webhook.handle(channel, request)


class ChannelTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeMessengers(timeout_sleep=1.5)
		cls.timeout = base.TIMEOUT_SECONDS
		base.TIMEOUT_SECONDS = 0.5

	@classmethod
	def tearDownClass(cls):
		base.TIMEOUT_SECONDS = cls.timeout
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		self.fake.requests.clear()
		self.fake.failures.clear()

	def make_channel(self, channel_type: str, **values) -> frappe._dict:
		base_url = {"Telegram": "telegram_base", "WhatsApp": "whatsapp_base", "VK": "vk_base"}[channel_type]
		doc = frappe.get_doc(
			{
				"doctype": "Support Channel",
				"channel_name": unique(f"{channel_type} test"),
				"channel_type": channel_type,
				"enabled": 1,
				"api_base_url": getattr(self.fake, base_url),
				**values,
			}
		).insert()
		return doc

	def agent_reply(self, ticket, text: str, template: str | None = None) -> str:
		from support_center.api.channels import reply

		return reply(ticket, text=text, template=template)["communication"]

	def delivery_of(self, communication: str):
		return frappe.get_doc("Channel Delivery", {"communication": communication})


class TestTelegram(ChannelTestCase):
	def channel(self, **values):
		return self.make_channel(
			"Telegram", bot_token=TELEGRAM_TOKEN, webhook_secret="tg-secret-" + unique("s"), **values
		)

	def update(self, chat_id: int, message_id: int, **message) -> dict:
		return {
			"update_id": message_id + 500000,
			"message": {
				"message_id": message_id,
				"from": {"id": chat_id, "first_name": "Laura", "last_name": "Palmer", "language_code": "ru"},
				"chat": {"id": chat_id, "type": "private"},
				"date": int(time.time()),
				**message,
			},
		}

	def post(self, channel, update: dict, secret: str | None = None):
		secret = channel.get_password("webhook_secret") if secret is None else secret
		return call_webhook(channel.name, body=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})

	def ticket_of(self, channel, chat_id) -> frappe._dict:
		return frappe.get_doc("Ticket", {"external_conversation": f"{channel.name}:{chat_id}"})

	def test_a_wrong_or_missing_secret_token_is_refused(self):
		channel = self.channel()
		for secret in ("wrong", ""):
			response = self.post(channel, self.update(111, 1, text="hello"), secret=secret)
			self.assertEqual(response.status_code, 403)
		self.assertFalse(frappe.db.exists("Intake Message", {"support_channel": channel.name}))
		self.assertIn("secret token", frappe.db.get_value("Support Channel", channel.name, "last_error"))

	def test_a_message_becomes_a_ticket_of_the_channel_acknowledged_in_telegram(self):
		category = make_category()
		channel = self.channel(category=category)
		response = self.post(channel, self.update(222, 7, text="My order has not arrived"))
		self.assertEqual(response.status_code, 200)
		ticket = self.ticket_of(channel, 222)
		self.assertEqual(ticket.channel, "Messenger")
		self.assertEqual(ticket.support_channel, channel.name)
		self.assertEqual(ticket.category, category)
		self.assertEqual(ticket.raised_by_name, "Laura Palmer")
		self.assertIsNotNone(frappe.db.get_value("Support Channel", channel.name, "last_message_at"))
		# The acknowledgement went into the chat, in the customer's language, with the ticket number.
		sent = self.fake.delivered("sendMessage")
		self.assertEqual(len(sent), 1)
		self.assertEqual(str(sent[0].json["chat_id"]), "222")
		self.assertIn(f"#{ticket.name}", sent[0].json["text"])
		self.assertIn("Мы получили", sent[0].json["text"])
		self.assertFalse(
			frappe.db.exists("Email Queue", {"reference_doctype": "Ticket", "reference_name": ticket.name})
		)

	def test_a_repeated_update_is_one_message_and_the_next_joins_the_ticket(self):
		channel = self.channel()
		for _attempt in range(2):
			self.post(channel, self.update(333, 1, text="first"))
		self.post(channel, self.update(333, 2, text="second"))
		self.assertEqual(frappe.db.count("Intake Message", {"support_channel": channel.name}), 2)
		self.assertEqual(frappe.db.count("Ticket", {"support_channel": channel.name}), 1)
		ticket = self.ticket_of(channel, 333)
		self.assertTrue(
			frappe.db.exists(
				"Communication", {"reference_name": str(ticket.name), "content": ("like", "%second%")}
			)
		)
		self.assertEqual(len(self.fake.delivered("sendMessage")), 1, "one acknowledgement only")

	def test_photos_documents_and_voice_notes_are_kept_as_private_files(self):
		channel = self.channel()
		self.fake.add_file("photo-big", jpeg())
		self.fake.add_file("doc-1", b"%PDF-1.4 invoice")
		self.fake.add_file("voice-1", b"OggS voice")
		self.fake.add_file("huge-1", b"x", too_large=True)
		self.post(
			channel,
			self.update(
				444,
				3,
				caption="See the invoice",
				photo=[
					{"file_id": "photo-small", "file_size": 10},
					{"file_id": "photo-big", "file_size": 14},
				],
				document={"file_id": "doc-1", "file_name": "invoice.pdf", "file_size": 16},
			),
		)
		ticket = self.ticket_of(channel, 444)
		self.post(channel, self.update(444, 4, voice={"file_id": "voice-1", "duration": 3}))
		self.post(channel, self.update(444, 5, document={"file_id": "huge-1", "file_name": "movie.mkv"}))
		files = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Ticket", "attached_to_name": str(ticket.name)},
			fields=["name", "file_name", "is_private"],
		)
		# Frappe adds a suffix to a name already on disk: "invoice.pdf" may be stored as "invoice1a2b3c.pdf".
		names = {
			f.file_name.rsplit(".", 1)[0][: len(stem)]: f
			for f in files
			for stem in ("photo_3", "invoice", "voice_4")
			if f.file_name.startswith(stem)
		}
		self.assertEqual({"photo_3", "invoice", "voice_4"}, set(names))
		self.assertEqual(len(files), 3)
		self.assertTrue(all(f.is_private for f in files))
		self.assertEqual(frappe.get_doc("File", names["invoice"].name).get_content(), "%PDF-1.4 invoice")
		self.assertEqual(frappe.get_doc("File", names["voice_4"].name).get_content(), "OggS voice")
		# The file Telegram would not hand over is named for the agent, not lost silently.
		self.assertTrue(
			frappe.db.exists(
				"Communication",
				{
					"reference_name": str(ticket.name),
					"content": ("like", "%movie.mkv could not be downloaded%"),
				},
			)
		)

	def test_a_public_reply_is_delivered_once_and_an_internal_note_never(self):
		channel = self.channel()
		self.post(channel, self.update(555, 1, text="Where is my parcel?"))
		ticket = self.ticket_of(channel, 555)
		self.fake.requests.clear()
		add_note(ticket.name, "internal: customer is grumpy")
		communication = self.agent_reply(ticket.name, "It ships tomorrow.")
		sent = self.fake.delivered("sendMessage")
		self.assertEqual([r.json["text"] for r in sent], ["It ships tomorrow."])
		self.assertEqual(self.delivery_of(communication).status, "Sent")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "reply_delivery"), "Delivered")
		# The same reply handed over again (a retried job) is not sent again.
		comm = frappe.get_doc("Communication", communication)
		from support_center.intake.outgoing import on_communication

		on_communication(comm)
		delivery.attempt(self.delivery_of(communication).name)
		self.assertEqual(len(self.fake.delivered("sendMessage")), 1)

	def test_a_long_reply_goes_in_parts_and_a_file_as_a_document(self):
		channel = self.channel()
		self.post(channel, self.update(556, 1, text="Send me the manual"))
		ticket = self.ticket_of(channel, 556)
		self.fake.requests.clear()
		long_text = ("word " * 1000).strip() + "\n\n" + ("more " * 200).strip()
		communication = self.agent_reply(ticket.name, long_text)
		self.assertEqual(len(self.fake.delivered("sendMessage")), 2)
		self.assertTrue(all(len(r.json["text"]) <= 4096 for r in self.fake.delivered("sendMessage")))
		record = self.delivery_of(communication)
		self.assertEqual(record.parts_sent, 2)
		# Files of the reply (the composer attaches them after saving it) go as a photo and a document;
		# the parts already sent are not sent again.
		attach(communication, "manual.pdf", b"%PDF manual")
		attach(communication, "diagram.jpg", jpeg("green"))
		self.fake.requests.clear()
		frappe.db.set_value("Channel Delivery", record.name, "status", "Retrying")
		self.assertEqual(delivery.attempt(record.name), "Sent")
		self.assertEqual(self.fake.calls("sendMessage"), [])
		[document] = self.fake.delivered("sendDocument")
		# Frappe may suffix a file name already on disk ("manual1a2b3c.pdf").
		self.assertEqual(document.files["document"][1], b"%PDF manual")
		self.assertRegex(document.files["document"][0], r"^manual.*\.pdf$")
		self.assertEqual(document.form["chat_id"], "556")
		self.assertEqual(len(self.fake.delivered("sendPhoto")), 1)
		self.assertEqual(frappe.db.get_value("Channel Delivery", record.name, "parts_sent"), 4)

	def test_rate_limit_and_timeout_are_retried_once_each(self):
		channel = self.channel()
		self.post(channel, self.update(666, 1, text="hello"))
		ticket = self.ticket_of(channel, 666)
		for failure in ("429", "timeout"):
			with self.subTest(failure=failure):
				self.fake.requests.clear()
				self.fake.fail_next("sendMessage", failure)
				communication = self.agent_reply(ticket.name, f"answer after {failure}")
				record = self.delivery_of(communication)
				self.assertEqual(record.status, "Retrying")
				self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "reply_delivery"), "Retrying")
				if failure == "429":
					# Telegram's retry_after (3 s) is honoured rather than the backoff.
					wait = (record.next_attempt_at - now_datetime()).total_seconds()
					self.assertLess(wait, 10)
				self.assertEqual(self.fake.delivered("sendMessage"), [])
				delivery.retry_due(now=add_to_date(now_datetime(), hours=4))
				self.assertEqual(frappe.db.get_value("Channel Delivery", record.name, "status"), "Sent")
				self.assertEqual(len(self.fake.delivered("sendMessage")), 1)
				self.assertEqual(len(self.fake.calls("sendMessage")), 2)
				self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "reply_delivery"), "Delivered")

	def test_a_blocked_bot_is_not_delivered_shown_on_the_ticket_and_not_retried(self):
		channel = self.channel()
		self.post(channel, self.update(777, 1, text="hello"))
		ticket = self.ticket_of(channel, 777)
		self.fake.requests.clear()
		self.fake.fail_next("sendMessage", "403")
		communication = self.agent_reply(ticket.name, "Are you there?")
		record = self.delivery_of(communication)
		self.assertEqual(record.status, "Not Delivered")
		self.assertIn("blocked", record.last_error)
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "reply_delivery"), "Not Delivered")
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{"reference_name": str(ticket.name), "content": ("like", "Not delivered to%blocked%")},
			)
		)
		delivery.retry_due(now=add_to_date(now_datetime(), days=2))
		self.assertEqual(len(self.fake.calls("sendMessage")), 1)
		# The agent's Retry, once the customer unblocked the bot, delivers it.
		from support_center.api.channels import retry_delivery

		self.assertEqual(retry_delivery(record.name), "Sent")
		self.assertEqual(len(self.fake.delivered("sendMessage")), 1)

	def test_a_file_too_large_is_not_delivered_but_the_text_is(self):
		channel = self.channel()
		self.post(channel, self.update(778, 1, text="send the file"))
		ticket = self.ticket_of(channel, 778)
		self.fake.requests.clear()
		communication = self.agent_reply(ticket.name, "Here it is")
		# A file attached to an already sent reply: resend it as the agent would by retrying.
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "big.pdf",
				"content": b"%PDF big",
				"is_private": 1,
				"attached_to_doctype": "Communication",
				"attached_to_name": communication,
			}
		).insert(ignore_permissions=True)
		record = self.delivery_of(communication)
		frappe.db.set_value("Channel Delivery", record.name, "status", "Retrying")
		self.fake.fail_next("sendDocument", "too_large")
		self.assertEqual(delivery.attempt(record.name), "Not Delivered")
		self.assertIn("Too Large", frappe.db.get_value("Channel Delivery", record.name, "last_error"))
		self.assertEqual(len(self.fake.delivered("sendMessage")), 1, "the text went once")

	def test_register_webhook_gives_telegram_the_address_and_secret(self):
		channel = self.channel()
		channel.register_webhook()
		call = self.fake.calls("setWebhook")[0]
		self.assertEqual(call.json["secret_token"], channel.get_password("webhook_secret"))
		self.assertIn(f"channel={channel.name.replace(' ', '+')}", call.json["url"].replace("%20", "+"))

	def test_a_shared_own_contact_recognises_the_customer(self):
		customer = make_customer()
		contact = make_contact(customer)
		add_phone(contact, "+7 999 123-45-67")
		channel = self.channel()
		self.post(channel, self.update(888, 1, text="hi"))
		self.post(
			channel,
			self.update(888, 2, contact={"phone_number": "79991234567", "first_name": "L", "user_id": 888}),
		)
		ticket = self.ticket_of(channel, 888)
		self.assertEqual(ticket.customer, customer)
		# Someone else's card proves nothing.
		self.post(channel, self.update(889, 1, contact={"phone_number": "79991234567", "user_id": 5}))
		self.assertNotEqual(self.ticket_of(channel, 889).customer, customer)


class TestWhatsApp(ChannelTestCase):
	def channel(self, **values):
		return self.make_channel(
			"WhatsApp",
			phone_number_id="1099",
			access_token=WHATSAPP_TOKEN,
			app_secret=APP_SECRET,
			webhook_secret="verify-me",
			whatsapp_templates="support_followup:en\nsupport_followup:ru",
			**values,
		)

	def payload(self, wa_id: str, message_id: str, **message) -> dict:
		return {
			"object": "whatsapp_business_account",
			"entry": [
				{
					"id": "WABA",
					"changes": [
						{
							"field": "messages",
							"value": {
								"messaging_product": "whatsapp",
								"metadata": {"phone_number_id": "1099"},
								"contacts": [{"profile": {"name": "Dale Cooper"}, "wa_id": wa_id}],
								"messages": [
									{
										"from": wa_id,
										"id": message_id,
										"timestamp": str(int(time.time())),
										**message,
									}
								],
							},
						}
					],
				}
			],
		}

	def post(self, channel, payload: dict, secret: str = APP_SECRET):
		body = json.dumps(payload).encode()
		return call_webhook(channel.name, body=body, headers={"X-Hub-Signature-256": signature(secret, body)})

	def test_the_verification_handshake_echoes_the_challenge_only_with_the_verify_token(self):
		channel = self.channel()
		query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "verify-me"}
		response = call_webhook(channel.name, method="GET", query=query)
		self.assertEqual((response.status_code, response.get_data(as_text=True)), (200, "1158201444"))
		response = call_webhook(channel.name, method="GET", query=query | {"hub.verify_token": "guess"})
		self.assertEqual(response.status_code, 403)
		self.assertNotIn("1158201444", response.get_data(as_text=True))

	def test_a_wrong_signature_is_refused_and_a_right_one_taken_in_once(self):
		channel = self.channel()
		payload = self.payload("79990001122", "wamid.A1", type="text", text={"body": "Broken kettle"})
		self.assertEqual(self.post(channel, payload, secret="not-the-secret").status_code, 403)
		body = json.dumps(payload).encode()
		self.assertEqual(call_webhook(channel.name, body=body).status_code, 403)
		self.assertFalse(frappe.db.exists("Intake Message", {"support_channel": channel.name}))
		for _attempt in range(2):
			self.assertEqual(self.post(channel, payload).status_code, 200)
		self.assertEqual(frappe.db.count("Intake Message", {"support_channel": channel.name}), 1)
		ticket = frappe.get_doc("Ticket", {"external_conversation": f"{channel.name}:79990001122"})
		self.assertEqual(ticket.raised_by_name, "Dale Cooper")
		ack = self.fake.delivered("messages")
		self.assertEqual(len(ack), 1)
		self.assertEqual(ack[0].json["to"], "79990001122")

	def test_the_verified_number_finds_the_customer(self):
		customer = make_customer()
		contact = make_contact(customer)
		add_phone(contact, "+7 999 000 33 44")
		channel = self.channel()
		self.post(channel, self.payload("79990003344", "wamid.C1", type="text", text={"body": "hi"}))
		ticket = frappe.get_doc("Ticket", {"external_conversation": f"{channel.name}:79990003344"})
		self.assertEqual((ticket.contact, ticket.customer), (contact, customer))

	def test_an_image_is_downloaded_into_a_private_file(self):
		channel = self.channel()
		self.kettle = jpeg("blue")
		self.fake.add_file("media-77", self.kettle)
		self.post(
			channel,
			self.payload(
				"79990001133",
				"wamid.B1",
				type="image",
				image={"id": "media-77", "mime_type": "image/jpeg", "caption": "Look"},
			),
		)
		ticket = frappe.get_doc("Ticket", {"external_conversation": f"{channel.name}:79990001133"})
		file = frappe.get_doc("File", {"attached_to_doctype": "Ticket", "attached_to_name": str(ticket.name)})
		self.assertTrue(file.is_private)
		# Frappe re-encodes a stored image to strip its EXIF data: still the customer's 4x4 picture.
		from PIL import Image

		self.assertEqual(Image.open(io.BytesIO(file.get_content())).size, (4, 4))

	def test_replies_rate_limit_retry_blocked_and_the_24_hour_window(self):
		from support_center.api.channels import channel_state

		channel = self.channel()
		self.post(channel, self.payload("79990001144", "wamid.D1", type="text", text={"body": "hello"}))
		ticket = frappe.get_doc("Ticket", {"external_conversation": f"{channel.name}:79990001144"})
		self.fake.requests.clear()
		communication = self.agent_reply(ticket.name, "Hello from support")
		self.assertEqual(self.fake.delivered("messages")[0].json["text"]["body"], "Hello from support")
		self.assertEqual(self.delivery_of(communication).status, "Sent")

		self.fake.fail_next("messages", "429")
		record = self.delivery_of(self.agent_reply(ticket.name, "second"))
		self.assertEqual(record.status, "Retrying")
		delivery.retry_due(now=add_to_date(now_datetime(), hours=4))
		self.assertEqual(frappe.db.get_value("Channel Delivery", record.name, "status"), "Sent")

		self.fake.fail_next("messages", "403")
		record = self.delivery_of(self.agent_reply(ticket.name, "third"))
		self.assertEqual(record.status, "Not Delivered")

		# A file goes up to WhatsApp's media endpoint first, then as a document message.
		record = self.delivery_of(self.agent_reply(ticket.name, "The invoice"))
		attach(record.communication, "invoice.pdf", b"%PDF invoice")
		frappe.db.set_value("Channel Delivery", record.name, "status", "Retrying")
		self.fake.requests.clear()
		self.assertEqual(delivery.attempt(record.name), "Sent")
		[upload] = [r for r in self.fake.delivered("media") if r.method == "POST"]
		self.assertEqual(upload.files["file"][1], b"%PDF invoice")
		[sent] = self.fake.delivered("messages")
		self.assertEqual(sent.json["type"], "document")
		self.assertRegex(sent.json["document"]["filename"], r"^invoice.*\.pdf$")

		state = channel_state(ticket.name)
		self.assertTrue(state["window_open"])
		frappe.db.set_value(
			"Intake Message",
			{"support_channel": channel.name},
			"received_at",
			now_datetime() - timedelta(hours=25),
		)
		state = channel_state(ticket.name)
		self.assertFalse(state["window_open"])
		self.assertEqual([t["name"] for t in state["templates"]], ["support_followup", "support_followup"])
		self.fake.requests.clear()
		self.agent_reply(ticket.name, "", template="support_followup:ru")
		sent = self.fake.delivered("messages")[0].json
		self.assertEqual(sent["type"], "template")
		self.assertEqual(sent["template"], {"name": "support_followup", "language": {"code": "ru"}})
		with self.assertRaises(frappe.ValidationError):
			self.agent_reply(ticket.name, "", template="made_up:en")


class TestVK(ChannelTestCase):
	def channel(self, **values):
		return self.make_channel(
			"VK",
			group_id="555",
			access_token=VK_TOKEN,
			webhook_secret="vk-secret",
			confirmation_code="c0nf1rm",
			**values,
		)

	def event(self, peer_id: int, message_id: int, secret: str = "vk-secret", group_id: int = 555, **message):
		return {
			"type": "message_new",
			"group_id": group_id,
			"event_id": f"ev{message_id}",
			"secret": secret,
			"object": {
				"message": {
					"id": message_id,
					"conversation_message_id": message_id,
					"date": int(time.time()),
					"peer_id": peer_id,
					"from_id": peer_id,
					"text": "",
					**message,
				}
			},
		}

	def test_confirmation_and_secret(self):
		channel = self.channel()
		response = call_webhook(channel.name, body={"type": "confirmation", "group_id": 555})
		self.assertEqual(response.get_data(as_text=True), "c0nf1rm")
		self.assertEqual(
			call_webhook(channel.name, body={"type": "confirmation", "group_id": 9}).status_code, 403
		)
		for event in (self.event(1, 1, secret="nope", text="x"), self.event(1, 1, group_id=9, text="x")):
			self.assertEqual(call_webhook(channel.name, body=event).status_code, 403)
		self.assertFalse(frappe.db.exists("Intake Message", {"support_channel": channel.name}))

	def test_messages_in_with_documents_once_and_replies_out_once(self):
		channel = self.channel()
		self.fake.add_file("doc-9", b"log file")
		event = self.event(
			2000001,
			10,
			text="The app crashes",
			attachments=[
				{
					"type": "doc",
					"doc": {
						"title": "crash",
						"ext": "log",
						"url": f"{self.fake.vk_base}/download/doc-9",
						"size": 8,
					},
				}
			],
		)
		for _attempt in range(2):
			response = call_webhook(channel.name, body=event)
			self.assertEqual(response.get_data(as_text=True), "ok")
		ticket = frappe.get_doc("Ticket", {"external_conversation": f"{channel.name}:2000001"})
		self.assertEqual(ticket.raised_by_name, "Ivan Petrov")
		self.assertEqual(frappe.db.count("Intake Message", {"support_channel": channel.name}), 1)
		file = frappe.get_doc("File", {"attached_to_doctype": "Ticket", "attached_to_name": str(ticket.name)})
		self.assertTrue(
			file.file_name.startswith("crash") and file.file_name.endswith(".log"), file.file_name
		)
		self.assertEqual(file.get_content(), "log file")

		self.fake.requests.clear()
		# A timeout after VK took the message: the retry carries the same random_id, so VK drops it.
		self.fake.fail_next("messages.send", "timeout")
		record = self.delivery_of(self.agent_reply(ticket.name, "Please update the app"))
		self.assertEqual(record.status, "Retrying")
		delivery.retry_due(now=add_to_date(now_datetime(), hours=4))
		self.assertEqual(frappe.db.get_value("Channel Delivery", record.name, "status"), "Sent")
		sends = self.fake.calls("messages.send")
		self.assertEqual(len(sends), 2)
		self.assertEqual(sends[0].form["random_id"], sends[1].form["random_id"])
		self.assertEqual(sends[0].form["message"], "Please update the app")

		# A file: VK's upload server, docs.save, then the message with the attachment.
		record = self.delivery_of(self.agent_reply(ticket.name, "The fix"))
		attach(record.communication, "patch.txt", b"patch")
		frappe.db.set_value("Channel Delivery", record.name, "status", "Retrying")
		self.fake.requests.clear()
		self.assertEqual(delivery.attempt(record.name), "Sent")
		self.assertEqual(self.fake.calls("upload")[0].files["file"][1], b"patch")
		[with_file] = self.fake.delivered("messages.send")
		self.assertTrue(with_file.form["attachment"].startswith("doc42_"))

		self.fake.fail_next("messages.send", "403")
		record = self.delivery_of(self.agent_reply(ticket.name, "hello?"))
		self.assertEqual(record.status, "Not Delivered")
		self.assertIn("901", record.last_error)

		self.fake.fail_next("messages.send", "429")
		record = self.delivery_of(self.agent_reply(ticket.name, "again"))
		self.assertEqual(record.status, "Retrying")
		delivery.retry_due(now=add_to_date(now_datetime(), hours=4))
		self.assertEqual(frappe.db.get_value("Channel Delivery", record.name, "status"), "Sent")


class TestChannelPermissions(ChannelTestCase):
	def test_agents_cannot_read_channel_credentials_and_customers_cannot_reply(self):
		channel = self.make_channel("Telegram", bot_token=TELEGRAM_TOKEN)
		agent = make_user(["Support Team"])
		frappe.set_user(agent)
		self.assertFalse(frappe.has_permission("Support Channel", "read", channel.name))
		self.assertFalse(frappe.has_permission("Channel Delivery", "read"))
		customer = make_user(["Customer"], "Website User")
		frappe.set_user(customer)
		from support_center.api.channels import reply

		with self.assertRaises(frappe.PermissionError):
			reply(1, text="x")


class TestChannelsWithoutWebhooks(FrappeTestCase):
	def test_the_chat_and_website_comments_refuse_a_webhook_and_every_connector_can_send(self):
		from support_center.channels.registry import CONNECTORS, connector_for

		request = Request(EnvironBuilder(method="POST", data=b"{}").get_environ())
		for channel_type in ("Chat", "Website Comments"):
			connector = connector_for(frappe._dict(channel_type=channel_type))
			with self.assertRaises(base.WebhookRefused):
				connector.verify(frappe._dict(channel_type=channel_type), request)
			with self.assertRaises(base.WebhookRefused):
				connector.parse(frappe._dict(channel_type=channel_type), request)
		# Every registered connector is a complete one (an abstract ``send`` left out cannot be built).
		for channel_type in CONNECTORS:
			self.assertTrue(callable(connector_for(frappe._dict(channel_type=channel_type)).send))


class TestWebhooksOverHTTP(FrappeTestCase):
	"""The real endpoint, as the messengers call it: a JSON body (which replaces Frappe's form arguments),
	the channel in the query string, the handshake answered as plain text."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from support_center.tests.http_site import LiveSite

		frappe.set_user("Administrator")
		cls.telegram = frappe.get_doc(
			{
				"doctype": "Support Channel",
				"channel_name": unique("HTTP Telegram"),
				"channel_type": "Telegram",
				"enabled": 1,
				"bot_token": TELEGRAM_TOKEN,
				"webhook_secret": "http-secret",
				# No acknowledgement: nothing leaves the test server for api.telegram.org.
				"send_acknowledgement": 0,
			}
		).insert()
		cls.whatsapp = frappe.get_doc(
			{
				"doctype": "Support Channel",
				"channel_name": unique("HTTP WhatsApp"),
				"channel_type": "WhatsApp",
				"enabled": 1,
				"phone_number_id": "1",
				"access_token": WHATSAPP_TOKEN,
				"app_secret": APP_SECRET,
				"webhook_secret": "verify-http",
			}
		).insert()
		frappe.db.commit()  # nosemgrep: the web server process only sees committed records
		cls.site = LiveSite()

	@classmethod
	def tearDownClass(cls):
		cls.site.stop()
		for ticket in frappe.get_all("Ticket", filters={"support_channel": cls.telegram.name}, pluck="name"):
			frappe.delete_doc("Ticket", ticket, force=True, ignore_permissions=True)
		frappe.db.delete("Intake Message", {"support_channel": cls.telegram.name})
		for channel in (cls.telegram, cls.whatsapp):
			frappe.delete_doc("Support Channel", channel.name, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: undo what setUpClass committed
		super().tearDownClass()

	def test_a_telegram_update_and_the_whatsapp_handshake_over_http(self):
		import requests

		url = f"{self.site.url}/api/method/support_center.api.channels.webhook"
		update = {
			"update_id": 77,
			"message": {
				"message_id": 77,
				"from": {"id": 4242, "first_name": "Pete"},
				"chat": {"id": 4242, "type": "private"},
				"date": int(time.time()),
				"text": "The mill is on fire",
			},
		}
		for secret, status in (("wrong", 403), ("http-secret", 200), ("http-secret", 200)):
			response = requests.post(
				url,
				params={"channel": self.telegram.name},
				json=update,
				headers={"X-Telegram-Bot-Api-Secret-Token": secret},
				timeout=60,
			)
			self.assertEqual(response.status_code, status, response.text[:300])
		frappe.db.commit()  # nosemgrep: a new snapshot, to see what the server committed
		self.assertEqual(frappe.db.count("Intake Message", {"support_channel": self.telegram.name}), 1)
		ticket = frappe.get_doc("Ticket", {"support_channel": self.telegram.name})
		self.assertEqual((ticket.subject, ticket.raised_by_name), ("The mill is on fire", "Pete"))

		handshake = {"hub.mode": "subscribe", "hub.challenge": "31337", "hub.verify_token": "verify-http"}
		response = requests.get(url, params={"channel": self.whatsapp.name, **handshake}, timeout=60)
		self.assertEqual((response.status_code, response.text), (200, "31337"))
		response = requests.get(
			url, params={"channel": self.whatsapp.name, **handshake, "hub.verify_token": "no"}, timeout=60
		)
		self.assertEqual(response.status_code, 403)
		self.assertEqual(
			requests.post(url, params={"channel": "no such channel"}, json={}, timeout=60).status_code, 404
		)
