"""Index and query tokens for MariaDB's InnoDB FULLTEXT: pure functions, no database.

InnoDB's built-in parser splits text on non-word characters only, so a Japanese or Chinese sentence is one
long "word", and it drops words shorter than `innodb_ft_min_token_size` (3 by default) and its stop words
("the", "was", "und"...). MariaDB has no n-gram parser (that is MySQL's). So the knowledge base does not
index the raw text: it indexes a `search_text` column written by `index_text` here, and turns the
visitor's query into a boolean-mode expression with `boolean_query` over the same tokens:

- Words of alphabetic scripts (Latin, Cyrillic, Greek, Arabic, Hangul...) are case-folded, "ё" is read as
  "е" and Latin accents are removed. Words shorter than the minimum, and InnoDB's stop words, get "_"
  appended up to the minimum length ("id" -> "id_", "the" -> "the_"): InnoDB counts "_" as a word
  character, so they are indexed like any other word. "VAT" and "PDF" have three letters and are kept.
- Runs of Han, Hiragana and Katakana characters become overlapping character bigrams (a lone character
  stays a unigram), each written as "z" + the code points in hex ("請求" -> "z08acb06c42"), plain ASCII
  whatever the column's collation makes of CJK characters. A CJK query becomes a phrase of its bigrams,
  so "請求書" finds the text that contains exactly that sequence.
"""

import functools
import re
import unicodedata

# InnoDB's default stop words (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD).
INNODB_STOPWORDS = frozenset(
	"a about an are as at be by com de en for from how i in is it la of on or that the this to was what "
	"when where who will with und www".split()
)
DEFAULT_MIN_TOKEN = 3
MAX_TOKEN = 84
CJK_PREFIX = "z"
# How many times a title's tokens are repeated in the index: title words outrank body words.
TITLE_WEIGHT = 3
_CJK_RANGES = (
	(0x3040, 0x30FF),  # Hiragana, Katakana (with the prolonged sound mark)
	(0x3400, 0x4DBF),  # CJK Extension A
	(0x4E00, 0x9FFF),  # CJK Unified Ideographs
	(0xF900, 0xFAFF),  # CJK Compatibility Ideographs
	(0x31F0, 0x31FF),  # Katakana phonetic extensions
	(0x20000, 0x2FA1F),  # CJK Extensions B..F and supplement
)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_INLINE_TAGS = re.compile(r"</?(?:a|b|i|u|em|strong|span|code|small|sub|sup|mark)\b[^>]*>", re.IGNORECASE)
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}


_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff\U00020000-\U0002fa1f"
_SEGMENT = re.compile(f"([{_CJK_CLASS}]+)|([^\\W_{_CJK_CLASS}]+)")
# Combining marks that are optional in writing: Latin accents left after NFKC, Cyrillic titlo, Hebrew points,
# Arabic vowel signs.
_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_LATIN_ACCENTED = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def is_cjk(char: str) -> bool:
	code = ord(char)
	return any(low <= code <= high for low, high in _CJK_RANGES)


def html_to_text(html: str | None) -> str:
	"""The readable text of rich content: tags removed, common entities decoded, spaces collapsed."""
	if not html:
		return ""
	text = _INLINE_TAGS.sub("", html)
	text = _TAGS.sub(" ", text)
	for entity, value in _ENTITIES.items():
		text = text.replace(entity, value)
	return " ".join(text.split())


EXCERPT_SOURCE = 1000


def excerpt_source(summary: str | None, content: str | None) -> str:
	"""The `search_excerpt` column of an article: the start of its summary and content as plain text,
	from which a search result's excerpt is cut (so no HTML is parsed while searching)."""
	return html_to_text(f"{summary or ''} {content or ''}")[:EXCERPT_SOURCE].rstrip()


def _strip_accent(match: re.Match) -> str:
	base = unicodedata.normalize("NFD", match.group(0))[0]
	return base if base.isascii() else match.group(0)


