"""Knowledge-base search: MariaDB FULLTEXT over the `search_text` column (see tokens.py for how Japanese,
Chinese, short words and stop words are made searchable), re-ranked in Python (ranking.py) and filtered to
what the current user may read.

A search asked for the first time is one SQL statement (`_candidates`): the FULLTEXT match with the status,
visibility and category filters picks the best CANDIDATES by relevance, reading small columns and the
plain-text start of each article written on save (`search_excerpt`, never the HTML `content`), from one
table with no join, each row as one string. Words are matched any-of: InnoDB ranks the articles with more
of the words first, and the re-ranking puts those holding every word (in the title or the start of the
text) above those repeating one. A Japanese or Chinese word is required whole (`all_words`), and only when
fewer than `limit` articles have every such word does a second statement take any of them. A chosen hit in
another language than the visitor's is swapped for its published version in the visitor's language, which
one primary-key/`translation_of` statement looks up, only for hits flagged `translated` (translations, and
originals that have one).
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

	One statement asks for articles with any of the words (asking first for every word, then for any when
	too few had all, took two FULLTEXT scans whenever a phrase of common words matched little together,
	and those set the slowest searches). Results are cached for CACHE_SECONDS per query, language and
	visibility, and dropped whenever an article changes."""
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
	if len(terms) > 1 and not phrases:
		rows = _candidates(" ".join(terms), visibilities, category, candidates)
	else:
		# One word, or CJK words: each required as its bigrams, in order (see all_words).
		rows = _candidates(every_word, visibilities, category, candidates, phrases)
	if phrases and len(terms) > 1 and len(rows) < limit:
		seen = {row[_NAME] for row in rows}
		rows += [
			row
			for row in _candidates(" ".join(terms), visibilities, category, candidates)
			if row[_NAME] not in seen
		]
	result = _rank(rows, query, language, limit, visibilities)
	frappe.cache.set_value(key, result, expires_in_sec=CACHE_SECONDS)
	return result


def clear_cache() -> None:
	"""After any change to an article: cached results may name it, or miss it."""
	frappe.cache.delete_keys(CACHE_PREFIX)


# The excerpt's source, plain text written on save (tokens.excerpt_source): no HTML read or parsed here.
_TEXT = "search_excerpt"
# One FULLTEXT statement on one table: small columns and the excerpt's source (read from the rows the index
# scan fetches anyway; never `content`). No ORDER BY, on purpose: a FULLTEXT index scan hands the
# rows over best first (InnoDB sorts its matches by rank), so LIMIT stops after reading about `candidates`
# rows; "order by relevance" would read and sort every matching row (three to four times slower for a word
# in a few hundred articles). No join and no derived table either: joining the translations in made MariaDB
# materialise the candidates and look up two more rows for each of them, which cost as much again as
# the FULLTEXT scan. Python re-sorts the few rows it gets; test_candidates_are_the_most_relevant_matches
# guards the order.
#
# Each row comes as one string, its columns joined by the unit separator (text last): the client library
# decodes a column description and a length-coded value per column and row in Python, which cost more than
# the FULLTEXT scan itself for 20 rows of 11 columns; one column is one description and one value.
_SEPARATOR = "\x1f"
_CANDIDATES = f"""select concat_ws(char(31), name, coalesce(title, ''), coalesce(language, ''),
	coalesce(nullif(translation_of, ''), name), coalesce(route, ''), coalesce(kb_category, ''),
	coalesce(helpful_count, 0), coalesce(not_helpful_count, 0),
	match(search_text) against(%(against)s in boolean mode), coalesce(translated, 0),
	coalesce({_TEXT}, ''))
from `tabKB Article`
where match(search_text) against(%(against)s in boolean mode)
	and status = 'Published' and visibility in %(visibilities)s {{conditions}}
limit %(candidates)s"""
_CATEGORY = " and kb_category = %(category)s"
# A phrase's tokens, in order, in the token column (tokens are separated by single spaces).
_PHRASE = " and concat(' ', search_text, ' ') like %(phrase{0})s"
# The published versions in the visitor's language of the chosen hits that are in another: each hit's
# original (primary key) or a translation of it (`translation_of` index). Asked only for the hits shown,
# and only when one of them is in another language and `translated` (a translation, or an original that
# has one: articles.py keeps the flag), so a site or an article without translations never pays for it.
_TRANSLATIONS = f"""select name, title, language, coalesce(nullif(translation_of, ''), name) as original,
	route, kb_category, {_TEXT} as text
from `tabKB Article`
where (name in %(originals)s or translation_of in %(originals)s)
	and language = %(language)s and status = 'Published' and visibility in %(visibilities)s"""


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
	return _CANDIDATES.format(conditions=conditions)


