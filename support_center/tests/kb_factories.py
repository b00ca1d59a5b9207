"""Knowledge-base records for tests."""

import frappe

from support_center.tests.factories import unique


def make_kb_category(title: str | None = None, **values) -> str:
	doc = frappe.get_doc(
		{"doctype": "KB Category", "title": title or unique("KB Category"), **values}
	).insert(ignore_permissions=True)
	return doc.name


def make_article(category: str, title: str | None = None, content: str = "<p>Text</p>", **values):
	values.setdefault("status", "Published")
	values.setdefault("visibility", "Public")
	values.setdefault("language", "en")
	return frappe.get_doc(
		{
			"doctype": "KB Article",
			"title": title or unique("Article"),
			"kb_category": category,
			"content": content,
			**values,
		}
	).insert(ignore_permissions=True)
