"""Knowledge-base search: MariaDB FULLTEXT over the `search_text` column (see tokens.py for how Japanese,
Chinese, short words and stop words are made searchable), re-ranked in Python (ranking.py) and filtered to
what the current user may read.

A search asked for the first time is one SQL statement (`_candidates`): the FULLTEXT match with the status,
visibility and category filters picks the best CANDIDATES by relevance from small columns only, and the
outer query adds, for those few rows alone, their text for excerpts and their published translation in the
visitor's language (primary-key and `translation_of` index lookups). A second statement runs only when
every word together found fewer than `limit` articles (then any word will do). `all_words` explains how
a Japanese or Chinese word is matched without InnoDB's slower phrase search.
"""

import functools

import frappe

from support_center.knowledge_base import access, ranking, tokens
from support_center.portal.languages import portal_language, visitor_language

CANDIDATES = 20
CACHE_PREFIX = "kb:search:"
CACHE_SECONDS = 300
MAX_QUERY_LENGTH = 200
_min_token_cache: dict[str, int] = {}


def min_token_size() -> int:
	"""The server's `innodb_ft_min_token_size` (index and queries must pad short words the same way)."""
	site = getattr(frappe.local, "site", "") or ""
	if site not in _min_token_cache:
		# A server variable: no table, so nothing for the query builder to build.
		value = frappe.db.sql("select @@innodb_ft_min_token_size")[0][0]  # nosemgrep: frappe-using-db-sql
		_min_token_cache[site] = int(value or tokens.DEFAULT_MIN_TOKEN)
	return _min_token_cache[site]


def index_text_of(title: str, content: str, summary: str = "") -> str:
	return tokens.index_text(title or "", content or "", min_token_size(), extra=summary or "")


def search_articles(
	query: str,
	language: str | None = None,
	limit: int = 10,
	*,
	prefix_last: bool = False,
	category: str | None = None,
	use_cache: bool = True,
) -> list[dict]:
	"""Published articles the current user may read that match `query`, best first, one per original
	article (its translation in `language`, default the visitor's, when there is one). Each dict has
	name, title, route (with a leading "/"), excerpt, language, category, original.

	Articles with every word are looked up first (`+word` in boolean mode: few rows for InnoDB to score);
	only when they are fewer than `limit` does any word do. Results are cached for CACHE_SECONDS per
	query, language and visibility, and dropped whenever an article changes."""
	query = (query or "").strip()[:MAX_QUERY_LENGTH]
	limit = max(1, min(int(limit or 10), 50))
	language = portal_language(language) if language else visitor_language()
	terms = tokens.query_terms(query, min_token_size(), prefix_last=prefix_last)
	if not terms:
		return []
	visibilities = access.visibilities()
	key = f"{CACHE_PREFIX}{language}|{','.join(visibilities)}|{limit}|{category or ''}|{' '.join(terms)}"
	if use_cache:
		cached = frappe.cache.get_value(key)
		if cached is not None:
			return cached
	candidates = max(CANDIDATES, limit)
	every_word, phrases = all_words(terms)
	rows = _candidates(every_word, language, visibilities, category, candidates, phrases)
	if len(terms) > 1 and len(rows) < limit:
		seen = {row.name for row in rows}
		rows += [
			row
			for row in _candidates(" ".join(terms), language, visibilities, category, candidates)
			if row.name not in seen
		]
	result = _rank(rows, query, language, limit)
	frappe.cache.set_value(key, result, expires_in_sec=CACHE_SECONDS)
	return result


def clear_cache() -> None:
	"""After any change to an article: cached results may name it, or miss it."""
	frappe.cache.delete_keys(CACHE_PREFIX)


_TEXT = "left(concat_ws(' ', nullif({0}.summary, ''), {0}.content), 1500)"
# The outer part of the statement: for the chosen candidates only (never for every FULLTEXT match), their
# text and their published translation in the visitor's language (x_* columns): its original when the hit
# is a translation (primary key), else a translation of it (`translation_of` index).
_OUTER = f"""select c.*, {_TEXT.format("a")} as text,
	if(o.name is null, t.name, o.name) as x_name, if(o.name is null, t.title, o.title) as x_title,
	if(o.name is null, t.route, o.route) as x_route,
	if(o.name is null, t.kb_category, o.kb_category) as x_category,
	if(o.name is null, {_TEXT.format("t")}, {_TEXT.format("o")}) as x_text
from ({{inner}}) c
join `tabKB Article` a on a.name = c.name
left join `tabKB Article` o on c.language <> %(language)s and o.name = c.original and o.name <> c.name
	and o.language = %(language)s and o.status = 'Published' and o.visibility in %(visibilities)s
left join `tabKB Article` t on c.language <> %(language)s and t.translation_of = c.original
	and t.language = %(language)s and t.status = 'Published' and t.visibility in %(visibilities)s"""
