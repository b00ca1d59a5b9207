"""What customers write, and which fields of a new ticket they may set.

Frappe's own sanitiser skips any value that parses as JSON, so ``"\"<img src=x onerror=...>\""`` is
stored raw and runs in an agent's browser wherever the desk shows it as HTML (form, print view,
timeline). Every text field of the records customers write is cleaned here, whatever its shape.
"""

import frappe
from frappe import _
from frappe.utils.html_utils import sanitize_html

# Field types whose values the desk may show as HTML. Email fields are validated as addresses instead,
# JSON and Code fields are data, not markup.
TEXT_FIELDTYPES = frozenset(
	{"Data", "Small Text", "Text", "Long Text", "Text Editor", "HTML Editor", "Markdown Editor"}
)
# Standard columns (not in meta.fields) that carry what a sender wrote.
STANDARD_TEXT_FIELDS = {
	"Communication": ("subject", "content", "sender_full_name"),
	"Comment": ("content", "comment_by"),
}

# The only fields of a new Ticket that a customer's own request decides. Everything else is the desk's:
# the party (contact, customer, raised_by) is replaced by the customer's own, and the rest takes its
# default, whatever the request sent (Ticket.restrict_to_portal_user).
CUSTOMER_SETTABLE_TICKET_FIELDS = frozenset({"subject", "description", "category"})


def looks_like_markup(value: object) -> bool:
	return isinstance(value, str) and ("<" in value or ">" in value)


def clean_markup(value: str, linkify: bool = False) -> str:
	return sanitize_html(value, linkify=linkify, always_sanitize=True)


def sanitize_text_fields(doc, method=None) -> None:
	"""Document hook (validate): clean every text field that holds markup, JSON-shaped or not."""
	meta = frappe.get_meta(doc.doctype)
	fieldnames = [
		(df.fieldname, df.fieldtype == "Text Editor")
		for df in meta.fields
		if df.fieldtype in TEXT_FIELDTYPES and df.options != "Email" and not df.ignore_xss_filter
	]
	fieldnames += [(fieldname, True) for fieldname in STANDARD_TEXT_FIELDS.get(doc.doctype, ())]
	for fieldname, linkify in fieldnames:
		value = doc.get(fieldname)
		if looks_like_markup(value):
			doc.set(fieldname, clean_markup(value, linkify=linkify))


def sanitize_ticket_text(doc, method=None) -> None:
	"""Communication and Comment hook: only what belongs to a ticket (mail elsewhere is Frappe's)."""
	reference = doc.get("reference_doctype")
	if reference in ("Ticket", "Intake Message") or doc.doctype == "Intake Message":
		sanitize_text_fields(doc)


def fields_outside_allow_list(fieldnames: list[str], allowed: frozenset[str]) -> list[str]:
	"""The fields of a new customer ticket that go back to their defaults."""
	return [fieldname for fieldname in fieldnames if fieldname not in allowed]


def reset_to_defaults(doc, fieldnames: list[str]) -> None:
	meta = frappe.get_meta(doc.doctype)
	for fieldname in fieldnames:
		df = meta.get_field(fieldname)
		if df and df.fieldtype not in frappe.model.no_value_fields and not df.is_virtual:
			doc.set(fieldname, df.default if df.default not in (None, "") else None)


def validate_customer_category(category: str | None) -> None:
	"""A customer files only under a published topic; unpublished ones are internal routing."""
	if category and not frappe.db.get_value("Support Category", category, "published"):
		frappe.throw(
			_("The topic {0} cannot be chosen.").format(frappe.bold(category)), frappe.PermissionError
		)
