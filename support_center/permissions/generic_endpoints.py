"""Frappe's generic whitelisted methods that skip the permission hooks our doctypes rely on.

Every logged-in customer can call these with their session cookie. Each wrapper below decides access in
the same place the rest of the app does (the doctype's permission hooks, through ``frappe.has_permission``
and ``frappe.get_list``) and then hands over to Frappe's own function, so Frappe's behaviour is kept for
everyone who may use it. They are wired in ``hooks.override_whitelisted_methods``; the permission matrix
test (``support_center/tests/test_permission_matrix.py``) calls each over HTTP as two customers.
"""

from typing import Any

import frappe
from frappe import _
from frappe.desk import listview as frappe_listview
from frappe.desk import search as frappe_search
from frappe.desk.form import assign_to as frappe_assign_to
from frappe.desk.form import utils as frappe_form_utils
from frappe.templates.includes.comments import comments as frappe_website_comments

from support_center.permissions.ticket import is_support_staff

# Documents of these doctypes are this app's; website comments never belong on them.
APP_DOCTYPES_WITHOUT_WEBSITE_COMMENTS = frozenset(
	{"Ticket", "Intake Message", "Canned Reply", "SLA Policy", "Support Category"}
)


def _deny(message: str | None = None):
	raise frappe.PermissionError(message or _("Not permitted"))


def _require_doctype_read(doctype: str) -> None:
	if not isinstance(doctype, str) or not frappe.db.exists("DocType", doctype):
		_deny()
	if not frappe.has_permission(doctype, "read"):
		_deny(_("No permission to read {0}").format(_(doctype)))


def _require_doc_permission(doctype: str, name: str, ptype: str) -> None:
	if not frappe.has_permission(doctype, ptype, doc=name):
		_deny(_("No permission to {0} {1} {2}").format(_(ptype), _(doctype), name))


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""Frappe counts assignments over ``qb.get_query`` without permission conditions: with filters of the
	caller's choosing the counts answer questions about records the caller cannot read. The counts are
	taken here over the names ``get_list`` lets the caller see."""
	_require_doctype_read(doctype)
	if field != "assigned_to":
		return frappe_listview.get_group_by_count(doctype, current_filters, field)
	names = frappe.get_list(
		doctype, filters=frappe.parse_json(current_filters), pluck="name", limit_page_length=0
	)
	if not names:
		return []
	todo = frappe.qb.DocType("ToDo")
	user = frappe.qb.DocType("User")
	count = frappe.query_builder.functions.Count("*").as_("count")
	return (
		frappe.qb.from_(todo)
		.join(user)
		.on(todo.allocated_to == user.name)
		.select(todo.allocated_to.as_("name"), count)
		.where(
			(todo.status != "Cancelled")
			& (user.user_type == "System User")
			& (todo.reference_type == doctype)
			& (todo.reference_name.isin(names))
		)
		.groupby(todo.allocated_to)
		.orderby(count, order=frappe.qb.desc)
		.limit(50)
		.run(as_dict=True)
	)


@frappe.whitelist()
def get_count(
	doctype: str, filters: str | list | dict | None = None, debug: bool = False, cache: bool = False
) -> int:
	"""Frappe's ``frappe.client.get_count`` counts with ``frappe.db.count``: no permission at all, so a
	customer counts other customers' tickets by any filter. The count here is over what they may read."""
	_require_doctype_read(doctype)
	rows = frappe.get_list(
		doctype, filters=frappe.utils.get_safe_filters(filters), fields=["count(*) as count"], as_list=True
	)
	return rows[0][0] if rows else 0


@frappe.whitelist()
def get_link_title(doctype: str, docname: str) -> str | None:
	"""Frappe returns the title of any record of any doctype, without a permission check."""
	if not frappe.has_permission(doctype, "read", doc=docname) and not frappe.has_permission(
		doctype, "select", doc=docname
	):
		_deny()
	return frappe_search.get_link_title(doctype, docname)


@frappe.whitelist(methods=["POST", "PUT"])
def add_form_comment(
	reference_doctype: str, reference_name: str, content: str, comment_email: str, comment_by: str
):
	"""The desk's comment box: Frappe lets any reader add a comment under any name. On a ticket a comment
	is an internal note, which only staff write; everywhere, a comment is signed by whoever posts it."""
	if reference_doctype == "Ticket" and not is_support_staff():
		_deny(_("Only support staff can add internal notes to a ticket."))
	comment_email, comment_by = _signature()
	return frappe_form_utils.add_comment(
		reference_doctype, reference_name, content, comment_email, comment_by
	)


@frappe.whitelist(allow_guest=True)
def add_website_comment(
	comment: str,
	comment_email: str,
	comment_by: str,
	reference_doctype: str,
	reference_name: str,
	route: str | None = None,
):
	"""Website comments (blog posts, web pages): Frappe inserts them on any document for any logged-in
	user, under any name. They go only on documents the poster may read, never on this app's records, and
	a logged-in poster signs with their own name."""
	if reference_doctype in APP_DOCTYPES_WITHOUT_WEBSITE_COMMENTS:
		_deny()
	if frappe.session.user != "Guest":
		# A published blog post or web page is public: its readers may comment (issue 14).
		published_page = reference_doctype in ("Blog Post", "Web Page") and frappe.db.get_value(
			reference_doctype, reference_name, "published"
		)
		if (
			not published_page
			and not frappe.has_permission(reference_doctype, "read", doc=reference_name)
			and not frappe.has_website_permission(frappe.get_doc(reference_doctype, reference_name))
		):
			_deny()
		comment_email, comment_by = _signature()
	return frappe_website_comments.add_comment(
		comment, comment_email, comment_by, reference_doctype, reference_name, route
	)


