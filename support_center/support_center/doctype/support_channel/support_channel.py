# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class SupportChannel(Document):
	"""One bot, number or chat; its connector lives in support_center/channels/<type>.py."""

	@property
	def webhook_url(self) -> str:
		from support_center.channels.registry import webhook_url

		return webhook_url(self) if self.name and self.channel_type else ""

	def validate(self):
		from support_center.channels.registry import prepare_channel

		prepare_channel(self)

	@frappe.whitelist()
	def register_webhook(self) -> dict:
		"""Tell the messenger where to post (Telegram's setWebhook); managers only."""
		self.check_permission("write")
		from support_center.channels.registry import connector_for

		result = connector_for(self).register_webhook(self)
		frappe.msgprint(result.get("message") or _("Done."))
		return result
