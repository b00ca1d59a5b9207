# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class CannedReply(Document):
	def validate(self):
		if self.scope != "Team":
			self.team = None
		elif not self.team:
			frappe.throw(_("Choose the team that shares this reply."), frappe.MandatoryError)