def _fold(text: str) -> str:
	text = unicodedata.normalize("NFKC", text).casefold()
	if text.isascii():
		return text
	text = text.replace("ё", "е")
	# Accents are dropped from Latin letters only ("é" -> "e"); other scripts keep their letters.
	text = _LATIN_ACCENTED.sub(_strip_accent, text)
	return _MARKS.sub("", text)


def segments(text: str) -> list[tuple[str, str]]:
	"""The text's words in order, each as ("word", w) or ("cjk", run)."""
	return [
		("cjk", match.group(1)) if match.group(1) else ("word", match.group(2))
		for match in _SEGMENT.finditer(_fold(text))
	]


def word_token(word: str, min_token: int = DEFAULT_MIN_TOKEN) -> str:
	word = word[:MAX_TOKEN]
	if len(word) < min_token or word in INNODB_STOPWORDS:
		return word + "_" * max(1, min_token - len(word))
	return word


def cjk_token(chars: str) -> str:
	return CJK_PREFIX + "".join(f"{ord(c):05x}" for c in chars)


def cjk_tokens(run: str) -> list[str]:
	if len(run) == 1:
		return [cjk_token(run)]
	return [cjk_token(run[i : i + 2]) for i in range(len(run) - 1)]


def tokens(text: str, min_token: int = DEFAULT_MIN_TOKEN) -> list[str]:
	"""Every index token of the text, in order."""
	out: list[str] = []
	for kind, value in segments(text):
		if kind == "word":
			out.append(word_token(value, min_token))
		else:
			out.extend(cjk_tokens(value))
	return out


def index_text(title: str, body: str, min_token: int = DEFAULT_MIN_TOKEN, extra: str = "") -> str:
	"""The `search_text` column of an article: its title's tokens (weighted), then the body's."""
	title_tokens = " ".join(tokens(title, min_token))
	body_tokens = " ".join(tokens(f"{extra} {html_to_text(body)}", min_token))
	return " ".join([title_tokens] * TITLE_WEIGHT + [body_tokens]).strip()


def _stem(word: str) -> str:
	"""A light prefix for inflected languages: "оплаты" and "оплата" share "оплат", "invoices" "invoic"."""
	if len(word) >= 7:
		return word[:-2]
	if len(word) >= 5:
		return word[:-1]
	return word


def query_terms(query: str, min_token: int = DEFAULT_MIN_TOKEN, prefix_last: bool = False) -> list[str]:
	"""The boolean-mode terms of a query: each word (stemmed words as prefix terms `stem*`), each CJK run
	as a quoted phrase of its bigrams. `prefix_last` treats the last word as typed so far ("invo" ->
	"invo*"), for suggestions while typing."""
	parts = segments(query)
	terms: list[str] = []
	for position, (kind, value) in enumerate(parts):
		last = position == len(parts) - 1
		if kind == "cjk":
			grams = cjk_tokens(value)
			terms.append(grams[0] if len(grams) == 1 else '"' + " ".join(grams) + '"')
			continue
		token = word_token(value, min_token)
		if token != value:
			# Short words and stop words are matched exactly (they were padded in the index too).
			terms.append(token)
		elif prefix_last and last:
			terms.append(f"{value}*")
		else:
			stem = _stem(value)
			terms.append(f"{stem}*" if stem != value else value)
	# Terms hold only word characters, "*" and quotes that we added: nothing the user typed is an operator.
	return list(dict.fromkeys(terms))


def boolean_query(query: str, min_token: int = DEFAULT_MIN_TOKEN, prefix_last: bool = False) -> str:
	"""The AGAINST(... IN BOOLEAN MODE) text: any term may match, more matching terms rank higher."""
	return " ".join(query_terms(query, min_token, prefix_last))


# Search re-ranks the same titles again and again (one call per candidate and search): kept per process.
@functools.lru_cache(maxsize=8192)
def plain_words(text: str) -> frozenset[str]:
	"""The folded words and CJK bigrams of a text, for re-ranking (title matches) without the database."""
	out: set[str] = set()
	for kind, value in segments(text):
		if kind == "word":
			out.add(value)
		else:
			out.update(value[i : i + 2] for i in range(max(1, len(value) - 1)))
	return frozenset(out)
