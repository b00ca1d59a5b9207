"""The channels benchmark takes a Telegram webhook in, delivers a reply to the fake Bot API, polls a chat,
and leaves nothing behind."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.benchmarks import areas
from support_center.benchmarks.channels import PREFIX, channel_figures


class TestChannelsBenchmark(FrappeTestCase):
	def test_the_channel_figures_are_measured_and_cleaned_up(self):
		self.assertIn("channels", areas())
		frappe.flags.in_test = False
		try:
			figures = {figure.name: figure for figure in channel_figures(repeats=1)}
		finally:
			frappe.flags.in_test = True
		for name in (
			"telegram_webhook_seconds",
			"telegram_reply_seconds",
			"chat_poll_seconds",
			"chat_first_load_seconds",
		):
			self.assertGreater(figures[name].value, 0)
			self.assertGreater(figures[name].reference, 0)
		self.assertEqual(figures["telegram_webhook_seconds"].max_ratio, 1.5)
		self.assertGreater(figures["telegram_webhook_queries"].value, 0)
		self.assertFalse(frappe.db.exists("Support Channel", {"name": ("like", f"{PREFIX}%")}))
		self.assertFalse(frappe.db.exists("Ticket", {"external_conversation": ("like", f"{PREFIX}%")}))
		self.assertFalse(frappe.db.exists("Channel Delivery", {"idempotency_key": ("like", f"{PREFIX}%")}))
