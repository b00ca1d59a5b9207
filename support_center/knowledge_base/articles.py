"""Articles and categories: lifecycle (publishing, review dates), routes, translations, what a page shows.

The rules themselves are in rules.py (pure); this module applies them to documents and queries.
"""

import re

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, nowdate
from frappe.utils.html_utils import sanitize_html
from frappe.website.utils import cleanup_page_name

from support_center.knowledge_base import access, rules, search, tokens
from support_center.portal.languages import PORTAL_LANGUAGES, portal_language

FULLTEXT_INDEX = "kb_search_text"


# Lifecycle
# ---------


def validate_article(doc) -> None:
	if doc.status not in rules.STATUSES:
		frappe.throw(_("Unknown status {0}.").format(doc.status))
	doc.language = portal_language(doc.language) if doc.language else "en"
	if not doc.article_owner:
		doc.article_owner = frappe.session.user if frappe.session.user != "Guest" else doc.owner
	original = _validate_translation(doc)
	if original:
		# A translation lives where its original lives.
		doc.kb_category = original.kb_category
		doc.slug = original.slug
	elif not doc.slug:
		doc.slug = cleanup_page_name(doc.title)[:100] or frappe.generate_hash(length=8)
	else:
		doc.slug = cleanup_page_name(doc.slug)[:100]
	doc.route = _unique_route(doc, original)
	previous = doc.get_doc_before_save()
	became_published = doc.status == "Published" and (not previous or previous.status != "Published")
	if became_published:
		doc.published_on = now_datetime()
		confirm_review(doc)
	doc.review_overdue = (
		1
		if rules.is_overdue(doc.status, getdate(doc.review_by) if doc.review_by else None, getdate(nowdate()))
		else 0
	)
	doc.is_public = 1 if doc.status == "Published" and doc.visibility == "Public" else 0
	doc.help_routes = "\n".join(rules.help_patterns(doc.help_routes)) or None
	doc.search_text = search.index_text_of(doc.title, doc.content, doc.summary)
	doc.search_excerpt = tokens.excerpt_source(doc.summary, doc.content)
	doc.translated = 1 if original or (not doc.is_new() and _has_translation(doc.name)) else 0


def _validate_translation(doc):
	if not doc.translation_of:
		return None
	if doc.translation_of == doc.name:
		frappe.throw(_("An article cannot be a translation of itself."))
	original = frappe.db.get_value(
		"KB Article",
		doc.translation_of,
		["name", "translation_of", "language", "kb_category", "slug"],
		as_dict=True,
	)
	if not original:
		frappe.throw(_("The original article {0} does not exist.").format(doc.translation_of))
	if original.translation_of:
		# Always point at the original, never at another translation.
		doc.translation_of = original.translation_of
		return _validate_translation(doc)
	if original.language == doc.language:
		frappe.throw(_("A translation must be in another language than its original."))
	twin = frappe.db.get_value(
		"KB Article",
		{"translation_of": original.name, "language": doc.language, "name": ("!=", doc.name)},
		"name",
	)
	if twin:
		frappe.throw(_("Article {0} is already the translation in this language.").format(twin))
	return original


def _unique_route(doc, original) -> str:
	category_slug = category_slug_of(doc.kb_category)
	route = rules.article_route(category_slug, doc.slug, doc.language if original else None)
	if frappe.db.exists("KB Article", {"route": route, "name": ("!=", doc.name)}):
		if original:
			frappe.throw(_("Another article already has the address /{0}.").format(route))
		doc.slug = f"{doc.slug}-{frappe.generate_hash(length=5).lower()}"
		route = rules.article_route(category_slug, doc.slug)
	return route


def review_interval(category: str | None) -> int:
	days = frappe.db.get_value("KB Category", category, "review_interval_days") if category else None
	return int(days or rules.DEFAULT_REVIEW_DAYS)


def confirm_review(doc) -> None:
	"""Checked today: due again after the category's review interval."""
	today = getdate(nowdate())
	doc.last_reviewed_on = today
	doc.review_by = rules.next_review(today, review_interval(doc.kb_category))


def _has_translation(original: str, exclude: str | None = None) -> bool:
	filters: dict = {"translation_of": original}
	if exclude:
		filters["name"] = ("!=", exclude)
	return bool(frappe.db.exists("KB Article", filters))


