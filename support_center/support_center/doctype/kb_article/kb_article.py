# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.website.utils import cleanup_page_name


class KBArticle(Document):
	def validate(self):
		if not self.route:
			self.route = self.unique_route()

	def unique_route(self) -> str:
		route = f"kb/{cleanup_page_name(self.title)}"
		if frappe.db.exists("KB Article", {"route": route, "name": ("!=", self.name)}):
			route = f"{route}-{self.name}"
		return route
