"""The knowledge base's figures: search p95 over `Scale.articles` published articles (English, Russian and
Japanese text; English, Russian, Japanese and short-term queries, as a guest) against the p95 of a
primary-key `frappe.db.get_value` on the same site. The articles are written in bulk SQL with their
`search_text` and `search_excerpt` (what a save writes), committed (InnoDB's FULLTEXT index shows committed
rows only) and deleted afterwards."""

import random
import time

import frappe
from frappe.utils import now_datetime

from support_center.benchmarks import Figure, Scale, percentile, register
from support_center.knowledge_base import search, tokens

PREFIX = "kbbench"
CATEGORY = "KB Benchmark Category"
EN = (
	"invoice payment refund delivery order tracking password account address shipping return exchange "
	"size colour warranty discount coupon subscription cancel login email phone card bank transfer "
	"customs parcel courier receipt credit note company profile language export report setting"
).split()
RU = (
	"счёт оплата возврат доставка заказ отслеживание пароль аккаунт адрес отправка обмен размер цвет "
	"гарантия скидка купон подписка отмена вход почта телефон карта банк перевод таможня посылка курьер"
).split()
JA = (
	"請求書 支払い 返金 配送 注文 追跡 パスワード アカウント 住所 発送 返品 交換 サイズ 色 保証 割引 "
	"クーポン 定期購入 キャンセル ログイン メール 電話 カード 銀行 振込 税関 荷物"
).split()
SHORT = "VAT PDF ID SMS CSV API EU UK".split()
QUERIES = (
	"invoice payment",
	"refund",
	"tracking parcel courier",
	"password login",
	"VAT",
	"PDF",
	"оплата счёта",
	"доставку",
	"возврат посылки",
	"請求書",
	"配送 追跡",
	"パスワード",
	"ID",
	"cancel subscription",
)


TOPICS = 400
SYLLABLES = {
	"en": "ka to ri mu sen bel dor fa li par gen co ver nal tis mo ra ne pu lo".split(),
	"ru": "ка то ри му сен бел дор фа ли пар ген ко вер нал тис мо ра не пу ло".split(),
	"ja": list("経理設定画面送信確認変更登録削除表示入力出力検索管理情報連絡申請承認"),
}


def _pseudo_words(rng: random.Random, language: str, count: int) -> list[str]:
	size = 2 if language == "ja" else 3
	return ["".join(rng.choice(SYLLABLES[language]) for _ in range(size)) for _ in range(count)]


def _corpus(rng: random.Random, language: str) -> tuple[list[list[str]], list[str]]:
	"""Topics (each two of the real words and eight of its own) and common words, as a help centre's
	articles are: a word such as "invoice" is in a few percent of them, not in every one."""
	real = {"en": EN, "ru": RU, "ja": JA}[language]
	topics = [rng.sample(real, 2) + _pseudo_words(rng, language, 8) for _ in range(TOPICS)]
	return topics, _pseudo_words(rng, language, 150)


def _article_text(rng: random.Random, topic: list[str], common: list[str], joiner: str, count: int) -> str:
	words = [rng.choice(topic) if rng.random() < 0.6 else rng.choice(common) for _ in range(count)]
	if rng.random() < 0.1:
		words.append(rng.choice(SHORT))
	return joiner.join(words)


def make_articles(count: int) -> None:
	remove_articles()
	if not frappe.db.exists("KB Category", CATEGORY):
		frappe.get_doc(
			{"doctype": "KB Category", "title": CATEGORY, "parent_kb_category": "All Articles"}
		).insert(ignore_permissions=True)
	rng = random.Random(11)
	corpora = {language: _corpus(rng, language) for language in ("en", "ru", "ja")}
	now = now_datetime()
	min_token = search.min_token_size()
	rows = []
	for i in range(count):
		language = ("en", "en", "en", "ru", "ja")[i % 5]
		topics, common = corpora[language]
		topic = rng.choice(topics)
		joiner = "" if language == "ja" else " "
		title = " ".join(rng.sample(topic[:4], 3)) + f" {i}"
		body = " ".join(_article_text(rng, topic, common, joiner, 30) for _ in range(3))
		content = f"<p>{body}</p>"
		rows.append(
			(
				f"{PREFIX}{i:07d}",
				now,
				now,
				"Administrator",
				"Administrator",
				title,
				CATEGORY,
				language,
				"Published",
				"Public" if i % 4 else "Customers",
				f"kb/{PREFIX}/{PREFIX}{i:07d}",
				f"{PREFIX}{i:07d}",
				content,
				tokens.index_text(title, content, min_token),
				tokens.excerpt_source("", content),
			)
		)
	fields = [
		"name",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"title",
		"kb_category",
		"language",
		"status",
		"visibility",
		"route",
		"slug",
		"content",
		"search_text",
		"search_excerpt",
	]
	frappe.db.bulk_insert("KB Article", fields, rows, chunk_size=1000)
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- FULLTEXT sees committed rows only
	# A site's articles arrive over months, and InnoDB merges its FULLTEXT cache and drops deleted entries
	# as they come; 10,000 rows written at once (after earlier runs' deletions) are made that way here.
	# Table maintenance has no query-builder form.
	frappe.db.sql("optimize table `tabKB Article`")  # nosemgrep: frappe-using-db-sql


