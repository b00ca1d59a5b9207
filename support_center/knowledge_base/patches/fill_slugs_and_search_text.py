"""Knowledge-base records made before the portal pages: categories get their slug, articles their slug,
address, visibility flag and search tokens (every article is saved once, through its controller)."""

import frappe


def execute():
	for name in frappe.get_all("KB Category", filters={"slug": ("is", "not set")}, pluck="name"):
		frappe.get_doc("KB Category", name).save(ignore_permissions=True)
	# Originals first: translations take their original's slug and address.
	names = frappe.get_all(
		"KB Article",
		filters={"search_text": ("is", "not set")},
		fields=["name", "translation_of"],
		order_by="creation asc",
	)
	for row in sorted(names, key=lambda row: bool(row.translation_of)):
		doc = frappe.get_doc("KB Article", row.name)
		doc.flags.ignore_links = True
		doc.save(ignore_permissions=True)