# Positions in the rows of both statements (plain tuples: no per-row dict on the search path).
(
	_NAME,
	_TITLE,
	_LANGUAGE,
	_ORIGINAL,
	_ROUTE,
	_CATEGORY_COLUMN,
	_HELPFUL,
	_NOT_HELPFUL,
	_RELEVANCE,
	_TRANSLATED,
) = range(10)


def _candidates(
	against: str,
	visibilities: tuple[str, ...],
	category: str | None,
	candidates: int,
	phrases: list[str] | tuple[str, ...] = (),
) -> list[tuple]:
	"""The best `candidates` matches the user may read: rows of _CANDIDATES' columns (text last)."""
	values: dict = {
		"against": against,
		"visibilities": visibilities,
		"candidates": candidates,
		"category": category,
		**{f"phrase{i}": phrase for i, phrase in enumerate(phrases)},
	}
	sql = _statement(bool(category), len(phrases))
	# FULLTEXT MATCH has no query-builder form; _statement() joins constant fragments, values are parameters.
	return [_unpacked(packed) for (packed,) in frappe.db.sql(sql, values)]  # nosemgrep: frappe-using-db-sql


def _unpacked(packed: str) -> tuple:
	"""A candidates row from its one string (see _CANDIDATES), with its numbers as numbers."""
	name, title, language, original, route, category, helpful, not_helpful, relevance, translated, text = (
		packed.split(_SEPARATOR, 10)
	)
	return (
		name,
		title,
		language,
		original,
		route,
		category,
		int(helpful),
		int(not_helpful),
		float(relevance),
		int(translated),
		text,
	)


def _translations(rows: list[tuple], language: str, visibilities: tuple[str, ...]) -> dict[str, tuple]:
	"""By original article: its published version in `language` the user may read, for the rows that are
	in another language and are translations or have one (`translated`; nothing asked when there are none)."""
	originals = tuple({row[_ORIGINAL] for row in rows if row[_LANGUAGE] != language and row[_TRANSLATED]})
	if not originals:
		return {}
	values = {"originals": originals, "language": language, "visibilities": visibilities}
	# A constant statement with parameters: the query builder would add its per-call cost to every search.
	found = frappe.db.sql(_TRANSLATIONS, values)  # nosemgrep: frappe-using-db-sql
	by_original: dict[str, tuple] = {}
	for row in sorted(found):
		by_original.setdefault(row[_ORIGINAL], row)
	return by_original


def _rank(
	rows: list[tuple], query: str, language: str, limit: int, visibilities: tuple[str, ...]
) -> list[dict]:
	hits = [
		ranking.Hit(
			name=row[_NAME],
			title=row[_TITLE],
			language=row[_LANGUAGE],
			original=row[_ORIGINAL],
			relevance=float(row[_RELEVANCE] or 0),
			helpful=row[_HELPFUL] or 0,
			not_helpful=row[_NOT_HELPFUL] or 0,
			extra=row,
			text=row[-1] or "",
		)
		for row in rows
	]
	chosen = [hit.extra for hit in ranking.rank(hits, query, language, limit)]
	translations = _translations(chosen, language, visibilities)
	words = tokens.plain_words(query)
	return [_hit(translations.get(row[_ORIGINAL]) or row, row[_ORIGINAL], query, words) for row in chosen]


def _hit(row: tuple, original: str, query: str, words: set[str]) -> dict:
	"""A hit as the visitor gets it (`row`: the hit, or its published translation in their language)."""
	return {
		"name": row[_NAME],
		"title": row[_TITLE],
		"route": "/" + (row[_ROUTE] or "").lstrip("/"),
		"excerpt": ranking.excerpt(row[-1] or "", query, words=words),
		"language": row[_LANGUAGE],
		"category": row[_CATEGORY_COLUMN],
		"original": original,
	}
