# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class KBCategoryTranslation(Document):
	pass
