# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.utils.nestedset import NestedSet

from support_center.permissions.ticket import STAFF_ROLES


class SupportCategory(NestedSet):
	nsm_parent_field = "parent_support_category"

	def validate(self):
		self.validate_responsible()

	def validate_responsible(self):
		if not self.responsible:
			return
		if not frappe.db.get_value("User", self.responsible, "enabled"):
			frappe.throw(
				_("{0} is disabled and cannot be responsible for a category.").format(self.responsible)
			)
		if STAFF_ROLES.isdisjoint(frappe.get_roles(self.responsible)):
			frappe.throw(
				_("{0} is not support staff: give them the Support Team role first.").format(self.responsible)
			)
