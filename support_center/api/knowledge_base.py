"""The knowledge base's whitelisted methods: portal search and suggestions, votes, deflection, the help
button, article images, and the agents' tools on the ticket form.

Guests may call the portal methods (rate limited per address); each checks what the caller may read
itself. The agents' methods require support staff and the ticket's permission.
"""

import mimetypes
import os

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import get_url

from support_center.knowledge_base import access, articles, deflection, rules, search, visitors, votes
from support_center.knowledge_base.tokens import html_to_text
from support_center.permissions.ticket import is_support_staff
from support_center.portal.languages import portal_language, text_direction, visitor_language

LOG_SOURCES = ("Portal", "Help Button")


def log_search(query: str, results: int, source: str) -> None:
	query = (query or "").strip()
	if not query or source not in ("Portal", "Suggestion", "Help Button", "Desk") or visitors.is_bot():
		# Crawlers following search links say nothing about what customers miss.
		return
	frappe.get_doc(
		{
			"doctype": "KB Search Log",
			"query": query[:140],
			"normalized_query": " ".join(query.casefold().split())[:140],
			"results": results,
			"language": visitor_language(),
			"source": source,
			"user": None if frappe.session.user == "Guest" else frappe.session.user,
		}
	).insert(ignore_permissions=True)
	# Searches arrive as GET requests, which Frappe does not commit by itself.
	frappe.local.flags.commit = True


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@rate_limit(limit=120, seconds=60)
def search_articles(q: str, language: str | None = None, limit: int = 10, source: str = "") -> list[dict]:
	"""Published articles the caller may read that match `q`, best first."""
	hits = search.search_articles(q or "", language, min(int(limit or 10), 20))
	if source in LOG_SOURCES:
		log_search(q, len(hits), source)
	return hits


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@rate_limit(limit=240, seconds=60)
def suggest(subject: str) -> list[dict]:
	"""Articles matching what a customer is typing as a new request's subject (the last word as a prefix)."""
	subject = (subject or "").strip()
	if len(subject) < 3:
		return []
	return search.search_articles(subject, None, 5, prefix_last=True)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=60, seconds=3600)
def record_deflection(article: str, outcome: str = "Opened", query: str | None = None) -> dict:
	"""A suggestion opened from /support/new ("Opened"), or "this solved it" ("Solved")."""
	return deflection.record(article, outcome, query)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=3600)
def vote(article: str, helpful: int, comment: str | None = None) -> dict:
	"""'Was this helpful?': one vote per visitor and article; voting again changes the vote."""
	return votes.cast_vote(article, bool(int(helpful)), comment)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=240, seconds=60)
def help_articles(page: str, q: str | None = None) -> dict:
	"""The help button's popup: articles tagged for this page (or matching `q`), in the visitor's language."""
	language = visitor_language()
	if q and q.strip():
		items = search.search_articles(q, language, 8)
		log_search(q, len(items), "Help Button")
	else:
		items = _tagged_for(page or "/", language)
	return {
		"language": language,
		"dir": text_direction(language),
		"articles": items,
		"labels": {
			"help": _("Help"),
			"close": _("Close"),
			"search": _("Search help articles"),
			"nothing": _("No articles found."),
			"still": _("Still need help?"),
			"contact": _("Contact support"),
			"back": _("Back"),
			"all": _("All help articles"),
		},
		"new_request": "/support/new",
	}


