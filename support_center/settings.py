"""Support Center Settings values that the app stores itself."""

import frappe

SETTINGS = "Support Center Settings"


def is_stored(fieldname: str) -> bool:
	"""Whether the settings hold a value for the field (a Single's Int or Check reads 0 until stored).

	`frappe.db.exists("Singles", ...)` cannot tell: Singles has no `name` column, so it always says no."""
	singles = frappe.qb.DocType("Singles")
	return bool(
		frappe.qb.from_(singles)
		.select(singles.field)
		.where((singles.doctype == SETTINGS) & (singles.field == fieldname))
		.limit(1)
		.run()
	)


def store_default(fieldname: str, value) -> None:
	"""Store a default once; a value a manager set (0 included) is never overwritten by a migrate."""
	if not is_stored(fieldname):
		frappe.db.set_single_value(SETTINGS, fieldname, value)
