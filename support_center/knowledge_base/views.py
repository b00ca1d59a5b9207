"""View counts without a document save per page view.

A page view adds one to a Redis hash, once per visitor, article and day (a `SET NX` key that expires), and
never for crawlers. A job every five minutes moves the counts into `KB Article.view_count` with one UPDATE
statement (no document saves, `modified` untouched).
"""

import frappe
from redis import Redis

from support_center.knowledge_base import visitors

COUNTS_KEY = "kb:view_counts"
SEEN_TTL = 24 * 3600


def _key(name: str) -> str:
	return frappe.cache.make_key(name)


def count_view(article: str) -> bool:
	"""Counts a view of the article by the current visitor; False when it was a reload, a bot or staff."""
	if visitors.is_bot():
		return False
	from support_center.knowledge_base.access import is_staff

	if is_staff():
		return False
	user = frappe.session.user
	who = visitors.visitor_hash() if user != "Guest" else visitors.address_hash()
	# Atomic "first view today" check: SET NX has no set_value form. The key is per site: _key() is
	# frappe.cache.make_key, which prefixes the site's database name.
	first = frappe.cache.set(_key(f"kb:seen:{article}:{who}"), 1, ex=SEEN_TTL, nx=True)  # nosemgrep
	if not first:
		return False
	frappe.cache.hincrby(_key(COUNTS_KEY), article, 1)
	return True


def pending_counts() -> dict[str, int]:
	# Plain Redis calls: the wrapper's hgetall adds its key prefix and unpickles.
	raw = Redis.hgetall(frappe.cache, _key(COUNTS_KEY)) or {}
	return {name.decode() if isinstance(name, bytes) else name: int(value) for name, value in raw.items()}


def flush_view_counts() -> int:
	"""Adds the counted views to the articles in one statement; returns how many articles changed."""
	key = _key(COUNTS_KEY)
	moving = _key(f"{COUNTS_KEY}:flushing:{frappe.generate_hash(length=8)}")
	try:
		frappe.cache.rename(key, moving)
	except Exception:
		# Nothing counted since the last run (RENAME fails on a missing key).
		return 0
	raw = Redis.hgetall(frappe.cache, moving) or {}
	counts = {(n.decode() if isinstance(n, bytes) else n): int(v) for n, v in raw.items() if int(v) > 0}
	if counts:
		try:
			# The scheduler commits when the job returns.
			_add_counts(counts)
		except Exception:
			for name, value in counts.items():
				frappe.cache.hincrby(key, name, value)
			raise
	frappe.cache.delete(moving)
	return len(counts)


def _add_counts(counts: dict[str, int]) -> None:
	names = list(counts)
	cases = " ".join(["when %s then %s"] * len(names))
	values: list = []
	for name in names:
		values += [name, counts[name]]
	placeholders = ", ".join(["%s"] * len(names))
	# One set-based UPDATE for the whole flush; only %s placeholders are formatted in, values are parameters.
	frappe.db.sql(  # nosemgrep
		f"""update `tabKB Article` set view_count = ifnull(view_count, 0) + (case name {cases} else 0 end)
		where name in ({placeholders})""",
		[*values, *names],
	)
