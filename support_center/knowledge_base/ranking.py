"""Ranking and grouping of search hits: pure functions, no database.

MariaDB's FULLTEXT relevance orders the candidates; this adds what it cannot know: a hit that holds every
query word (in its title or the start of its text) outranks one that repeats a single word (InnoDB counts
every repetition), a hit whose title holds every word comes first, the visitor's language is preferred,
and translations of one article show as one hit (in the visitor's language when it exists).
"""

from dataclasses import dataclass, field

from support_center.knowledge_base.tokens import plain_words

# A share of the hit's own relevance, so it weighs the same whatever the size of the site's index.
ALL_WORDS_SHARE = 0.5
TITLE_ALL_WORDS_BONUS = 2.0
TITLE_WORD_BONUS = 0.5
LANGUAGE_BONUS = 0.75
HELPFUL_WEIGHT = 0.25


@dataclass
class Hit:
	name: str
	title: str
	language: str
	original: str  # the original article's name (itself when it is an original)
	relevance: float
	helpful: int = 0
	not_helpful: int = 0
	extra: dict = field(default_factory=dict)
	text: str = ""  # the start of the article's text, plain


def helpfulness(helpful: int, not_helpful: int) -> float:
	"""The share of helpful votes, pulled towards one half while there are few votes (-0.5..0.5)."""
	return (helpful + 1) / (helpful + not_helpful + 2) - 0.5


def score(hit: Hit, words: set[str], language: str | None) -> float:
	"""`words`: the query's plain_words."""
	title_words = plain_words(hit.title)
	in_title = len(words & title_words)
	total = hit.relevance
	# casefold, not the index's folding: this runs on twenty texts per search, and a word written with an
	# accent or "ё" only misses the bonus.
	haystack = f"{hit.title} {hit.text}".casefold() if words else ""
	if words and all(word in haystack for word in words):
		total += ALL_WORDS_SHARE * hit.relevance
	if words and in_title == len(words):
		total += TITLE_ALL_WORDS_BONUS
	total += TITLE_WORD_BONUS * in_title
	if language and hit.language == language:
		total += LANGUAGE_BONUS
	total += HELPFUL_WEIGHT * helpfulness(hit.helpful, hit.not_helpful)
	return total


def rank(hits: list[Hit], query: str, language: str | None, limit: int) -> list[Hit]:
	"""Best first, one hit per original article, at most `limit`."""
	words = plain_words(query)
	ordered = sorted(hits, key=lambda hit: (-score(hit, words, language), hit.title, hit.name))
	seen: set[str] = set()
	result: list[Hit] = []
	for hit in ordered:
		if hit.original in seen:
			continue
		seen.add(hit.original)
		result.append(hit)
		if len(result) >= limit:
			break
	return result


def excerpt(text: str, query: str, width: int = 200, words: set[str] | None = None) -> str:
	"""About `width` characters of the text around the first query word found, with ellipses. `words`:
	the query's plain_words, when the caller has them already."""
	text = " ".join(text.split())
	if len(text) <= width:
		return text
	lowered = text.casefold()
	start = 0
	for word in sorted(plain_words(query) if words is None else words, key=len, reverse=True):
		position = lowered.find(word)
		if position >= 0:
			start = max(0, position - width // 4)
			break
	piece = text[start : start + width]
	if start > 0:
		space = piece.find(" ")
		piece = "…" + (piece[space + 1 :] if 0 <= space < 20 else piece)
	if start + width < len(text):
		piece = piece.rstrip() + "…"
	return piece
