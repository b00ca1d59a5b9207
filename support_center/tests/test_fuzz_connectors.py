"""Hostile webhooks over real HTTP, signed as the messengers sign them: every Telegram update, WhatsApp
notification and VK event (support_center/tests/hostile_webhooks.py) is answered 200 or a clear 400, never
a server error; each message the connector read from it is an Intake Message that became a ticket (or
stays Failed, for a Retry), with the customer's words in it, and nothing stored runs as script.

The messengers' APIs (file downloads, VK's users.get) are the fake servers of fake_messengers.py.
``SUPPORT_CENTER_LONG_TESTS=1`` runs twenty times as many examples.
"""

import itertools
import time

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from hypothesis import example, given
from hypothesis import strategies as st

from support_center.channels import parsing
from support_center.channels.whatsapp import signature
from support_center.tests.factories import unique
from support_center.tests.fake_messengers import TELEGRAM_TOKEN, VK_TOKEN, WHATSAPP_TOKEN, FakeMessengers
from support_center.tests.hostile_input import fuzz_settings
from support_center.tests.hostile_webhooks import VK_FILES, body_of, objects, tg_update, vk_body, wa_payload
from support_center.tests.live_data import active_markup, remove_conversations

ENDPOINT = "/api/method/support_center.api.channels.webhook"
APP_SECRET = "fuzz-app-secret"
VK_SECRET = "fuzz-vk-secret"
VK_GROUP = "555"
# Message ids no earlier example used ("fresh"): generated ids repeat, and a repeated id is the same message
# again (skipped), so fresh ones make more of the examples new messages.
FRESH_IDS = itertools.count(int(time.time()))


