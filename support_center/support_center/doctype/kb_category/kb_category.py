# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

from frappe.utils.nestedset import NestedSet

from support_center.knowledge_base import articles


class KBCategory(NestedSet):
	nsm_parent_field = "parent_kb_category"

	def validate(self):
		articles.validate_category(self)

	def on_update(self):
		super().on_update()
		articles.after_category_change(self)
