# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CannedReply(Document):
	def validate(self):
		if self.scope != "Team":
			self.team = None