def _refresh_translated(original: str, exclude: str | None = None) -> None:
	"""An original's `translated` flag (search asks for a version in the visitor's language only for
	flagged hits): whether it has a translation, `exclude` (one being deleted) left out."""
	translated = 1 if _has_translation(original, exclude) else 0
	frappe.db.set_value("KB Article", original, "translated", translated, update_modified=False)


def after_article_change(doc) -> None:
	previous = doc.get_doc_before_save()
	if doc.translation_of:
		_refresh_translated(doc.translation_of)
	if previous and previous.translation_of and previous.translation_of != doc.translation_of:
		_refresh_translated(previous.translation_of)
	if not doc.translation_of:
		# Translations follow their original's category and slug.
		for name in frappe.get_all("KB Article", filters={"translation_of": doc.name}, pluck="name"):
			translation = frappe.get_doc("KB Article", name)
			if translation.slug != doc.slug or translation.kb_category != doc.kb_category:
				translation.save(ignore_permissions=True)
	clear_sitemap_cache()


def after_article_delete(doc) -> None:
	if doc.translation_of:
		_refresh_translated(doc.translation_of, exclude=doc.name)
	clear_sitemap_cache()


def clear_sitemap_cache() -> None:
	"""The sitemap and cached search results may list a changed or deleted article."""
	from frappe.www.sitemap import get_public_pages_from_doctypes

	get_public_pages_from_doctypes.clear_cache()
	search.clear_cache()


def ensure_fulltext_index() -> None:
	"""The FULLTEXT index the search uses (Frappe's doctype JSON cannot declare one)."""
	if not frappe.db.has_column("KB Article", "search_text"):
		return
	if not frappe.db.has_index("tabKB Article", FULLTEXT_INDEX):
		# frappe.db.add_index makes plain indexes only; the index name is a module constant.
		frappe.db.sql_ddl(  # nosemgrep: frappe-using-db-sql -- FULLTEXT index DDL
			f"alter table `tabKB Article` add fulltext index {FULLTEXT_INDEX} (search_text)"
		)


def reindex_all() -> int:
	"""Rewrite every article's search_text (after innodb_ft_min_token_size changed) and search_excerpt:
	no document saves."""
	count = 0
	for row in frappe.get_all("KB Article", fields=["name", "title", "content", "summary"]):
		frappe.db.set_value(
			"KB Article",
			row.name,
			{
				"search_text": search.index_text_of(row.title, row.content, row.summary),
				"search_excerpt": tokens.excerpt_source(row.summary, row.content),
			},
			update_modified=False,
		)
		count += 1
	return count


def validate_category(doc) -> None:
	doc.slug = cleanup_page_name(doc.slug or doc.title)[:100]
	if frappe.db.exists("KB Category", {"slug": doc.slug, "name": ("!=", doc.name)}):
		frappe.throw(_("Another category already has the address /kb/{0}.").format(doc.slug))
	if doc.review_interval_days is not None and int(doc.review_interval_days) < 0:
		frappe.throw(_("The review interval cannot be negative."))
	seen = set()
	for row in doc.get("translations") or []:
		row.language = portal_language(row.language)
		if row.language in seen:
			frappe.throw(_("The category has two translations in {0}.").format(row.language))
		seen.add(row.language)


def after_category_change(doc) -> None:
	previous = doc.get_doc_before_save()
	if previous and previous.slug != doc.slug:
		for name in frappe.get_all("KB Article", filters={"kb_category": doc.name}, pluck="name"):
			frappe.get_doc("KB Article", name).save(ignore_permissions=True)


def category_slug_of(category: str | None) -> str:
	if not category:
		frappe.throw(_("Choose a category."))
	slug = frappe.db.get_value("KB Category", category, "slug")
	return slug or cleanup_page_name(category)


# What pages show
# ---------------


def public_web_list(
	doctype: str = "KB Article",
	txt: str | None = None,
	filters=None,
	limit_start: int = 0,
	limit_page_length: int = 20,
	order_by: str | None = None,
	**kwargs,
) -> list[dict]:
	"""Published public articles for Frappe's generic web list; whatever filters the caller sent."""
	conditions = {"status": "Published", "visibility": "Public"}
	if txt:
		conditions["title"] = ("like", f"%{txt}%")
	return frappe.get_all(
		"KB Article",
		filters=conditions,
		fields=["name", "title", "summary", "route", "language", "modified"],
		order_by="modified desc",
		limit_start=int(limit_start or 0),
		limit_page_length=min(int(limit_page_length or 20), 100),
	)


