"""Who reads which article, when an article is due for review, and the knowledge base's URL scheme:
pure functions, no database.

URL scheme (all under /kb):
- `/kb`: search and categories; `/kb?q=words` searches.
- `/kb/<category>`: a category's articles, `<category>` being the KB Category's `slug`.
- `/kb/<category>/<article>`: an article in the visitor's language (the translation when there is one,
  else the original with a note); `<article>` is the original's `slug`, shared by its translations.
- `/kb/<category>/<article>/<lang>`: the article in one language (a translation's own `route`), the URL
  that `hreflang` links and the sitemap name.
"""

from datetime import date, timedelta

STATUSES = ("Draft", "Published", "Archived")
VISIBILITIES = ("Public", "Customers", "Staff")
STAFF_ROLES = frozenset({"System Manager", "Support Manager", "Support Team"})
CUSTOMER_ROLES = frozenset({"Customer"})
DEFAULT_REVIEW_DAYS = 180


def is_staff(roles: set[str] | frozenset[str]) -> bool:
	return bool(STAFF_ROLES & set(roles))


def visibilities_for(user: str, roles: set[str] | frozenset[str]) -> tuple[str, ...]:
	"""The visibilities a user reads: guests Public; portal customers Public and Customers; staff all."""
	if not user or user == "Guest":
		return ("Public",)
	if is_staff(roles):
		return VISIBILITIES
	if CUSTOMER_ROLES & set(roles):
		return ("Public", "Customers")
	return ("Public",)


def can_read(status: str, visibility: str, user: str, roles: set[str] | frozenset[str]) -> bool:
	"""Staff read every article (drafts and archived included); others published ones they may see."""
	if is_staff(roles) and user and user != "Guest":
		return True
	return status == "Published" and visibility in visibilities_for(user, roles)


def next_review(from_day: date, interval_days: int | None) -> date:
	"""The date an article published or confirmed on `from_day` is due again."""
	days = interval_days if interval_days and interval_days > 0 else DEFAULT_REVIEW_DAYS
	return from_day + timedelta(days=days)


def is_overdue(status: str, review_by: date | None, today: date) -> bool:
	"""Published articles past their review date need their owner's attention (drafts and archived don't)."""
	return status == "Published" and review_by is not None and review_by < today


def article_route(category_slug: str, article_slug: str, language: str | None = None) -> str:
	"""An article's route without the leading slash; `language` only for a translation's own URL."""
	route = f"kb/{category_slug}/{article_slug}"
	return f"{route}/{language}" if language else route


def route_matches(pattern: str, path: str) -> bool:
	"""Whether a page path matches a help pattern: exact ("/cart"), or a prefix ending in "*"
	("/products/*" matches "/products/shoe-1"). Query strings and trailing slashes are ignored."""
	pattern = (pattern or "").strip()
	if not pattern:
		return False
	path = "/" + (path or "").split("?", 1)[0].split("#", 1)[0].strip("/")
	if not pattern.startswith("/"):
		pattern = "/" + pattern
	if pattern.endswith("*"):
		base = pattern[:-1].rstrip("/")
		return not base or path == base or path.startswith(base + "/")
	return path == "/" + pattern.strip("/")


def help_patterns(text: str | None) -> list[str]:
	"""The route patterns written one per line (or comma-separated) on an article."""
	if not text:
		return []
	return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]
