# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

from frappe.utils.nestedset import NestedSet


class KBCategory(NestedSet):
	nsm_parent_field = "parent_kb_category"