class TestFuzzConnectorsOverHttp(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.fake = FakeMessengers()
		cls.fake.add_file("tg-doc", b"%PDF-1.4 invoice")
		# Not an image, whatever name the customer gives it.
		cls.fake.add_file("tg-photo", b"not really a jpeg")
		cls.fake.add_file("777", b"GIF89a not really")
		cls.fake.add_file("doc-9", b"log file")
		common = {"doctype": "Support Channel", "enabled": 1, "send_acknowledgement": 0}
		cls.telegram = frappe.get_doc(
			common
			| {
				"channel_name": unique("Fuzz Telegram"),
				"channel_type": "Telegram",
				"bot_token": TELEGRAM_TOKEN,
				"webhook_secret": "fuzz-telegram-secret",
				"api_base_url": cls.fake.telegram_base,
			}
		).insert()
		cls.whatsapp = frappe.get_doc(
			common
			| {
				"channel_name": unique("Fuzz WhatsApp"),
				"channel_type": "WhatsApp",
				"phone_number_id": "1",
				"access_token": WHATSAPP_TOKEN,
				"app_secret": APP_SECRET,
				"webhook_secret": "fuzz-verify",
				"api_base_url": cls.fake.whatsapp_base,
			}
		).insert()
		cls.vk = frappe.get_doc(
			common
			| {
				"channel_name": unique("Fuzz VK"),
				"channel_type": "VK",
				"group_id": VK_GROUP,
				"access_token": VK_TOKEN,
				"webhook_secret": VK_SECRET,
				"confirmation_code": "fuzz-confirm",
				"api_base_url": cls.fake.vk_base,
			}
		).insert()
		cls.channels = (cls.telegram, cls.whatsapp, cls.vk)
		frappe.db.commit()  # nosemgrep: the web server process only sees committed records
		cls.site = None
		try:
			from support_center.tests.http_site import LiveSite

			cls.site = LiveSite()
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		if cls.site:
			cls.site.stop()
		cls.fake.stop()
		for channel in cls.channels:
			remove_conversations(f"{channel.name}:%")
			frappe.db.delete("Intake Message", {"support_channel": channel.name})
			frappe.db.delete("Channel Delivery", {"support_channel": channel.name})
			frappe.delete_doc("Support Channel", channel.name, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: undo what setUpClass and the web server committed
		super().tearDownClass()

	def post(self, channel, body: bytes, headers: dict) -> requests.Response:
		return requests.post(
			f"{self.site.url}{ENDPOINT}",
			params={"channel": channel.name},
			data=body,
			headers={"Content-Type": "application/json", **headers},
			timeout=60,
		)

	def check(self, channel, body: bytes, headers: dict, read) -> None:
		"""The answer is 200 or a clear 400, as the pure reader predicts; every message it read is taken in."""
		try:
			expected = read()
		except parsing.MalformedWebhook:
			expected = None
		keys = [
			"Messenger:" + parsing.intake_message_id(channel.name, message.message_id)
			for message in expected or ()
		]
		# A message id the channel had already is the same message again (the messenger's retry): skipped.
		seen = set(
			frappe.get_all("Intake Message", filters={"dedupe_key": ("in", keys or [""])}, pluck="dedupe_key")
		)
		answer = self.post(channel, body, headers)
		if answer.status_code == 429:
			# The channel's limit (600 webhooks a minute), which the long run reaches: the next minute.
			time.sleep(61)
			answer = self.post(channel, body, headers)
		self.assertLess(answer.status_code, 500, answer.text[:2000])
		self.assertNotIn("Traceback", answer.text)
		if expected is None:
			self.assertEqual(answer.status_code, 400, answer.text[:500])
			self.assertTrue(answer.text.strip())
			return
		self.assertEqual(answer.status_code, 200, answer.text[:500])
		frappe.db.commit()  # nosemgrep: a new snapshot, to see what the server committed
		for message, key in zip(expected, keys, strict=True):
			record = frappe.db.get_value(
				"Intake Message",
				{"dedupe_key": key},
				["name", "status", "ticket", "text", "error"],
				as_dict=True,
			)
			self.assertTrue(record, f"the message {message.message_id!r} was lost: {message}")
			# A ticket, or kept as Failed with its reason for a Retry; never neither.
			self.assertIn(record.status, ("Processed", "Failed"), record)
			if record.status == "Failed":
				self.assertTrue(record.error)
				continue
			self.assertTrue(frappe.db.exists("Ticket", record.ticket))
			self.assertEqual(self.stored_markup(record), [])
			if key not in seen and keys.count(key) == 1:
				# The customer's words, whole, markup-like or not (notes about files follow them): the
				# message keeps them as sent, a Code field the desk shows as plain text.
				self.assertTrue(record.text.startswith(message.text), (message.text[:200], record.text[:200]))

	def stored_markup(self, record) -> list[str]:
		found = []
		ticket = frappe.db.get_value(
			"Ticket", record.ticket, ["subject", "description", "raised_by_name"], as_dict=True
		)
		# Not the Intake Message's text: kept as sent, in a Code field that every view of the desk escapes.
		for value in ticket.values():
			found += active_markup(value)
		for content in frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": str(record.ticket)},
			pluck="content",
		):
			found += active_markup(content)
		for doctype, name in (("Ticket", record.ticket), ("Intake Message", record.name)):
			for file_name in frappe.get_all(
				"File",
				filters={"attached_to_doctype": doctype, "attached_to_name": str(name)},
				pluck="file_name",
			):
				found += active_markup(file_name)
				self.assertNotIn("/", file_name)
		return found

	@fuzz_settings(25)
	@given(update=tg_update, fresh=st.booleans())
	# A photo that is no JPEG: Frappe failed re-encoding it, a server error and the message lost.
	@example(
		update={
			"update_id": 9,
			"message": {
				"message_id": 3558937,
				"chat": {"id": "917"},
				"photo": [{"file_id": "tg-photo", "file_name": "<script>alert(1)</script>"}],
				"video": {"file_id": "tg-photo"},
				"text": "ж" * 5878,
			},
		},
		fresh=True,
	)
	def test_hostile_telegram_updates(self, update, fresh):
		for key in ("message", "business_message"):
			if fresh and isinstance(update.get(key), dict):
				update[key]["message_id"] = next(FRESH_IDS)
		body = body_of(update)
		headers = {"X-Telegram-Bot-Api-Secret-Token": "fuzz-telegram-secret"}
		self.check(self.telegram, body, headers, lambda: parsing.telegram_update(body))

	@fuzz_settings(25)
	@given(payload=wa_payload, fresh=st.booleans())
	def test_hostile_whatsapp_notifications(self, payload, fresh):
		for message in objects(payload, "entry", "changes", "value", "messages") if fresh else ():
			message["id"] = f"wamid.fuzz{next(FRESH_IDS)}"
		body = body_of(payload)
		headers = {"X-Hub-Signature-256": signature(APP_SECRET, body)}
		self.check(self.whatsapp, body, headers, lambda: parsing.whatsapp_payload(body, "1"))

	@fuzz_settings(25)
	@given(event=vk_body, fresh=st.booleans())
	def test_hostile_vk_events(self, event, fresh):
		# The community's own events, with its secret; the files at the fake VK.
		event = event | {"group_id": int(VK_GROUP), "secret": VK_SECRET}
		message = (
			event["object"].get("message") or event["object"] if isinstance(event["object"], dict) else None
		)
		if fresh and isinstance(message, dict):
			message["conversation_message_id"] = next(FRESH_IDS)
		body = body_of(event).replace(VK_FILES.encode(), f"{self.fake.vk_base}/download".encode())
		if event.get("type") == "confirmation":
			answer = self.post(self.vk, body, {})
			self.assertEqual((answer.status_code, answer.text), (200, "fuzz-confirm"))
			return
		self.check(self.vk, body, {}, lambda: parsing.vk_messages(parsing.vk_event(body)))

	def test_a_body_that_is_no_json_object_is_a_clear_400(self):
		# Frappe itself reads a body sent as application/json before any app code runs, and answers one it
		# cannot read (not JSON, nested too deep) with its own error; the connectors get such bodies when
		# they come as another type.
		bodies = (
			(b"[1, 2]", "application/json"),
			(b"{not json", "text/plain"),
			(b"[" * 50_000, "text/plain"),
		)
		for channel in self.channels:
			for body, content_type in bodies:
				headers = {"Content-Type": content_type}
				if channel is self.telegram:
					headers["X-Telegram-Bot-Api-Secret-Token"] = "fuzz-telegram-secret"
				elif channel is self.whatsapp:
					headers["X-Hub-Signature-256"] = signature(APP_SECRET, body)
				answer = self.post(channel, body, headers)
				self.assertEqual(answer.status_code, 400, answer.text[:500])
				self.assertNotIn("Traceback", answer.text)


class TestWebhookDeliveryFailure(FrappeTestCase):
	def test_a_message_that_fails_in_delivery_is_kept_failed_and_the_messenger_told_it_arrived(self):
		from unittest.mock import patch

		from support_center.tests.test_channels import call_webhook

		frappe.set_user("Administrator")
		channel = frappe.get_doc(
			{
				"doctype": "Support Channel",
				"channel_name": unique("Failing Telegram"),
				"channel_type": "Telegram",
				"enabled": 1,
				"send_acknowledgement": 0,
				"bot_token": TELEGRAM_TOKEN,
				"webhook_secret": "failing-secret",
			}
		).insert()
		update = {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 77}, "text": "Help"}}
		headers = {"X-Telegram-Bot-Api-Secret-Token": "failing-secret"}
		with patch("support_center.intake.core.deliver", side_effect=RuntimeError("routing broke")):
			response = call_webhook(channel.name, body=update, headers=headers)
		# Kept for a Retry: the messenger need not send it again (it would fail again).
		self.assertEqual(response.status_code, 200)
		record = frappe.get_doc("Intake Message", {"support_channel": channel.name})
		self.assertEqual((record.status, record.text), ("Failed", "Help"))
		self.assertIn("routing broke", record.error)
		self.assertIn("routing broke", frappe.db.get_value("Support Channel", channel.name, "last_error"))
		# Its retry by the messenger finds it kept, and delivers it once the cause is gone.
		response = call_webhook(channel.name, body=update, headers=headers)
		self.assertEqual(response.status_code, 200)
		self.assertEqual(frappe.db.get_value("Intake Message", record.name, "status"), "Processed")
