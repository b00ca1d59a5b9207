"""The portal pages' contexts (support_center/www/support/*.py delegate here).

Frappe gives custom www/ pages no permission check: each context below decides who may see what through
the same functions as the Ticket permission hooks, and every page is ``no_cache`` (user-specific).
"""

import frappe
from frappe import _
from frappe.sessions import get_csrf_token
from frappe.utils import cint, cstr, strip_html_tags

from support_center.conversation.visibility import customer_filters
from support_center.permissions.files import customer_visible_attachments
from support_center.permissions.ticket import is_support_staff
from support_center.portal import common, rules
from support_center.portal.actions import expected_reply, may_reopen
from support_center.portal.ticket_list import list_tickets

KB_SUGGEST_JS = "js/kb_suggest.js"
CHAT_LOADER_JS = "js/chat_loader.js"


def _require_login(message: str) -> None:
	if frappe.session.user == "Guest":
		frappe.throw(message, frappe.PermissionError)


def topics() -> list[dict]:
	"""The published category tree, depth-first, titles in the visitor's language."""
	rows = frappe.get_all(
		"Support Category",
		filters={"published": 1},
		fields=["name", "title", "description", "parent_support_category", "lft", "rgt"],
		order_by="lft asc",
	)
	# The tree's root ("All Topics") is a container, not a topic.
	rows = [row for row in rows if row.parent_support_category]
	published = {row.name for row in rows}
	depth: dict[str, int] = {}
	for row in rows:
		parent = row.parent_support_category
		row.depth = depth.get(parent, -1) + 1 if parent in published else 0
		depth[row.name] = row.depth
		row.label = _(row.title)
		row.summary = _(row.description) if row.description else ""
	return rows


def knowledge_base_articles(query: str, language: str, limit: int = 5) -> list[dict] | None:
	"""Articles from the knowledge base when it is installed (support_center.knowledge_base), else None:
	those matching the query, or the most read ones the visitor may read when there is no query."""
	try:
		from support_center.knowledge_base.search import search_articles
	except ImportError:
		return None
	if query:
		return search_articles(query, language=language, limit=limit)
	try:
		from support_center.knowledge_base.articles import articles_in
	except ImportError:
		return []
	return [
		{
			"name": row.name,
			"title": row.title,
			"route": "/" + (row.route or "").lstrip("/"),
			"excerpt": row.summary or "",
			"language": row.language,
		}
		for row in articles_in(None, language, limit=limit)
	]


# -- /support --------------------------------------------------------------------------------------


def home_context(context) -> None:
	common.page_context(context, _("Support"))
	context.no_breadcrumbs = True
	context.show_sidebar = False
	context.query = cstr(frappe.form_dict.get("q"))[: rules.MAX_SEARCH_LENGTH]
	context.articles = knowledge_base_articles(context.query, context.portal_language)
	context.topics = topics()
	context.guests_may_file = common.guests_may_file()
	context.open_tickets = []
	context.open_total = 0
	if not context.is_guest:
		page = list_tickets(frappe.session.user, "open", page_size=5, language=context.portal_language)
		context.open_tickets, context.open_total = page.rows, page.total
	context.chat_loader = common.app_asset_exists(CHAT_LOADER_JS)


# -- /support/new ----------------------------------------------------------------------------------


def new_request_context(context) -> None:
	common.page_context(context, _("New request"))
	context.show_sidebar = False
	context.parents = [{"route": "support", "title": _("Support")}]
	context.guests_may_file = common.guests_may_file()
	context.may_file = not context.is_guest or context.guests_may_file
	context.is_staff = not context.is_guest and is_support_staff()
	context.topics = topics()
	chosen = cstr(frappe.form_dict.get("topic"))
	context.chosen_topic = chosen if any(t.name == chosen for t in context.topics) else ""
	context.max_attachment_mb = common.max_attachment_mb()
	context.max_attachments = common.max_attachments()
	context.csrf_token = "" if context.is_guest else get_csrf_token()
	context.kb_suggest = common.app_asset_exists(KB_SUGGEST_JS)


# -- /support/tickets ------------------------------------------------------------------------------


def ticket_list_context(context) -> None:
	_require_login(_("Log in to see your support tickets."))
	common.page_context(context, _("Support Tickets"))
	context.show_sidebar = True
	context.no_breadcrumbs = True
	context.status = rules.status_filter(frappe.form_dict.get("status"))
	context.search = cstr(frappe.form_dict.get("q"))[: rules.MAX_SEARCH_LENGTH]
	page = list_tickets(
		frappe.session.user,
		context.status,
		context.search,
		cstr(frappe.form_dict.get("after")),
		language=context.portal_language,
	)
	context.tickets, context.next_cursor, context.total = page.rows, page.next_cursor, page.total
	context.status_choices = [
		("open", _("Open")),
		("waiting", _("Waiting for you")),
		("resolved", _("Resolved and closed")),
		("all", _("All")),
	]


# -- /support/tickets/<n> --------------------------------------------------------------------------


