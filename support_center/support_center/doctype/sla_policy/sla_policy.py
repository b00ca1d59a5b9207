# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class SLAPolicy(Document):
	def validate(self):
		if self.default_policy and self.enabled:
			other_default = frappe.db.exists(
				"SLA Policy", {"default_policy": 1, "enabled": 1, "name": ("!=", self.name)}
			)
			if other_default:
				frappe.throw(
					_("{0} is already the default SLA policy. Only one policy can be the default.").format(
						frappe.bold(other_default)
					)
				)
