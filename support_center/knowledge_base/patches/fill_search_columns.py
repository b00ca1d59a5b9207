"""Articles saved before the search's `search_excerpt` and `translated` columns: the plain text that search
results' excerpts are cut from, and the flag of originals with translations and of translations. Written
without saving the documents."""

import frappe

from support_center.knowledge_base import search, tokens


def execute():
	for row in frappe.get_all(
		"KB Article", filters={"search_excerpt": ("is", "not set")}, fields=["name", "summary", "content"]
	):
		excerpt = tokens.excerpt_source(row.summary, row.content)
		if excerpt:
			frappe.db.set_value("KB Article", row.name, "search_excerpt", excerpt, update_modified=False)
	article = frappe.qb.DocType("KB Article")
	originals = frappe.get_all(
		"KB Article", filters={"translation_of": ("is", "set")}, pluck="translation_of", distinct=True
	)
	(
		frappe.qb.update(article)
		.set(article.translated, 1)
		.where(
			(article.translation_of.isnotnull() & (article.translation_of != ""))
			| article.name.isin(originals or [""])
		)
		.run()
	)
	search.clear_cache()