def _tagged_for(path: str, language: str, limit: int = 8) -> list[dict]:
	rows = frappe.get_all(
		"KB Article",
		filters={**articles.visible_article_filters(), "help_routes": ("is", "set")},
		fields=[
			"name",
			"title",
			"summary",
			"route",
			"language",
			"translation_of",
			"help_routes",
			"kb_category",
		],
		order_by="view_count desc",
		limit_page_length=500,
	)
	tagged = [
		row for row in rows if any(rules.route_matches(p, path) for p in rules.help_patterns(row.help_routes))
	]
	# Translations inherit their original's tags.
	originals = {row.translation_of or row.name for row in tagged}
	if originals:
		tagged += frappe.get_all(
			"KB Article",
			filters={**articles.visible_article_filters(), "translation_of": ("in", list(originals))},
			fields=["name", "title", "summary", "route", "language", "translation_of", "kb_category"],
		)
	chosen: dict[str, dict] = {}
	for row in tagged:
		original = row.translation_of or row.name
		current = chosen.get(original)
		if not current or (row.language == language and current.language != language):
			chosen[original] = row
	return [
		{
			"name": row.name,
			"title": row.title,
			"route": "/" + row.route,
			"excerpt": row.summary or "",
			"language": row.language,
		}
		for row in list(chosen.values())[:limit]
	]


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=240, seconds=60)
def article_body(article: str) -> dict:
	"""One article for the help popup (sanitised HTML), when the caller may read it."""
	doc = _readable_article(article)
	return {
		"name": doc.name,
		"title": doc.title,
		"html": articles.render_content(doc),
		"route": "/" + doc.route,
		"language": doc.language,
		"dir": text_direction(doc.language),
	}


def _readable_article(article: str):
	row = frappe.db.get_value("KB Article", article, ["name", "status", "visibility"], as_dict=True)
	if not row or not access.can_read_article(row):
		frappe.throw(_("This article is not available."), frappe.DoesNotExistError)
	return frappe.get_doc("KB Article", article)


@frappe.whitelist(allow_guest=True, methods=["GET"])
def article_file(article: str, file_url: str) -> None:
	"""An image of an article, for whoever may read the article: its private files never have a URL a
	guest could use, so a draft's or a staff article's images stay with the article."""
	doc = _readable_article(article)
	if not file_url.startswith("/private/files/") or ".." in file_url:
		frappe.throw(_("This file is not available."), frappe.DoesNotExistError)
	attached = frappe.db.exists(
		"File", {"file_url": file_url, "attached_to_doctype": "KB Article", "attached_to_name": doc.name}
	)
	if not attached and file_url not in (doc.content or ""):
		frappe.throw(_("This file is not available."), frappe.DoesNotExistError)
	path = os.path.abspath(frappe.get_site_path("private", "files", file_url[len("/private/files/") :]))
	if not path.startswith(os.path.abspath(frappe.get_site_path("private", "files")) + os.sep):
		frappe.throw(_("This file is not available."), frappe.DoesNotExistError)
	if not os.path.exists(path):
		frappe.throw(_("This file is not available."), frappe.DoesNotExistError)
	with open(path, "rb") as handle:
		frappe.local.response.filecontent = handle.read()
	frappe.local.response.filename = os.path.basename(path)
	frappe.local.response.type = "download"
	frappe.local.response.display_content_as = "inline"
	frappe.local.response.content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"


# Agents, on the ticket form
# --------------------------


def _staff_ticket(ticket: int, ptype: str = "read"):
	if not is_support_staff():
		frappe.throw(_("Only support staff can do this."), frappe.PermissionError)
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission(ptype)
	return doc


def _ticket_language(doc) -> str:
	from support_center.conversation.values import customer_language

	return portal_language(customer_language(doc))


@frappe.whitelist()
def agent_search(ticket: int, q: str = "") -> dict:
	"""Articles for an agent answering the ticket (staff-only articles included, marked), the customer's
	language preferred."""
	doc = _staff_ticket(ticket)
	language = _ticket_language(doc)
	hits = search.search_articles(q or doc.subject or "", language, 10) if (q or doc.subject) else []
	visibility = dict(
		frappe.get_all(
			"KB Article",
			filters={"name": ("in", [h["name"] for h in hits] or [""])},
			fields=["name", "visibility"],
			as_list=True,
		)
	)
	for hit in hits:
		hit["visibility"] = visibility.get(hit["name"])
	return {"language": language, "articles": hits}


