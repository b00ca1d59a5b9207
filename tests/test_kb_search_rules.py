"""Knowledge base: tokens for MariaDB FULLTEXT, ranking, review dates, visibility and routes (no Frappe)."""

from datetime import date

from support_center.knowledge_base import ranking, rules, tokens


def test_short_words_and_stopwords_are_padded_to_the_minimum():
	assert tokens.tokens("VAT PDF id") == ["vat", "pdf", "id_"]
	assert tokens.tokens("The a") == ["the_", "a__"]
	assert tokens.tokens("UK", min_token=4) == ["uk__"]
	assert tokens.tokens("vat", min_token=4) == ["vat_"]


def test_cyrillic_is_folded_and_yo_is_e():
	assert tokens.tokens("Счёт ОПЛАТА") == ["счет", "оплата"]


def test_latin_accents_removed_other_scripts_kept():
	assert tokens.tokens("Café Ñandú") == ["cafe", "nandu"]
	assert tokens.tokens("Привет") == ["привет"]


def test_cjk_runs_become_hex_bigrams():
	assert tokens.tokens("請求書") == [tokens.cjk_token("請求"), tokens.cjk_token("求書")]
	assert tokens.tokens("書") == [tokens.cjk_token("書")]
	assert tokens.cjk_token("請求") == "z08acb06c42"
	# Mixed text: words and runs in order.
	assert tokens.tokens("PDFの請求") == ["pdf", tokens.cjk_token("の請"), tokens.cjk_token("請求")]


def test_query_terms():
	assert tokens.query_terms("VAT rate") == ["vat", "rate"]
	# Longer words match their inflections by a prefix.
	assert tokens.query_terms("invoices") == ["invoic*"]
	assert tokens.query_terms("оплаты") == ["оплат*"]
	assert tokens.query_terms("請求書") == [f'"{tokens.cjk_token("請求")} {tokens.cjk_token("求書")}"']
	assert tokens.query_terms("pass", prefix_last=True) == ["pass*"]
	# Operators typed by the user never reach MATCH().
	assert tokens.boolean_query('+vat -"pdf" (x) ~y @3') == "vat pdf x__ y__ 3__"
	assert tokens.boolean_query("   ") == ""


def test_index_text_weights_title():
	text = tokens.index_text("VAT", "<p>Rates <b>apply</b></p>")
	assert text.split().count("vat") == tokens.TITLE_WEIGHT
	assert "rates" in text.split() and "apply" in text.split()
	assert tokens.html_to_text("<style>x{}</style><p>a&nbsp;b</p>") == "a b"


def test_excerpt_source_is_plain_text_of_summary_then_content():
	assert tokens.excerpt_source("Short <b>summary</b>", "<p>The\n body</p>") == "Short summary The body"
	assert tokens.excerpt_source(None, "<p>Body</p>") == "Body"
	long = tokens.excerpt_source("", "<p>" + "word " * 1000 + "</p>")
	assert len(long) <= tokens.EXCERPT_SOURCE and not long.endswith(" ")


def test_ranking_title_language_and_grouping():
	hits = [
		ranking.Hit("b", "Shipping times", "en", "b", relevance=1.0),
		ranking.Hit("a", "VAT on invoices", "en", "a", relevance=0.8),
		ranking.Hit("a-ru", "НДС в счетах", "ru", "a", relevance=0.9),
	]
	ranked = ranking.rank(hits, "vat invoices", "en", 10)
	assert [hit.name for hit in ranked] == ["a", "b"]
	ranked = ranking.rank(hits, "счетах", "ru", 10)
	assert ranked[0].name == "a-ru" and len(ranked) == 2
	assert ranking.helpfulness(0, 0) == 0


def test_a_hit_with_every_word_outranks_one_repeating_a_single_word():
	# InnoDB's relevance grows with every repetition of one word: "courier" four times scores above
	# "tracking", "parcel" and "courier" once each.
	hits = [
		ranking.Hit(
			"one-word", "Couriers we work with", "en", "one-word", relevance=30.1, text="courier " * 4
		),
		ranking.Hit(
			"every-word",
			"Where is my order?",
			"en",
			"every-word",
			relevance=27.4,
			text="Tracking a parcel the courier has not delivered",
		),
	]
	ranked = ranking.rank(hits, "tracking parcel courier", "en", 10)
	assert [hit.name for hit in ranked] == ["every-word", "one-word"]


def test_excerpt_centres_on_the_match():
	text = "word " * 100 + "invoice here " + "tail " * 100
	piece = ranking.excerpt(text, "invoice", 80)
	assert "invoice" in piece and piece.startswith("…") and piece.endswith("…")


def test_visibility_rules():
	assert rules.visibilities_for("Guest", {"Guest"}) == ("Public",)
	assert rules.visibilities_for("c@x", {"Customer"}) == ("Public", "Customers")
	assert rules.visibilities_for("w@x", {"Website User"}) == ("Public",)
	assert rules.visibilities_for("a@x", {"Support Team"}) == rules.VISIBILITIES
	assert not rules.can_read("Draft", "Public", "Guest", {"Guest"})
	assert not rules.can_read("Published", "Customers", "Guest", {"Guest"})
	assert rules.can_read("Draft", "Staff", "a@x", {"Support Team"})
	assert not rules.can_read("Archived", "Public", "c@x", {"Customer"})


def test_review_dates():
	assert rules.next_review(date(2026, 1, 1), 30) == date(2026, 1, 31)
	assert rules.next_review(date(2026, 1, 1), 0) == date(2026, 6, 30)
	assert rules.is_overdue("Published", date(2026, 1, 1), date(2026, 1, 2))
	assert not rules.is_overdue("Draft", date(2026, 1, 1), date(2026, 1, 2))
	assert not rules.is_overdue("Published", None, date(2026, 1, 2))


def test_routes_and_help_patterns():
	assert rules.article_route("billing", "pay") == "kb/billing/pay"
	assert rules.article_route("billing", "pay", "ru") == "kb/billing/pay/ru"
	assert rules.route_matches("/cart", "/cart/")
	assert rules.route_matches("/products/*", "/products/shoe-1?x=1")
	assert rules.route_matches("/products/*", "/products")
	assert not rules.route_matches("/products/*", "/productsale")
	assert rules.route_matches("/*", "/anything")
	assert not rules.route_matches("", "/cart")
	assert rules.help_patterns("/cart, /checkout\n\n/products/*") == ["/cart", "/checkout", "/products/*"]


def test_gap_subject_keys_group_rewordings():
	from support_center.knowledge_base import gaps

	assert gaps.subject_key("Invoice PDF missing") == gaps.subject_key("RE: missing invoice pdf!")
	assert gaps.subject_key("Order #1234 please help") == ""
	assert gaps.subject_key("請求書 ダウンロード") == "ダウンロード 請求書"
	rows = gaps.subject_rows(
		[("invoice pdf missing", 3, 1, "7"), ("missing pdf invoice", 2, 0, "9"), ("hello", 5, 0, "1")]
	)
	assert rows == [
		{
			"kind": "Subject",
			"item": "invoice missing pdf",
			"tickets": 5,
			"answered": 1,
			"volume": 4,
			"example": "7",
		}
	]
	ranked = gaps.rank_rows(
		[
			{"kind": "Search", "item": "vat", "volume": 2},
			{"kind": "Category", "item": "Billing", "volume": 9},
			{"kind": "Subject", "item": "x", "volume": 1},
		],
		minimum=2,
	)
	assert [row["item"] for row in ranked] == ["Billing", "vat"]