def as_text(html: str | None) -> str:
	# Mail and editor HTML is shown as text: what a customer or an email wrote never runs in the page.
	text = (
		cstr(html).replace("</p>", "\n").replace("<br>", "\n").replace("<br/>", "\n").replace("</li>", "\n")
	)
	return strip_html_tags(text).strip()


def _message_files(names: list[str]) -> dict[str, list[dict]]:
	if not names:
		return {}
	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Communication", "attached_to_name": ("in", names)},
		fields=["attached_to_name", "file_name", "file_url", "file_size"],
		order_by="creation asc",
	)
	grouped: dict[str, list[dict]] = {}
	for row in files:
		grouped.setdefault(row.attached_to_name, []).append(row)
	return grouped


def ticket_context(context) -> None:
	_require_login(_("Log in to see your support tickets."))
	name = cstr(frappe.form_dict.name)
	if not name.isdigit() or not frappe.db.exists("Ticket", int(name)):
		raise frappe.DoesNotExistError(_("Ticket {0} not found").format(name))
	ticket = frappe.get_doc("Ticket", int(name))
	if not common.may_view(ticket):
		raise frappe.PermissionError(_("You are not permitted to see this ticket."))

	common.page_context(context, _("Ticket {0}").format(ticket.name))
	context.ticket = ticket
	context.ticket_description = as_text(ticket.description)
	messages = frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Ticket", "reference_name": ticket.name, **customer_filters()},
		fields=["name", "sender", "sender_full_name", "sent_or_received", "content", "communication_date"],
		order_by="communication_date asc",
	)
	files = _message_files([m.name for m in messages])
	context.messages = [
		frappe._dict(message, text=as_text(message.content), files=files.get(message.name, []))
		for message in messages
	]
	in_messages = {f.file_url for rows in files.values() for f in rows}
	ticket_files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Ticket", "attached_to_name": str(ticket.name)},
		fields=["file_name", "file_url", "file_size"],
		order_by="creation asc",
	)
	context.ticket_files = [
		f for f in customer_visible_attachments(ticket_files) if f.get("file_url") not in in_messages
	]
	customer_side = common.is_customer_side(ticket)
	done = ticket.status in rules.DONE_STATUSES
	context.customer_side = customer_side
	context.expected_reply = expected_reply(ticket, context.portal_language)
	context.can_reply = customer_side and ticket.status != "Closed"
	context.can_close = customer_side and ticket.status != "Closed"
	context.can_reopen = customer_side and done and may_reopen(ticket)
	context.can_rate = customer_side and done and not ticket.get("feedback_submitted_on")
	context.can_answer_loyalty = customer_side and done and not ticket.get("loyalty_answered_on")
	context.stars = (
		rules.fraction_to_stars(ticket.feedback_rating) if ticket.get("feedback_submitted_on") else 0
	)
	context.just_filed = cint(frappe.form_dict.get("filed")) == 1
	context.csrf_token = get_csrf_token()
	context.max_attachment_mb = common.max_attachment_mb()
	context.max_attachments = common.max_attachments()
	context.show_sidebar = True
	context.parents = [{"route": "support/tickets", "title": _("Support Tickets")}]


# -- /support/feedback (signed links from the resolution mail) -------------------------------------


def feedback_context(context) -> None:
	from support_center.portal.feedback import ticket_for_link

	common.page_context(context, _("Your feedback"))
	context.show_sidebar = False
	context.no_breadcrumbs = True
	kind = cstr(frappe.form_dict.get("kind"))
	signature = cstr(frappe.form_dict.get("sig"))
	try:
		ticket = ticket_for_link(frappe.form_dict.get("ticket"), kind, signature)
	except frappe.PermissionError:
		context.invalid = True
		return
	context.invalid = False
	context.kind = kind
	context.ticket_number = cint(ticket.name)
	context.ticket_subject = ticket.subject or ""
	context.signature = signature
	score = cint(frappe.form_dict.get("score")) if cstr(frappe.form_dict.get("score")).isdigit() else None
	if kind == rules.RATING:
		context.answered = bool(ticket.get("feedback_submitted_on"))
		context.score = score if score and rules.RATING_MIN <= score <= rules.RATING_MAX else None
	else:
		context.answered = bool(ticket.get("loyalty_answered_on"))
		context.score = (
			score if score is not None and rules.LOYALTY_MIN <= score <= rules.LOYALTY_MAX else None
		)
	context.done = ticket.status in rules.DONE_STATUSES


# -- /support/confirm (a guest's confirmation link) ------------------------------------------------


def confirm_context(context) -> None:
	from support_center.portal.guest import pending_request

	common.page_context(context, _("Confirm your request"))
	context.show_sidebar = False
	context.no_breadcrumbs = True
	context.request_name = cstr(frappe.form_dict.get("request"))
	context.signature = cstr(frappe.form_dict.get("sig"))
	try:
		request = pending_request(context.request_name, context.signature)
	except frappe.PermissionError as error:
		context.invalid = str(error)
		return
	context.invalid = ""
	context.request_subject = request.subject
	context.confirmed_ticket = request.ticket if request.status == "Confirmed" else None
