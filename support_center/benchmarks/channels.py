"""What a messenger costs the site: a Telegram webhook taken in, a reply delivered, a site chat polled.

Three figures against a bare ``ToDo`` insert measured in the same run:

- ``telegram_webhook_seconds``: one update through ``channels.webhook.handle`` (secret check, parse, intake,
  routing, SLA, the acknowledgement queued; background jobs collected, not run), against the same message
  posted to the intake directly (``intake.core.receive``): what the connector adds. Goal: at most 1.5 times.
- ``telegram_reply_seconds``: one queued reply delivered by ``channels.delivery.attempt`` to a fake Bot API
  on 127.0.0.1 (claim under a row lock, the HTTP call, the bookkeeping). Informative.
- ``chat_poll_seconds``: an open chat's poll for new messages (``api.chat.poll`` with the last message's time,
  what every open chat asks every 3 seconds) of a 50-message conversation. Goal: at most 2 times the ToDo
  insert. ``chat_first_load_seconds``: the whole conversation, as a returning visitor loads it.

Every step is rolled back; the channel, ticket and conversation made for the run are removed afterwards.
"""

import json

import frappe
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from support_center.api import chat
from support_center.benchmarks import Figure, Scale, measure, register

# channel_figures swaps delivery.commit (and frappe.enqueue) for no-ops while it measures and restores them
# in its `finally`: a measured step must roll back, and semgrep reports that swap at this import.
from support_center.channels import delivery, webhook  # nosemgrep: frappe-monkey-patching-not-allowed
from support_center.channels.chat_session import conversation_id, new_token
from support_center.intake.core import receive
from support_center.intake.rules import IncomingMessage
from support_center.tests.fake_messengers import TELEGRAM_TOKEN, FakeMessengers

PREFIX = "Benchmark Channel"
CHAT_MESSAGES = 50


def channel_figures(repeats: int = 5) -> list[Figure]:
	fake = FakeMessengers()
	made = _setup(fake)
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the measured steps roll back to this state
	counter = iter(range(10**9))
	original_enqueue, original_commit = frappe.enqueue, delivery.commit
	try:
		# Jobs are collected, not run (the acknowledgement's delivery is the worker's); the delivery's own
		# commits would keep what a measured step must roll back.
		frappe.enqueue = lambda *args, **kwargs: None
		delivery.commit = lambda: None

		def todo_insert():
			frappe.get_doc({"doctype": "ToDo", "description": "benchmark"}).insert(ignore_permissions=True)

		def telegram_webhook():
			index = next(counter)
			update = {
				"update_id": index,
				"message": {
					"message_id": index,
					"from": {"id": 10**9 + index, "first_name": "Bench", "language_code": "en"},
					"chat": {"id": 10**9 + index, "type": "private"},
					"date": 1790000000,
					"text": "My parcel has not arrived, order 4711",
				},
			}
			request = Request(
				EnvironBuilder(
					method="POST",
					data=json.dumps(update),
					content_type="application/json",
					headers={"X-Telegram-Bot-Api-Secret-Token": made.secret},
				).get_environ()
			)
			response = webhook.handle(made.channel, request)
			assert response.status_code == 200, response.get_data()

		def plain_intake():
			index = next(counter)
			receive(
				IncomingMessage(
					channel="Messenger",
					text="My parcel has not arrived, order 4711",
					sender_name="Bench",
					message_id=f"{PREFIX}-plain-{index}",
					conversation_id=f"{PREFIX}-plain-{index}",
				)
			)

		def telegram_reply():
			assert delivery.attempt(made.delivery) == "Sent"

		def chat_poll():
			result = chat.poll(token=made.token, after=made.last_at, channel=made.chat)
			assert result["found"] and result["messages"] == [], result

		def chat_first_load():
			result = chat.poll(token=made.token, channel=made.chat)
			assert len(result["messages"]) == CHAT_MESSAGES + 2, len(result["messages"])

		measure(telegram_webhook, 1)
		todo_seconds, todo_queries = measure(todo_insert, repeats)
		intake_seconds, intake_queries = measure(plain_intake, repeats)
		webhook_seconds, webhook_queries = measure(telegram_webhook, repeats)
		reply_seconds, reply_queries = measure(telegram_reply, repeats)
		frappe.set_user("Guest")
		try:
			poll_seconds, poll_queries = measure(chat_poll, repeats)
			load_seconds, load_queries = measure(chat_first_load, repeats)
		finally:
			frappe.set_user("Administrator")
	finally:
		frappe.enqueue, delivery.commit = original_enqueue, original_commit
		frappe.db.rollback()
		_teardown(made)
		frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the benchmark's records must not outlive the command
		fake.stop()
	return [
		Figure("telegram_webhook_seconds", webhook_seconds, intake_seconds, max_ratio=1.5),
		Figure("telegram_webhook_queries", webhook_queries, intake_queries, "against the plain intake"),
		Figure("telegram_reply_seconds", reply_seconds, todo_seconds, "one reply over loopback HTTP"),
		Figure("telegram_reply_queries", reply_queries, todo_queries, "the delivery's SQL statements"),
		Figure("chat_poll_seconds", poll_seconds, todo_seconds, max_ratio=2),
		Figure("chat_poll_queries", poll_queries, todo_queries, "no new message"),
		Figure("chat_first_load_seconds", load_seconds, todo_seconds, f"{CHAT_MESSAGES} messages"),
		Figure("chat_first_load_queries", load_queries, todo_queries, f"{CHAT_MESSAGES} messages"),
	]


