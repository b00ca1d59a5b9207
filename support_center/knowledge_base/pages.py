"""The context of the portal pages /kb, /kb/<category> and /kb/<category>/<article>[/<language>]
(www/kb/). Frappe gives custom www pages no permission check: every page here asks access.py."""

import frappe
from frappe import _
from frappe.utils import get_url

from support_center.knowledge_base import access, articles, ranking, views
from support_center.knowledge_base.tokens import html_to_text
from support_center.portal.languages import PORTAL_LANGUAGES, text_direction, visitor_language

CSS = "/assets/support_center/css/kb.css"
JS = "/assets/support_center/js/kb.js"
LANGUAGE_NAMES = {
	"en": "English",
	"ru": "Русский",
	"ja": "日本語",
	"de": "Deutsch",
	"fr": "Français",
	"es": "Español",
	"pt": "Português",
	"it": "Italiano",
	"tr": "Türkçe",
	"pl": "Polski",
	"uk": "Українська",
	"zh": "中文",
	"ko": "한국어",
	"ar": "العربية",
}


def _base(context, title: str) -> str:
	language = visitor_language()
	context.no_cache = 1
	context.kb_language = language
	context.kb_dir = text_direction(language)
	context.kb_css = CSS
	context.kb_js = JS
	context.title = title
	context.no_breadcrumbs = True
	context.show_sidebar = False
	context.language_names = LANGUAGE_NAMES
	return language


def _not_found():
	raise frappe.DoesNotExistError(_("This page does not exist or you cannot see it."))


def index_context(context) -> None:
	language = _base(context, _("Help Center"))
	query = (frappe.form_dict.get("q") or "").strip()[:140]
	context.query = query
	categories = articles.category_texts(language)
	listed = articles.articles_in(None, language, limit=1000)
	counts: dict[str, int] = {}
	for row in listed:
		counts[row.kb_category] = counts.get(row.kb_category, 0) + 1
	context.categories = [
		frappe._dict(category, count=counts[name])
		for name, category in categories.items()
		if counts.get(name)
	]
	context.results = None
	if query:
		from support_center.api.knowledge_base import log_search
		from support_center.knowledge_base.search import search_articles

		context.results = search_articles(query, language, 20)
		log_search(query, len(context.results), "Portal")
		context.title = _("Search: {0}").format(query)
	context.popular = sorted(listed, key=lambda row: -(row.view_count or 0))[:6]
	context.category_titles = {name: c.title for name, c in categories.items()}
	context.category_slugs = {name: c.slug for name, c in categories.items()}
	context.metatags = {
		"description": _("Answers to common questions: search our help articles or browse by topic."),
	}


def category_context(context) -> None:
	language = _base(context, _("Help Center"))
	slug = (frappe.form_dict.get("category") or "").strip()
	categories = articles.category_texts(language)
	category = next((c for c in categories.values() if c.slug == slug), None)
	if not category:
		_not_found()
	listed = articles.articles_in(category.name, language)
	children = [c for c in categories.values() if c.parent_kb_category == category.name]
	child_counts = {c.name: len(articles.articles_in(c.name, language, limit=50)) for c in children}
	children = [frappe._dict(c, count=child_counts[c.name]) for c in children if child_counts[c.name]]
	if not listed and not children:
		# A category with nothing the visitor may read is not shown at all (its name may be internal).
		_not_found()
	context.category = category
	context.articles = listed
	context.children = children
	context.title = category.title
	context.metatags = {"description": category.description or category.title}


def article_context(context) -> None:
	language = _base(context, _("Help Center"))
	requested = (frappe.form_dict.get("language") or "").strip().lower() or None
	if requested and requested not in PORTAL_LANGUAGES:
		_not_found()
	found = articles.find_article(
		frappe.form_dict.get("category") or "", frappe.form_dict.get("article") or "", requested
	)
	if not found:
		_not_found()
	members = found.members
	original = next((m for m in members if not m.translation_of), None)
	if requested:
		chosen = next((m for m in members if m.language == requested), None)
		if not chosen or not chosen.translation_of:
			# The original's own URL has no language part: /kb/<category>/<article>/<its language> is not one.
			_not_found()
	else:
		chosen = next((m for m in members if m.language == language), None) or original or members[0]
	doc = frappe.get_doc("KB Article", chosen.name)
	context.doc = doc
	context.article_html = articles.render_content(doc)
	context.article_dir = text_direction(doc.language)
	context.fallback = doc.language != language and not requested
	context.fallback_language = LANGUAGE_NAMES.get(language, language)
	group = doc.translation_of or doc.name
	versions = articles.translations_of(group)
	context.versions = versions
	context.alternates = [
		{"hreflang": v.language, "href": get_url("/" + v.route)} for v in versions if v.status == "Published"
	]
	base_route = next((v.route for v in versions if not v.translation_of), doc.route)
	context.alternates.append({"hreflang": "x-default", "href": get_url("/" + base_route)})
	context.kb_canonical = get_url("/" + doc.route)
	categories = articles.category_texts(language)
	context.category = categories.get(doc.kb_category)
	context.related = articles.related_articles(doc, language)
	context.title = doc.title
	description = doc.summary or ranking.excerpt(html_to_text(doc.content), "", 160)
	context.metatags = {"description": description, "title": doc.title}
	context.is_staff = access.is_staff()
	context.is_draft = doc.status != "Published"
	if doc.status == "Published":
		views.count_view(doc.name)