# The FULLTEXT part, small columns only. No ORDER BY, on purpose: a FULLTEXT index scan hands the rows over
# best first (InnoDB sorts its matches by rank, as for MATCH in WHERE in natural-language mode), so LIMIT
# stops after reading about `candidates` rows; "order by relevance" would read and sort every matching row
# (three to four times slower for a word in a few hundred articles). Python re-sorts the few it gets;
# test_candidates_are_the_most_relevant_matches guards the order.
_INNER = """select name, title, language, coalesce(nullif(translation_of, ''), name) as original,
	route, kb_category, helpful_count, not_helpful_count,
	match(search_text) against(%(against)s in boolean mode) as relevance
from `tabKB Article`
where match(search_text) against(%(against)s in boolean mode)
	and status = 'Published' and visibility in %(visibilities)s {conditions}
limit %(candidates)s"""
_CATEGORY = " and kb_category = %(category)s"
# A phrase's tokens, in order, in the token column (tokens are separated by single spaces).
_PHRASE = " and concat(' ', search_text, ' ') like %(phrase{0})s"


def all_words(terms: list[str]) -> tuple[str, list[str]]:
	"""The boolean-mode expression that requires every term, and LIKE patterns for its CJK phrases.

	A phrase of bigrams ("請求書": two) is required as its bigrams (`+a +b`) and then checked as a sequence on
	the few rows read: InnoDB's own phrase search reads the positions in every row that has all the bigrams
	(two to three times slower for a word in a few hundred articles); the rows found are the same."""
	parts: list[str] = []
	phrases: list[str] = []
	for term in terms:
		if term.startswith('"'):
			grams = term.strip('"').split()
			parts += [f"+{gram}" for gram in grams]
			phrases.append(f"% {' '.join(grams)} %")
		else:
			parts.append(f"+{term}")
	return " ".join(parts), phrases


@functools.cache
def _statement(category: bool, phrases: int) -> str:
	"""The candidates statement: constant SQL (the filters present), values always parameters."""
	conditions = (_CATEGORY if category else "") + "".join(_PHRASE.format(i) for i in range(phrases))
	return _OUTER.format(inner=_INNER.format(conditions=conditions))


def _candidates(
	against: str,
	language: str,
	visibilities: tuple[str, ...],
	category: str | None,
	candidates: int,
	phrases: list[str] | tuple[str, ...] = (),
) -> list:
	"""The best `candidates` matches the user may read, each once, with `text` and, when it is in another
	language than the visitor's, its published translation's columns (x_*) in the visitor's language."""
	values: dict = {
		"against": against,
		"visibilities": visibilities,
		"candidates": candidates,
		"language": language,
		"category": category,
		**{f"phrase{i}": phrase for i, phrase in enumerate(phrases)},
	}
	sql = _statement(bool(category), len(phrases))
	# FULLTEXT MATCH has no query-builder form; _statement() joins constant fragments, values are parameters.
	rows = frappe.db.sql(sql, values, as_dict=True)  # nosemgrep: frappe-using-db-sql
	seen: set[str] = set()
	unique = []
	for row in rows:
		if row.name not in seen:
			seen.add(row.name)
			unique.append(row)
	return unique


def _rank(rows: list, query: str, language: str, limit: int) -> list[dict]:
	hits = [
		ranking.Hit(
			name=row.name,
			title=row.title,
			language=row.language,
			original=row.original,
			relevance=float(row.relevance or 0),
			helpful=row.helpful_count or 0,
			not_helpful=row.not_helpful_count or 0,
			extra=row,
		)
		for row in rows
	]
	return [_result(hit.extra, query, language) for hit in ranking.rank(hits, query, language, limit)]


def _result(row, query: str, language: str) -> dict:
	"""A hit as the visitor gets it: in their language when it has a published translation in it."""
	if row.x_name:
		return _hit(row.x_name, row.x_title, row.x_route, row.x_category, row.x_text, language, row, query)
	return _hit(row.name, row.title, row.route, row.kb_category, row.text, row.language, row, query)


def _hit(name, title, route, category, text, found_language, row, query: str) -> dict:
	return {
		"name": name,
		"title": title,
		"route": "/" + (route or "").lstrip("/"),
		"excerpt": ranking.excerpt(tokens.html_to_text(text or ""), query),
		"language": found_language,
		"category": category,
		"original": row.original,
	}