def category_texts(language: str) -> dict[str, dict]:
	"""Every category's title and description in `language` (its translation, else its own)."""
	categories = frappe.get_all(
		"KB Category",
		fields=["name", "title", "description", "slug", "parent_kb_category", "display_order", "lft"],
		order_by="display_order asc, lft asc",
	)
	translated = {
		row.parent: row
		for row in frappe.get_all(
			"KB Category Translation",
			filters={"language": language, "parenttype": "KB Category"},
			fields=["parent", "title", "description"],
		)
	}
	result = {}
	for category in categories:
		translation = translated.get(category.name)
		result[category.name] = frappe._dict(
			category,
			title=(translation and translation.title) or category.title,
			description=(translation and translation.description) or category.description,
		)
	return result


def visible_article_filters() -> dict:
	return {"status": "Published", "visibility": ("in", access.visibilities())}


def articles_in(category: str | None, language: str, limit: int = 200) -> list[dict]:
	"""The readable articles of a category (all when None), one per original, in `language` if translated."""
	filters = {**visible_article_filters()}
	if category:
		filters["kb_category"] = category
	rows = frappe.get_all(
		"KB Article",
		filters=filters,
		fields=[
			"name",
			"title",
			"summary",
			"route",
			"language",
			"translation_of",
			"kb_category",
			"view_count",
			"helpful_count",
		],
		order_by="view_count desc, title asc",
		limit_page_length=limit * 3,
	)
	groups: dict[str, dict] = {}
	for row in rows:
		original = row.translation_of or row.name
		current = groups.get(original)
		if current is None or (row.language == language and current.language != language):
			groups[original] = row
		elif current.language != language and not row.translation_of:
			groups[original] = row
	return list(groups.values())[:limit]


def find_article(category_slug: str, article_slug: str, language: str | None) -> dict | None:
	"""The article for /kb/<category>/<article>[/<lang>]: readable by the current user, else None."""
	category = frappe.db.get_value("KB Category", {"slug": category_slug}, "name")
	if not category:
		return None
	members = frappe.get_all(
		"KB Article",
		filters={"kb_category": category, "slug": article_slug},
		fields=["name", "status", "visibility", "language", "translation_of"],
	)
	readable = [m for m in members if access.can_read_article(m)]
	if not readable:
		return None
	return frappe._dict(category=category, members=readable)


def translations_of(original: str) -> list[dict]:
	"""The readable versions (original and translations) of an article, by language."""
	rows = frappe.get_all(
		"KB Article",
		filters={"name": original},
		or_filters=None,
		fields=["name", "title", "language", "route", "status", "visibility", "translation_of"],
	) + frappe.get_all(
		"KB Article",
		filters={"translation_of": original},
		fields=["name", "title", "language", "route", "status", "visibility", "translation_of"],
	)
	readable = [row for row in rows if access.can_read_article(row)]
	return sorted(
		readable,
		key=lambda row: PORTAL_LANGUAGES.index(row.language) if row.language in PORTAL_LANGUAGES else 99,
	)


def related_articles(doc, language: str, limit: int = 5) -> list[dict]:
	"""Articles like this one: a search by its title, itself and its translations left out."""
	original = doc.translation_of or doc.name
	hits = search.search_articles(doc.title, language, limit + 3, category=None)
	return [hit for hit in hits if hit["original"] != original][:limit]


_PRIVATE_SRC = re.compile(r"""(src|href)=(["'])(/private/files/[^"'?#]+)\2""")


def render_content(doc) -> str:
	"""The article's HTML for the portal: sanitised, its private images served through the article, so
	they follow the article's visibility (article_file in api/knowledge_base.py)."""
	html = sanitize_html(doc.content or "")

	def replace(match):
		from urllib.parse import quote

		url = (
			"/api/method/support_center.api.knowledge_base.article_file"
			f"?article={quote(doc.name)}&file_url={quote(match.group(3))}"
		)
		return f"{match.group(1)}={match.group(2)}{url}{match.group(2)}"

	return _PRIVATE_SRC.sub(replace, html)
