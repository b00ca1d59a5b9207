"""The desk's side of website comments: an agent makes a ticket of a comment under a blog post or web page
(support_center/channels/website_comments.py)."""

import frappe
from frappe import _

from support_center.channels import website_comments
from support_center.permissions.ticket import STAFF_ROLES


def _ensure_staff() -> None:
	if frappe.session.user == "Guest" or STAFF_ROLES.isdisjoint(frappe.get_roles()):
		frappe.throw(_("Only support staff may do this."), frappe.PermissionError)


def _ensure_page_visible(doctype: str, name: str) -> None:
	"""A published page is public; an unpublished one needs read access (agents rarely have it)."""
	if frappe.db.get_value(doctype, name, "published"):
		return
	frappe.has_permission(doctype, "read", doc=name, throw=True)


@frappe.whitelist(methods=["GET", "POST"])
def page_comments(reference_doctype: str, reference_name: str) -> list[dict]:
	"""The page's website comments, each with the ticket it became (if any)."""
	_ensure_staff()
	if reference_doctype not in website_comments.WEBSITE_DOCTYPES:
		frappe.throw(_("Only comments under blog posts and web pages become tickets."))
	_ensure_page_visible(reference_doctype, reference_name)
	return comments_with_tickets(reference_doctype=reference_doctype, reference_name=reference_name)


def comments_with_tickets(
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	since: str | None = None,
	only_without_ticket: bool = False,
	limit: int = 200,
) -> list[dict]:
	"""Website comments (newest first; the site's own answers left out), each with its ticket if any."""
	_ensure_staff()
	filters = {
		"reference_doctype": ("in", website_comments.WEBSITE_DOCTYPES),
		"comment_type": "Comment",
		"comment_by": ("not in", _answer_signatures()),
	}
	if reference_doctype:
		filters |= {"reference_doctype": reference_doctype, "reference_name": reference_name}
	if since:
		filters["creation"] = (">=", since)
	comments = frappe.get_all(
		"Comment",
		filters=filters,
		fields=[
			"name",
			"reference_doctype",
			"reference_name",
			"comment_by",
			"comment_email",
			"content",
			"creation",
		],
		order_by="creation desc",
		limit=limit,
	)
	channel = website_comments.comments_channel()
	ids = {f"{channel.name}:comment:{c.name}": c.name for c in comments} if channel else {}
	by_comment = {
		ids[message_id]: ticket
		for message_id, ticket in frappe.get_all(
			"Intake Message",
			filters={"channel": website_comments.TICKET_CHANNEL, "message_id": ("in", list(ids) or [""])},
			fields=["message_id", "ticket"],
			as_list=True,
		)
	}
	pages = {}
	rows = []
	for comment in comments:
		key = (comment.reference_doctype, comment.reference_name)
		if key not in pages:
			pages[key] = frappe.db.get_value(
				comment.reference_doctype, comment.reference_name, ["title", "route"]
			)
		title, route = pages[key] or (comment.reference_name, None)
		comment.page = title or comment.reference_name
		comment.route = route
		comment.content = frappe.utils.strip_html_tags(comment.content or "")[:500]
		comment.ticket = frappe.utils.cint(by_comment.get(comment.name)) or None
		if not (only_without_ticket and comment.ticket):
			rows.append(comment)
	return rows


def _answer_signatures() -> list[str]:
	names = frappe.get_all(
		"Support Channel", filters={"channel_type": website_comments.CHANNEL_TYPE}, pluck="public_name"
	)
	# Never an empty or NULL list: SQL's "not in (NULL)" matches nothing.
	return [name for name in names if name] or [""]


@frappe.whitelist(methods=["POST"])
def make_ticket(comment: str) -> dict:
	"""An agent's click: the comment becomes a ticket (or joins the visitor's open one); twice is once."""
	_ensure_staff()
	frappe.has_permission("Ticket", "create", throw=True)
	doc = frappe.get_doc("Comment", comment)
	if not website_comments.is_website_comment(doc) or doc.flags.get("from_support_center"):
		frappe.throw(_("Only comments under blog posts and web pages become tickets."))
	_ensure_page_visible(doc.reference_doctype, doc.reference_name)
	result = website_comments.take_in(doc)
	return {"ticket": result.ticket, "created": result.created, "duplicate": result.duplicate}
