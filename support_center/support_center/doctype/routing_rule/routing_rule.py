# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from support_center.routing.rules import PatternError, compile_patterns
from support_center.routing.rules_apply import forget_rules


class RoutingRule(Document):
	def validate(self):
		# The root (All Customer Groups) means every customer: the same as no condition.
		if self.from_customer_group and not frappe.db.get_value(
			"Customer Group", self.from_customer_group, "parent_customer_group"
		):
			self.from_customer_group = None
		try:
			compile_patterns(self.patterns)
		except PatternError as error:
			frappe.throw(_("Words or Patterns: {0} is not a valid regular expression.").format(str(error)))
		if not (self.category or self.priority or self.tag or self.team):
			frappe.throw(
				_("Choose at least one thing the rule does: a category, a priority, a tag or a team.")
			)

	def on_update(self):
		forget_rules()

	def on_trash(self):
		forget_rules()