@frappe.whitelist()
def article_link(ticket: int, article: str) -> dict:
	"""The article's link for a reply, in the customer's language when a published translation exists."""
	doc = _staff_ticket(ticket)
	language = _ticket_language(doc)
	row = frappe.db.get_value(
		"KB Article", article, ["name", "translation_of", "status", "visibility"], as_dict=True
	)
	if not row or row.status != "Published":
		frappe.throw(_("Only published articles can be sent to a customer."))
	if row.visibility == "Staff":
		frappe.throw(_("This article is for staff only; customers cannot open it."))
	original = row.translation_of or row.name
	chosen = frappe.db.get_value(
		"KB Article",
		{"status": "Published", "language": language, "translation_of": original},
		["name", "title", "route", "language"],
		as_dict=True,
	) or frappe.db.get_value(
		"KB Article",
		{"status": "Published", "name": original, "language": language},
		["name", "title", "route", "language"],
		as_dict=True,
	)
	if not chosen:
		chosen = frappe.db.get_value(
			"KB Article", article, ["name", "title", "route", "language"], as_dict=True
		)
	url = get_url("/" + chosen.route)
	return {
		"name": chosen.name,
		"title": chosen.title,
		"url": url,
		"language": chosen.language,
		"html": f'<a href="{frappe.utils.escape_html(url)}">{frappe.utils.escape_html(chosen.title)}</a>',
	}


@frappe.whitelist(methods=["POST"])
def mark_answered(ticket: int, article: str | None = None) -> str | None:
	"""The ticket was answered by this article (empty `article` clears it)."""
	doc = _staff_ticket(ticket, "write")
	if article and not frappe.db.exists("KB Article", article):
		frappe.throw(_("Article {0} does not exist.").format(article), frappe.DoesNotExistError)
	doc.answered_by_article = article or None
	doc.save()
	return doc.answered_by_article


@frappe.whitelist(methods=["POST"])
def draft_from_ticket(ticket: int, title: str | None = None, category: str | None = None) -> str:
	"""A draft article from the ticket's question and the agent's last public reply, linked to the
	ticket; the agent edits and publishes it."""
	doc = _staff_ticket(ticket, "write")
	if not frappe.has_permission("KB Article", "create"):
		frappe.throw(_("You cannot create knowledge base articles."), frappe.PermissionError)
	category = category or _category_for(doc)
	if not category:
		frappe.throw(_("Create a knowledge base category first."))
	answer = frappe.get_all(
		"Communication",
		filters={
			"reference_doctype": "Ticket",
			"reference_name": doc.name,
			"sent_or_received": "Sent",
			"communication_type": "Communication",
		},
		fields=["content"],
		order_by="creation desc",
		limit_page_length=1,
	)
	question = html_to_text(doc.description)[:2000]
	content = (
		f"<h3>{frappe.utils.escape_html(_('Question'))}</h3><p>{frappe.utils.escape_html(question)}</p>"
		f"<h3>{frappe.utils.escape_html(_('Answer'))}</h3>"
		+ (frappe.utils.html_utils.sanitize_html(answer[0].content) if answer else "<p></p>")
	)
	article = frappe.get_doc(
		{
			"doctype": "KB Article",
			"title": (title or doc.subject or _("Untitled"))[:140],
			"kb_category": category,
			"language": _ticket_language(doc),
			"status": "Draft",
			"visibility": "Customers",
			"article_owner": frappe.session.user,
			"content": content,
			"source_ticket": doc.name,
		}
	).insert()
	doc.add_comment(
		"Info", _("Draft knowledge base article {0} created from this ticket.").format(article.name)
	)
	return article.name


def _category_for(ticket) -> str | None:
	"""The KB category titled like the ticket's support category, else the first one."""
	if ticket.category:
		title = frappe.db.get_value("Support Category", ticket.category, "title") or ticket.category
		match = frappe.db.get_value("KB Category", {"title": title}, "name")
		if match:
			return match
	return frappe.db.get_value("KB Category", {}, "name", order_by="lft asc")