@register("channels")
def channels_area(scale: Scale) -> list[Figure]:
	return channel_figures(scale.repeats)


def _setup(fake: FakeMessengers) -> frappe._dict:
	suffix = frappe.generate_hash(length=6)
	secret = frappe.generate_hash(length=24)
	channel = frappe.get_doc(
		{
			"doctype": "Support Channel",
			"channel_name": f"{PREFIX} {suffix}",
			"channel_type": "Telegram",
			"enabled": 1,
			"bot_token": TELEGRAM_TOKEN,
			"webhook_secret": secret,
			"api_base_url": fake.telegram_base,
		}
	).insert(ignore_permissions=True)
	chat = frappe.get_doc(
		{
			"doctype": "Support Channel",
			"channel_name": f"{PREFIX} Chat {suffix}",
			"channel_type": "Chat",
			"enabled": 1,
		}
	).insert(ignore_permissions=True)
	token = new_token()
	ticket = frappe.get_doc(
		{
			"doctype": "Ticket",
			"subject": "Benchmark chat",
			"description": "<p>Hello</p>",
			"channel": "Chat",
			"support_channel": chat.name,
			"external_conversation": conversation_id(chat.name, token),
			"raised_by_name": "Benchmark Visitor",
		}
	).insert(ignore_permissions=True)
	for index in range(CHAT_MESSAGES):
		communication = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Chat",
				"sent_or_received": "Received" if index % 2 else "Sent",
				"content": f"<p>Message {index} of the conversation</p>",
				"reference_doctype": "Ticket",
				"reference_name": ticket.name,
			}
		)
		communication.db_insert()
	record = frappe.get_doc(
		{
			"doctype": "Channel Delivery",
			"ticket": ticket.name,
			"support_channel": channel.name,
			"status": "Queued",
			"conversation_id": "424242",
			"idempotency_key": f"{PREFIX}:{suffix}",
			"text": "It arrives tomorrow.",
		}
	).insert(ignore_permissions=True)
	return frappe._dict(
		channel=channel.name,
		chat=chat.name,
		secret=secret,
		token=token,
		last_at=str(frappe.db.get_value("Communication", communication.name, "creation")),
		delivery=record.name,
	)


def _teardown(made: frappe._dict) -> None:
	tickets = frappe.get_all(
		"Ticket", filters={"support_channel": ("in", [made.channel, made.chat])}, pluck="name"
	)
	frappe.db.delete("Channel Delivery", {"support_channel": made.channel})
	frappe.db.delete(
		"Communication", {"reference_doctype": "Ticket", "reference_name": ("in", tickets or [""])}
	)
	frappe.db.delete("Intake Message", {"support_channel": ("in", [made.channel, made.chat])})
	for ticket in frappe.get_all(
		"Ticket", filters={"external_conversation": ("like", f"{PREFIX}-plain-%")}, pluck="name"
	):
		frappe.delete_doc("Ticket", ticket, ignore_permissions=True, force=True)
	for ticket in tickets:
		frappe.delete_doc("Ticket", ticket, ignore_permissions=True, force=True)
	for name in (made.channel, made.chat):
		frappe.delete_doc("Support Channel", name, ignore_permissions=True, force=True)
