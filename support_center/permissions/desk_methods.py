"""Desk methods of Frappe and ERPNext that a customer's session could call to reach other customers' data.

A portal user can call every whitelisted method with their session cookie. The methods below were written
for desk users and check nothing (or less than they need): called by a customer they read another
company's contact numbers and addresses, its messages, the to-dos of its tickets, or change its records.
Each was found by calling it as one customer against another's records (the permission matrix test,
``support_center/tests/test_permission_matrix.py``, calls each over HTTP). Two kinds of guard:

- desk-only methods refuse portal users (``user_type`` "Website User") and stay Frappe's and ERPNext's
  for desk users, whose access is what their roles give them;
- methods portal pages also use (link search, list queries, likes, attachments) keep working for
  customers within what they may read.

Everything is wired in ``hooks.override_whitelisted_methods``; ``generic_endpoints.py`` holds the guards
of Frappe's generic endpoints on the app's own doctypes.
"""

from collections.abc import Callable
from typing import Any

import frappe
from frappe import _


def is_portal_user(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Guest":
		return True
	return frappe.get_cached_value("User", user, "user_type") != "System User"


def require_desk_user() -> None:
	if is_portal_user():
		raise frappe.PermissionError(_("Not permitted"))


def _desk_only(original: str) -> Callable:
	"""A whitelisted stand-in for `original` that refuses portal users and hands desk users' calls over
	unchanged (Frappe matches the arguments to the original's signature)."""

	def guarded(**kwargs: Any):
		require_desk_user()
		return frappe.call(original, **kwargs)

	guarded.__name__ = original.rsplit(".", 1)[-1]
	guarded.__qualname__ = guarded.__name__
	guarded.__doc__ = f"``{original}`` for desk users only."
	return frappe.whitelist()(guarded)


# Frappe: each reads or changes records of any doctype by name with no permission check.
sms_contact_number = _desk_only("frappe.core.doctype.sms_settings.sms_settings.get_contact_number")
restore_deleted_document = _desk_only("frappe.core.doctype.deleted_document.deleted_document.restore")
bulk_restore_deleted_documents = _desk_only(
	"frappe.core.doctype.deleted_document.deleted_document.bulk_restore"
)
set_email_password = _desk_only("frappe.email.doctype.email_account.email_account.set_email_password")
create_email_flag_queue = _desk_only("frappe.email.inbox.create_email_flag_queue")
dashboard_chart = _desk_only("frappe.desk.doctype.dashboard_chart.dashboard_chart.get")
global_search = _desk_only("frappe.utils.global_search.search")
default_address = _desk_only("frappe.contacts.doctype.address.address.get_default_address")

# ERPNext: party, contact, lead and message look-ups and changes for the desk's forms.
erpnext_create_customer = _desk_only("erpnext.crm.frappe_crm_api.create_customer")
erpnext_last_interaction = _desk_only("erpnext.crm.doctype.utils.get_last_interaction")
erpnext_open_activities = _desk_only("erpnext.crm.utils.get_open_activities")
erpnext_trip_contact = _desk_only("erpnext.stock.doctype.delivery_trip.delivery_trip.get_contact_display")
erpnext_primary_contact = _desk_only("erpnext.selling.doctype.customer.customer.get_customer_primary_contact")
erpnext_lead_details = _desk_only("erpnext.crm.doctype.lead.lead.get_lead_details")
erpnext_add_lead_to_prospect = _desk_only("erpnext.crm.doctype.lead.lead.add_lead_to_prospect")
erpnext_prospect_opportunities = _desk_only("erpnext.crm.doctype.prospect.prospect.get_opportunities")
erpnext_shipment_contact = _desk_only("erpnext.stock.doctype.shipment.shipment.get_contact_name")
erpnext_shipment_address = _desk_only("erpnext.stock.doctype.shipment.shipment.get_address_name")
erpnext_tax_party = _desk_only("erpnext.accounts.doctype.tax_rule.tax_rule.get_party_details")
erpnext_payment_party = _desk_only("erpnext.accounts.doctype.payment_entry.payment_entry.get_party_details")
erpnext_issue_status = _desk_only("erpnext.support.doctype.issue.issue.set_status")
erpnext_issue_statuses = _desk_only("erpnext.support.doctype.issue.issue.set_multiple_status")


@frappe.whitelist(methods=["POST"])
def rebuild_tree(doctype: str, parent_field: str | None = None):
	"""Frappe means this for System Managers, but its check looks for the short command name, which a call
	to ``/api/method/frappe.utils.nestedset.rebuild_tree`` never has: any user could rewrite (and lock) any
	tree, the chart of accounts included."""
	if "System Manager" not in frappe.get_roles():
		raise frappe.PermissionError(_("Not permitted"))
	from frappe.utils import nestedset

	return nestedset.rebuild_tree(doctype)


@frappe.whitelist()
def tree_nodes(doctype: str, label: str, parent: str, tree_method: str, **filters: Any):
	"""Frappe's tree view calls any whitelisted method by name, past the app's overrides of it (a customer
	read internal notes and changed assignments through it). Desk users only, and the tree method is reached
	as an HTTP request would reach it: through ``override_whitelisted_methods``."""
	require_desk_user()
	from frappe.desk import treeview

	overrides = frappe.get_hooks("override_whitelisted_methods") or {}
	tree_method = (overrides.get(tree_method) or [tree_method])[-1]
	return treeview.get_all_nodes(doctype, label, parent, tree_method, **filters)


# Methods customers' pages use too
# --------------------------------


@frappe.whitelist()
def search_link(**kwargs: Any):
	"""Frappe's link search turns every permission check off (not only user permissions) when asked to
	ignore user permissions: a customer listed every ticket, message, to-do and contact with it."""
	if is_portal_user():
		kwargs["ignore_user_permissions"] = False
	return frappe.call("frappe.desk.search.search_link", **kwargs)


@frappe.whitelist()
def search_widget(**kwargs: Any):
	"""As ``search_link``."""
	if is_portal_user():
		kwargs["ignore_user_permissions"] = False
	return frappe.call("frappe.desk.search.search_widget", **kwargs)


def require_parent_table(doctype: Any) -> None:
	"""A customer never lists a child table on its own: Frappe checks only the parent doctype's read for
	it, not which parents, so the rows of every contact (emails, phones, customer links) came back."""
	if is_portal_user() and isinstance(doctype, str) and frappe.db.exists("DocType", doctype):
		if frappe.get_meta(doctype).istable:
			raise frappe.PermissionError(_("Not permitted"))


def _parent_table_checked(original: str) -> Callable:
	"""A whitelisted stand-in for a list query that refuses child tables to portal users. Frappe's desk
	list queries read their arguments from the request, the client's from the call."""

	def guarded(**kwargs: Any):
		require_parent_table(kwargs.get("doctype") or frappe.form_dict.get("doctype"))
		return frappe.call(original, **kwargs)

	guarded.__name__ = original.rsplit(".", 1)[-1]
	guarded.__qualname__ = guarded.__name__
	guarded.__doc__ = f"``{original}``, child tables refused to portal users."
	return frappe.whitelist()(guarded)


client_get_list = _parent_table_checked("frappe.client.get_list")
reportview_get = _parent_table_checked("frappe.desk.reportview.get")
reportview_get_list = _parent_table_checked("frappe.desk.reportview.get_list")
reportview_get_count = _parent_table_checked("frappe.desk.reportview.get_count")


@frappe.whitelist(methods=["POST"])
def toggle_like(doctype: str, name: str, add: str | bool = False):
	"""Frappe lets anyone like any document, which writes to it and adds a comment to its timeline."""
	if not frappe.has_permission(doctype, "read", doc=name):
		raise frappe.PermissionError(_("Not permitted"))
	from frappe.desk import like

	return like.toggle_like(doctype, name, add)


@frappe.whitelist(methods=["POST"])
def add_attachments(doctype: str, name: str, attachments: str | list):
	"""Frappe copies any File record onto any document with no check: a customer attached another
	customer's private file to their own message and could then download it. The caller must be able to
	change the document and read each file."""
	if not frappe.has_permission(doctype, "write", doc=name):
		raise frappe.PermissionError(_("Not permitted"))
	files = frappe.parse_json(attachments) if isinstance(attachments, str) else attachments
	if not isinstance(files, list):
		frappe.throw(_("Attachments must be a list of file names."))
	for file_name in files:
		if not isinstance(file_name, str) or not frappe.db.exists("File", file_name):
			raise frappe.PermissionError(_("Not permitted"))
		if not frappe.has_permission("File", "read", doc=file_name):
			raise frappe.PermissionError(_("Not permitted"))
	from frappe.utils import file_manager

	return file_manager.add_attachments(doctype, name, files)


def check_todo_reference(doc, method=None) -> None:
	"""ToDo validate: a to-do a user makes themselves (``frappe.client.insert``) may point only at a record
	they can read; Frappe then writes them into that record's assignees (a customer put themselves on
	another company's ticket). Server code that assigns (``ignore_permissions``) is not held to it."""
	if doc.flags.ignore_permissions or not (doc.reference_type and doc.reference_name):
		return
	if not doc.is_new() and not doc.has_value_changed("reference_name"):
		return
	if not frappe.db.exists(doc.reference_type, doc.reference_name) or not frappe.has_permission(
		doc.reference_type, "read", doc=doc.reference_name
	):
		raise frappe.PermissionError(_("You cannot add a to-do to a record you cannot read."))