def _signature() -> tuple[str, str]:
	user = frappe.session.user
	return (
		frappe.db.get_value("User", user, "email") or user,
		frappe.utils.get_fullname(user),
	)


# Assignments change who works a document: Frappe asks only for read access. Here they need write access,
# which customers never have on a ticket.
# Both replace Frappe's endpoints (override_whitelisted_methods in hooks.py), so they keep Frappe's signature:
# the desk posts one `args` JSON to frappe.desk.form.assign_to.add / add_multiple.


@frappe.whitelist()  # nosemgrep: overusing-args
def assign(args: str | dict | None = None):
	args = frappe.parse_json(args) if args else frappe._dict(frappe.local.form_dict)
	_require_doc_permission(args.get("doctype"), args.get("name"), "write")
	return frappe_assign_to.add(args)


@frappe.whitelist()  # nosemgrep: overusing-args
def assign_multiple(args: str | dict | None = None):
	args = frappe.parse_json(args) if args else frappe._dict(frappe.local.form_dict)
	for name in frappe.parse_json(args.get("name")) or []:
		_require_doc_permission(args.get("doctype"), name, "write")
	return frappe_assign_to.add_multiple(args)


@frappe.whitelist()
def unassign(doctype: str, name: str, assign_to: str):
	_require_doc_permission(doctype, name, "write")
	return frappe_assign_to.remove(doctype, name, assign_to)


@frappe.whitelist()
def unassign_multiple(doctype: str, names: str):
	for name in frappe.parse_json(names) or []:
		_require_doc_permission(doctype, name, "write")
	return frappe_assign_to.remove_multiple(doctype, names)


@frappe.whitelist()
def close_assignment(doctype: str, name: str, assign_to: str):
	_require_doc_permission(doctype, name, "write")
	return frappe_assign_to.close(doctype, name, assign_to)


# Moving a message between documents
# ----------------------------------


def _require_message_move(communication: str) -> frappe._dict:
	"""The caller may read the message and change the document it is on now (taking it away changes it)."""
	current = (
		frappe.db.get_value(
			"Communication", communication, ["reference_doctype", "reference_name"], as_dict=True
		)
		if isinstance(communication, str)
		else None
	)
	if not current or not frappe.has_permission("Communication", "read", doc=communication):
		_deny()
	if current.reference_doctype and current.reference_name:
		_require_doc_permission(current.reference_doctype, current.reference_name, "write")
	return current


def _recount_tickets(*references: tuple[str | None, str | None]) -> None:
	from support_center.kpi import replies

	replies.recount([name for doctype, name in references if doctype == "Ticket"])


@frappe.whitelist()
def relink_communication(name: str, reference_doctype: str | None = None, reference_name: str | None = None):
	"""Frappe's inbox "Relink" (``frappe.email.relink``) moves any message onto any document with no check:
	a customer could move another company's message onto their own ticket and read it there, or take
	messages off a ticket. The caller must be able to read the message and change both documents; the
	tickets' public-reply counts follow the move (Frappe's UPDATE skips the document hooks)."""
	from frappe import email as frappe_email

	current = _require_message_move(name)
	if reference_doctype or reference_name:
		if not (
			isinstance(reference_doctype, str)
			and isinstance(reference_name, str)
			and frappe.db.exists("DocType", reference_doctype)
			and frappe.db.exists(reference_doctype, reference_name)
		):
			frappe.throw(_("Choose an existing document to link the message to."))
		_require_doc_permission(reference_doctype, reference_name, "write")
	frappe_email.relink(name, reference_doctype, reference_name)
	_recount_tickets((current.reference_doctype, current.reference_name), (reference_doctype, reference_name))


def _make_from_message(original: str, doctype: str, communication: str, ignore_links: Any, **kwargs) -> str:
	"""ERPNext's "make an Issue / Lead / Opportunity from this mail" read any message without a check and
	move it onto the new document: a customer could take another company's message off its ticket (and
	read it on the new Lead). Desk users only; they must be able to read the message, create the document
	and, when the message moves, change the document it leaves."""
	from support_center.permissions.desk_methods import require_desk_user

	require_desk_user()
	if frappe.utils.cint(ignore_links):
		# The message stays where it is; the new document only copies its subject and sender.
		if not frappe.db.exists("Communication", communication) or not frappe.has_permission(
			"Communication", "read", doc=communication
		):
			_deny()
		current = frappe._dict(reference_doctype=None, reference_name=None)
	else:
		current = _require_message_move(communication)
	if not frappe.has_permission(doctype, "create"):
		_deny(_("No permission to create {0}").format(_(doctype)))
	made = frappe.call(
		original, communication=communication, ignore_communication_links=ignore_links, **kwargs
	)
	_recount_tickets((current.reference_doctype, current.reference_name))
	return made


@frappe.whitelist()
def make_issue_from_communication(communication: str, ignore_communication_links: bool = False) -> str:
	return _make_from_message(
		"erpnext.support.doctype.issue.issue.make_issue_from_communication",
		"Issue",
		communication,
		ignore_communication_links,
	)


@frappe.whitelist()
def make_lead_from_communication(communication: str, ignore_communication_links: bool = False) -> str:
	return _make_from_message(
		"erpnext.crm.doctype.lead.lead.make_lead_from_communication",
		"Lead",
		communication,
		ignore_communication_links,
	)


@frappe.whitelist()
def make_opportunity_from_communication(
	communication: str, company: str, ignore_communication_links: bool = False
) -> str:
	return _make_from_message(
		"erpnext.crm.doctype.opportunity.opportunity.make_opportunity_from_communication",
		"Opportunity",
		communication,
		ignore_communication_links,
		company=company,
	)
