"""Faults: a worker killed in the middle of a messenger reply and in the middle of an Issue import.

- A reply's delivery job killed after the messenger took the message but before the delivery recorded it
  is left Sending; the scheduler claims it again once it is stale and sends it. VK drops the repeated send
  by its random_id, so the customer gets the reply exactly once; Telegram has no such key, so the code
  promises at-least-once there (README: a send that the API took before the worker died can arrive twice)
  and the test pins that: two sendMessage calls, nothing lost.
- An import killed inside a batch (before its commit) loses that batch as a whole; the next run imports
  every remaining Issue, so each Issue is exactly one Ticket and its Communications move once.
"""

import os
import random
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from support_center.channels.delivery import STALE_SENDING
from support_center.tests.factories import make_customer, unique
from support_center.tests.fake_messengers import TELEGRAM_TOKEN, VK_TOKEN, FakeMessengers
from support_center.tests.worker_process import Worker

ISSUES = 5


def sites_path() -> str:
	return os.path.abspath(frappe.local.sites_path)


class TestKilledReplyDelivery(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeMessengers()

	@classmethod
	def tearDownClass(cls):
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		self.made: list[tuple[str, str]] = []

	def tearDown(self):
		frappe.db.rollback()
		for doctype, name in reversed(self.made):
			if doctype == "Ticket":
				frappe.db.delete("Channel Delivery", {"ticket": name})
				frappe.db.delete("Comment", {"reference_doctype": "Ticket", "reference_name": str(name)})
				frappe.db.delete(
					"Communication", {"reference_doctype": "Ticket", "reference_name": str(name)}
				)
				frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": str(name)})
			frappe.db.delete(doctype, {"name": name})
		frappe.db.commit()

	def delivery_for(self, channel_type: str, **values) -> str:
		"""A committed channel, ticket and queued reply delivery, as queue_reply leaves them."""
		base_url = {"Telegram": self.fake.telegram_base, "VK": self.fake.vk_base}[channel_type]
		channel = frappe.get_doc(
			{
				"doctype": "Support Channel",
				"channel_name": unique(f"{channel_type} fault"),
				"channel_type": channel_type,
				"enabled": 1,
				"api_base_url": base_url,
				**values,
			}
		).insert()
		self.made.append(("Support Channel", channel.name))
		chat = str(random.randint(10**7, 10**8))
		ticket = frappe.get_doc(
			{
				"doctype": "Ticket",
				"subject": unique("Killed reply"),
				"support_channel": channel.name,
				"external_conversation": f"{channel.name}:{chat}",
			}
		).insert(ignore_permissions=True)
		self.made.append(("Ticket", ticket.name))
		delivery = frappe.get_doc(
			{
				"doctype": "Channel Delivery",
				"ticket": ticket.name,
				"support_channel": channel.name,
				"kind": "Reply",
				"status": "Queued",
				"conversation_id": chat,
				"idempotency_key": f"reply:fault-{frappe.generate_hash(length=10)}",
				"text": f"Your printer is fixed {chat}",
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		self.fake.requests.clear()  # an acknowledgement of the ticket, if any, is not the reply
		self.chat = chat
		return delivery.name

	def state(self, name: str) -> frappe._dict:
		frappe.db.commit()  # a fresh snapshot
		return frappe.db.get_value(
			"Channel Delivery", name, ["status", "parts_sent", "sending_since", "ticket"], as_dict=True
		)

	def kill_after_send_and_restart(self, name: str) -> frappe._dict:
		worker = Worker(frappe.local.site, sites_path(), "deliver", name, delay=30)
		worker.wait_for("sent")
		worker.kill()
		# The messenger has the message; the delivery does not know yet.
		killed = self.state(name)
		self.assertEqual((killed.status, killed.parts_sent or 0), ("Sending", 0))
		# A fresh claim is not taken over: the worker might still be alive.
		again = Worker(frappe.local.site, sites_path(), "deliver", name)
		self.assertEqual(again.finish(), 0, again.output[-3000:])
		self.assertIn("done Sending", again.lines)
		# Ten minutes later the scheduler takes the stale delivery back and sends it.
		frappe.db.set_value(
			"Channel Delivery",
			name,
			"sending_since",
			add_to_date(now_datetime(), seconds=-(STALE_SENDING + timedelta(minutes=1)).total_seconds()),
			update_modified=False,
		)
		frappe.db.commit()
		scheduler = Worker(frappe.local.site, sites_path(), "deliver", "due")
		self.assertEqual(scheduler.finish(), 0, scheduler.output[-3000:])
		self.assertIn(name, scheduler.wait_for("done"))
		done = self.state(name)
		self.assertEqual((done.status, done.parts_sent), ("Sent", 1))
		self.assertEqual(frappe.db.get_value("Ticket", done.ticket, "reply_delivery"), "Delivered")
		return done

	def test_vk_gets_a_reply_whose_worker_was_killed_after_sending_exactly_once(self):
		name = self.delivery_for(
			"VK", group_id="555", access_token=VK_TOKEN, webhook_secret="vk-secret", confirmation_code="c0nf"
		)
		self.kill_after_send_and_restart(name)
		sends = [call for call in self.fake.calls("messages.send") if call.form.get("peer_id") == self.chat]
		self.assertEqual(len(sends), 2, [call.form for call in sends])
		# Both sends carry the same random_id; VK took the first and dropped the second.
		self.assertEqual(len({call.form["random_id"] for call in sends}), 1)
		self.assertEqual([bool(getattr(call, "repeat", False)) for call in sends], [False, True])

	def test_telegram_gets_a_reply_whose_worker_was_killed_after_sending_at_least_once(self):
		name = self.delivery_for(
			"Telegram", bot_token=TELEGRAM_TOKEN, webhook_secret="tg-secret-" + unique("s")
		)
		self.kill_after_send_and_restart(name)
		sends = [
			call
			for call in self.fake.delivered("sendMessage")
			if str((call.json or call.form).get("chat_id")) == self.chat
		]
		# Nothing lost; Telegram has no idempotency key, so the reply the API took before the kill is
		# sent again (the README's documented "can, rarely, arrive twice").
		self.assertEqual(len(sends), 2, [call.json or call.form for call in sends])
		texts = {(call.json or call.form).get("text") for call in sends}
		self.assertEqual(len(texts), 1)
		self.assertIn(self.chat, texts.pop())


class TestKilledIssueImport(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.issues: list[str] = []
		self.communications: dict[str, list[str]] = {}

	def tearDown(self):
		frappe.db.rollback()
		tickets = frappe.get_all(
			"Ticket",
			filters={"imported_from_doctype": "Issue", "imported_from": ("in", self.issues or [""])},
			pluck="name",
		)
		for ticket in tickets:
			for doctype, field, name_field in (
				("Comment", "reference_doctype", "reference_name"),
				("Communication", "reference_doctype", "reference_name"),
				("Communication Link", "link_doctype", "link_name"),
			):
				frappe.db.delete(doctype, {field: "Ticket", name_field: str(ticket)})
			frappe.db.delete("Ticket", {"name": ticket})
		for issue in self.issues:
			for doctype, field, name_field in (
				("Communication", "reference_doctype", "reference_name"),
				("Communication Link", "link_doctype", "link_name"),
				("Comment", "reference_doctype", "reference_name"),
			):
				frappe.db.delete(doctype, {field: "Issue", name_field: issue})
			frappe.db.delete("Issue", {"name": issue})
		frappe.db.commit()

	def make_issues(self) -> None:
		customer = make_customer()
		for index in range(ISSUES):
			mark = frappe.generate_hash(length=8)
			issue = frappe.get_doc(
				{
					"doctype": "Issue",
					"subject": f"Killed import {index} {mark}",
					"description": f"<p>Killed import {mark}</p>",
					"raised_by": f"{mark}@customer.test",
					"customer": customer,
				}
			).insert(ignore_permissions=True)
			self.issues.append(issue.name)
			self.communications[issue.name] = [
				frappe.get_doc(
					{
						"doctype": "Communication",
						"communication_type": "Communication",
						"communication_medium": "Email",
						"sent_or_received": direction,
						"subject": f"Killed import {mark}",
						"content": f"<p>{direction} {mark}</p>",
						"sender": f"{mark}@customer.test",
						"message_id": f"{direction}-{mark}@fault.test",
						"reference_doctype": "Issue",
						"reference_name": issue.name,
					}
				)
				.insert(ignore_permissions=True)
				.name
				for direction in ("Received", "Sent")
			]
		frappe.db.commit()

	def tickets(self) -> dict[str, list[str]]:
		frappe.db.commit()  # a fresh snapshot
		rows = frappe.get_all(
			"Ticket",
			filters={"imported_from_doctype": "Issue", "imported_from": ("in", self.issues)},
			fields=["name", "imported_from"],
		)
		found: dict[str, list[str]] = {}
		for row in rows:
			found.setdefault(row.imported_from, []).append(str(row.name))
		return found

	def test_an_import_killed_mid_batch_imports_every_issue_exactly_once_after_a_rerun(self):
		since = str(now_datetime() - timedelta(seconds=1))
		self.make_issues()
		# Each batch waits 2 s between its writes and its commit: killed in batch 3's wait, batches 1 and 2
		# are committed and batch 3 has written its ticket and moved its history, uncommitted.
		worker = Worker(frappe.local.site, sites_path(), "import", since, delay=2)
		worker.wait_for("batch 3")
		worker.kill()
		before = self.tickets()
		self.assertEqual(sorted(before), sorted(self.issues[:2]), before)
		for issue in self.issues[2:]:
			for communication in self.communications[issue]:
				self.assertEqual(
					frappe.db.get_value(
						"Communication", communication, ["reference_doctype", "reference_name"]
					),
					("Issue", issue),
				)
		rerun = Worker(frappe.local.site, sites_path(), "import", since)
		self.assertEqual(rerun.finish(), 0, rerun.output[-3000:])
		self.assertIn(f"done {ISSUES - 2}", rerun.lines)
		after = self.tickets()
		self.assertEqual({issue: len(names) for issue, names in after.items()}, dict.fromkeys(self.issues, 1))
		self.assertEqual({issue: after[issue] for issue in self.issues[:2]}, before)
		for issue in self.issues:
			ticket = after[issue][0]
			for communication in self.communications[issue]:
				self.assertEqual(
					frappe.db.get_value(
						"Communication", communication, ["reference_doctype", "reference_name"]
					),
					("Ticket", ticket),
				)
			self.assertEqual(
				frappe.db.count("Communication", {"reference_doctype": "Ticket", "reference_name": ticket}), 2
			)
			self.assertEqual(
				frappe.db.count("Communication", {"reference_doctype": "Issue", "reference_name": issue}), 0
			)
