"""Internal notes: Frappe Comments (comment_type "Comment") on a Ticket, for staff only.

Frappe never emails a Comment and our portal page shows only Communications. The other ways a customer
who can read a ticket could reach its notes are closed here:

* ``/api/resource/Comment``, ``frappe.client.get_list("Comment")`` and reports: ``comment_query_conditions``
  and ``comment_has_permission`` hide Ticket notes from everyone who is not support staff.
* The form loader (``frappe.desk.form.load.getdoc`` / ``get_docinfo``) reads comments with ``get_all``,
  without permissions, and returns them in ``docinfo.comments``: ``getdoc`` and ``get_docinfo`` below wrap
  Frappe's and drop them (and other staff-only parts of the timeline, internal mail and automated
  messages: conversation/visibility.py) for non-staff readers of a Ticket.
* Frappe copies the first 100 characters of every note into the Ticket's ``_comments`` column, which any
  reader of the ticket can select through the REST API: ``forget_in_ticket`` takes internal notes (and
  internal Communications, see ``consult``) out of it again. The list view's comment counter therefore
  counts public messages only.
* Realtime: Frappe publishes each new note to the ticket's document room; ``can_subscribe_doc`` keeps
  non-staff out of a Ticket's room.
"""

import frappe
from frappe.desk.form.load import get_docinfo as frappe_get_docinfo
from frappe.desk.form.load import getdoc as frappe_getdoc
from frappe.realtime import can_subscribe_doc as frappe_can_subscribe_doc

from support_center.conversation.visibility import customer_visible_names, is_customer_visible
from support_center.permissions.files import customer_visible_attachments
from support_center.permissions.ticket import is_support_staff

NOTE = "Comment"
# What a customer's copy of a ticket's docinfo keeps: the public conversation and attachments.
HIDDEN_DOCINFO_KEYS = (
	"comments",
	# "Attachment" timeline entries name every file, internal ones too.
	"attachment_logs",
	"info_logs",
	"assignment_logs",
	"shared",
	"versions",
	"views",
	"assignments",
	"workflow_logs",
	"like_logs",
	"energy_point_logs",
	"milestones",
	"automated_messages",
)


def add_note(ticket: str | int, content: str, user: str | None = None):
	"""An internal note on the ticket, by ``user`` (default: the session user)."""
	comment = frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": NOTE,
			"reference_doctype": "Ticket",
			"reference_name": str(ticket),
			"content": content,
			"comment_email": user or frappe.session.user,
		}
	)
	comment.insert(ignore_permissions=True)
	return comment


def comment_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if is_support_staff(user):
		return ""
	return "not (`tabComment`.`reference_doctype` = 'Ticket' and `tabComment`.`comment_type` = 'Comment')"


def comment_has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	user = user or frappe.session.user
	if doc.reference_doctype == "Ticket" and doc.comment_type == NOTE and not is_support_staff(user):
		return False
	return None


def forget_in_ticket(doc, method=None) -> None:
	"""Comment / Communication on_update: keep internal content out of the Ticket's ``_comments``."""
	if doc.reference_doctype != "Ticket" or not doc.reference_name:
		return
	internal = doc.comment_type == NOTE if doc.doctype == "Comment" else not is_customer_visible(doc)
	if not internal:
		return
	raw = frappe.db.get_value("Ticket", doc.reference_name, "_comments")
	if not raw:
		return
	try:
		cached = frappe.parse_json(raw) or []
	except Exception:
		cached = []
	kept = [entry for entry in cached if entry.get("name") != doc.name]
	if len(kept) != len(cached):
		frappe.db.set_value(
			"Ticket",
			doc.reference_name,
			"_comments",
			frappe.as_json(kept) if kept else None,
			update_modified=False,
		)


def strip_docinfo(docinfo) -> None:
	if not docinfo or docinfo.get("doctype") != "Ticket" or is_support_staff():
		return
	for key in HIDDEN_DOCINFO_KEYS:
		if key in docinfo:
			docinfo[key] = []
	docinfo["attachments"] = customer_visible_attachments(docinfo.get("attachments") or [])
	# The conversation with the customer only (conversation/visibility.py): no consult, no mail with third
	# parties, no automated message.
	communications = docinfo.get("communications") or []
	visible = customer_visible_names([c.get("name") for c in communications])
	docinfo["communications"] = [c for c in communications if c.get("name") in visible]


@frappe.whitelist()
def getdoc(doctype: str, name: str) -> None:
	frappe_getdoc(doctype, name)
	strip_docinfo(frappe.response.get("docinfo"))
	if doctype == "Ticket" and not is_support_staff():
		for doc in frappe.response.get("docs") or []:
			if getattr(doc, "doctype", None) == "Ticket":
				doc._comments = None
		forget_unreadable_link_titles(frappe.response.get("_link_titles"))


def forget_unreadable_link_titles(link_titles: dict | None) -> None:
	"""Frappe sends the title of every linked record, whoever owns it: a ticket merged by an agent into
	another company's ticket would show its customer that ticket's subject."""
	for key in list(link_titles or {}):
		linked_doctype, _sep, linked_name = key.partition("::")
		if not frappe.has_permission(linked_doctype, "read", doc=linked_name):
			link_titles.pop(key)


@frappe.whitelist()
def get_docinfo(doc: str | dict | None = None, doctype: str | None = None, name: str | None = None) -> None:
	frappe_get_docinfo(doc, doctype, name)
	strip_docinfo(frappe.response.get("docinfo"))


@frappe.whitelist(allow_guest=True)
def can_subscribe_doc(doctype: str, docname: str) -> bool:
	if doctype == "Ticket" and not is_support_staff():
		raise frappe.PermissionError
	return frappe_can_subscribe_doc(doctype, docname)