def remove_articles() -> None:
	frappe.db.delete("KB Article", {"name": ("like", f"{PREFIX}%")})
	frappe.db.delete("KB Category", CATEGORY)
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the benchmark's rows must not outlive the command


# p95 over at least 14 queries x 10 rounds = 140 samples per figure, whatever `--repeats` says.
MIN_REPEATS = 10


def _timed(step, argument) -> float:
	started = time.perf_counter()
	step(argument)
	return time.perf_counter() - started


def timings(step, arguments, repeats: int) -> list[float]:
	return [_timed(step, argument) for _ in range(repeats) for argument in arguments]


def _first_time(query: str) -> None:
	# No cached result is read (the result is still written to the cache, as a first search does).
	search.search_articles(query, "en", use_cache=False)


def _from_cache(query: str) -> None:
	# A new request: Frappe's per-request copy of cached values starts empty, so this reads Redis.
	frappe.local.cache.clear()
	search.search_articles(query, "en")


def _lookup(name: str) -> None:
	# A primary-key read of one column; `cache` is off by default, Frappe's document cache is not used.
	frappe.db.get_value("KB Article", name, "title")


def queries_of(step, argument) -> int:
	"""How many SQL statements `step(argument)` sends."""
	original_sql = frappe.db.sql
	count = [0]

	def counting_sql(*args, **kwargs):
		count[0] += 1
		return original_sql(*args, **kwargs)

	frappe.db.sql = counting_sql
	try:
		step(argument)
	finally:
		frappe.db.sql = original_sql
	return count[0]


def kb_search_figures(articles: int = 10_000, repeats: int = 5) -> list[Figure]:
	"""After one untimed pass of each over its whole set (warm database buffers, as on a live site), in
	each of `repeats` rounds: every query searched as if for the first time (no cached result read), back
	to back, then every lookup back to back, so both see the same spells of machine load and both run
	warm. Then the same searches from the cache. (Timing a lookup right after a search instead, or after
	any other work, makes the lookup several times slower on a loaded machine: it would flatter the ratio.)"""
	make_articles(articles)
	user = frappe.session.user
	repeats = max(repeats, MIN_REPEATS)
	try:
		names = [f"{PREFIX}{i:07d}" for i in range(0, articles, max(1, articles // len(QUERIES)))][
			: len(QUERIES)
		]
		frappe.set_user("Guest")
		found = {query: len(search.search_articles(query, "en", use_cache=False)) for query in QUERIES}
		for name in names:
			_lookup(name)
		statements = [queries_of(_first_time, query) for query in QUERIES]
		search_times, lookup_times = [], []
		for _ in range(repeats):
			# Each block starts with one untimed call, so its first timed call is not the one that follows
			# the other block's work.
			_first_time(QUERIES[-1])
			search_times += timings(_first_time, QUERIES, 1)
			_lookup(names[-1])
			lookup_times += timings(_lookup, names, 1)
		cached_times = timings(_from_cache, QUERIES, repeats)
	finally:
		frappe.set_user(user)
		remove_articles()
	search_p95 = percentile(search_times, 0.95)
	lookup_p95 = percentile(lookup_times, 0.95)
	return [
		Figure("kb_articles", articles),
		Figure("kb_queries_with_results", sum(1 for n in found.values() if n), len(QUERIES)),
		Figure("kb_search_samples", len(search_times), len(lookup_times)),
		Figure("kb_search_statements_max", max(statements)),
		Figure("kb_search_statements_mean", sum(statements) / len(statements)),
		Figure("kb_search_p95_seconds", search_p95, lookup_p95, max_ratio=5),
		Figure("kb_search_median_seconds", percentile(search_times, 0.5), percentile(lookup_times, 0.5)),
		Figure("kb_search_cached_p95_seconds", percentile(cached_times, 0.95), lookup_p95),
	]


@register("kb")
def kb_area(scale: Scale) -> list[Figure]:
	return kb_search_figures(scale.articles, scale.repeats)
