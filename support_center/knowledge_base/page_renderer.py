"""/kb/<category> for the knowledge base's category pages.

Frappe's own hooks map `/kb/<category>` to ERPNext's old Help Article list, and Frappe's route rules are
read before an app's, so a `website_route_rules` entry for it never wins. Frappe asks the `page_renderer`
hook's classes first: this one renders www/kb/category.html for a two-part /kb/ path.
"""

import frappe
from frappe.website.page_renderers.template_page import TemplatePage


def _category_slug() -> str | None:
	request = getattr(frappe.local, "request", None)
	path = (getattr(request, "path", "") or "").strip("/")
	parts = path.split("/")
	if len(parts) == 2 and parts[0] == "kb" and parts[1]:
		return parts[1]
	return None


class KBCategoryPage(TemplatePage):
	def __init__(self, path, http_status_code=None):
		self.kb_category = _category_slug()
		super().__init__("kb/category" if self.kb_category else path, http_status_code)

	def can_render(self):
		return bool(self.kb_category) and super().can_render()

	def render(self):
		frappe.local.form_dict.category = self.kb_category
		return super().render()
