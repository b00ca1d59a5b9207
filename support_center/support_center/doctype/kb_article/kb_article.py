# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from support_center.knowledge_base import articles


class KBArticle(Document):
	def validate(self):
		articles.validate_article(self)

	def on_update(self):
		articles.after_article_change(self)

	def on_trash(self):
		articles.after_article_delete(self)

	@frappe.whitelist()
	def confirm_review(self) -> str:
		"""The owner checked the article: it stays as it is, due again after the category's interval."""
		self.check_permission("write")
		articles.confirm_review(self)
		self.save()
		return str(self.review_by)


def on_doctype_update():
	articles.ensure_fulltext_index()


def get_list_context(context=None):
	"""Frappe's generic web list (/KB Article, frappe.www.list.get) lists a doctype with a guest web view
	with all its fields; this one gives public published articles' title, summary and address only."""
	return {"get_list": articles.public_web_list, "title": "KB Article", "no_breadcrumbs": True}
