"""Knowledge base, in the database: publishing and review dates, review reminders, visibility in search,
translations, search ranking in three scripts, view counts, votes and deflection."""

import random
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

from support_center.benchmarks import Scale
from support_center.knowledge_base import articles, deflection, review_jobs, search, views, votes
from support_center.tests.factories import make_user, unique
from support_center.tests.kb_factories import make_article, make_kb_category


class KnowledgeBaseCase(FrappeTestCase):
	def setUp(self):
		# Each test starts clean: a test that commits (search) must not commit an earlier test's records.
		frappe.db.rollback()
		frappe.set_user("Administrator")
		# A letter first: an all-digit mark (about one run in 17) is a number, which the gap report leaves out.
		self.mark = "m" + frappe.generate_hash(length=6).lower()

		self.made: list[tuple[str, str]] = []

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.request = None
		if getattr(self, "committed", False):
			# FULLTEXT sees committed rows only: search tests commit, so they clean up after themselves.
			for doctype, name in reversed(self.made):
				frappe.db.delete("KB Feedback", {"article": name}) if doctype == "KB Article" else None
				frappe.db.delete("KB Deflection", {"article": name}) if doctype == "KB Article" else None
				frappe.db.delete(doctype, {"translation_of": name}) if doctype == "KB Article" else None
				frappe.db.delete(doctype, name)
			frappe.db.commit()  # nosemgrep

	def category(self, *args, **kwargs) -> str:
		name = make_kb_category(*args, **kwargs)
		self.made.append(("KB Category", name))
		return name

	def article(self, *args, **kwargs):
		doc = make_article(*args, **kwargs)
		self.made.append(("KB Article", doc.name))
		return doc

	def commit(self) -> None:
		self.committed = True
		frappe.db.commit()  # nosemgrep: InnoDB's FULLTEXT index shows committed rows only

	def word(self, base: str) -> str:
		"""A word no other test article contains."""
		return f"{base}{self.mark}"


class TestPublishingAndReview(KnowledgeBaseCase):
	def test_publishing_sets_review_date_from_category_interval(self):
		category = self.category(review_interval_days=30)
		article = self.article(category, status="Draft")
		self.assertIsNone(article.review_by)
		self.assertIsNone(article.published_on)
		article.status = "Published"
		article.save()
		self.assertEqual(getdate(article.review_by), getdate(add_days(nowdate(), 30)))
		self.assertEqual(getdate(article.last_reviewed_on), getdate(nowdate()))
		self.assertTrue(article.published_on)
		self.assertTrue(article.route.startswith("kb/"))

	def test_confirm_review_moves_date_and_clears_overdue(self):
		category = self.category(review_interval_days=90)
		article = self.article(category)
		frappe.db.set_value("KB Article", article.name, "review_by", add_days(nowdate(), -3))
		review_jobs.mark_overdue()
		self.assertEqual(frappe.db.get_value("KB Article", article.name, "review_overdue"), 1)
		article.reload()
		article.confirm_review()
		self.assertEqual(getdate(article.review_by), getdate(add_days(nowdate(), 90)))
		self.assertEqual(frappe.db.get_value("KB Article", article.name, "review_overdue"), 0)

	def test_review_reminder_goes_to_owner_once_per_run(self):
		owner = make_user(["Support Team"])
		category = self.category()
		stale = self.article(category, article_owner=owner)
		self.article(category, article_owner=owner)  # current: not listed
		draft = self.article(category, article_owner=owner, status="Draft")
		frappe.db.set_value("KB Article", [stale.name, draft.name], "review_by", add_days(nowdate(), -1))
		frappe.db.set_value("KB Article", draft.name, "review_by", add_days(nowdate(), -1))
		overdue = review_jobs.overdue_by_owner()
		self.assertEqual([row.name for row in overdue[owner]], [stale.name])
		before = frappe.db.count("Notification Log", {"for_user": owner})
		review_jobs.send_review_reminders()
		logs = frappe.get_all(
			"Notification Log", filters={"for_user": owner}, fields=["document_name", "subject"]
		)
		self.assertEqual(len(logs) - before, 1)
		self.assertIn(stale.title, logs[0].subject)
		self.assertEqual(frappe.db.get_value("KB Article", stale.name, "review_overdue"), 1)
		self.assertEqual(frappe.db.get_value("KB Article", draft.name, "review_overdue"), 0)

	def test_sitemap_lists_public_published_articles_only(self):
		from frappe.www.sitemap import get_public_pages_from_doctypes

		category = self.category()
		public = self.article(category, title=unique("Sitemap public"))
		hidden = [
			self.article(category, visibility="Customers"),
			self.article(category, visibility="Staff"),
			self.article(category, status="Draft"),
			self.article(category, status="Archived"),
		]
		get_public_pages_from_doctypes.clear_cache()
		routes = get_public_pages_from_doctypes()
		self.assertIn(public.route, routes)
		for article in hidden:
			self.assertNotIn(article.route, routes)


class TestTranslations(KnowledgeBaseCase):
	def test_translation_shares_slug_and_gets_language_route(self):
		category = self.category()
		original = self.article(category, title="Pay an invoice " + self.mark)
		russian = self.article(category, title="Оплата счёта", language="ru", translation_of=original.name)
		self.assertEqual(russian.slug, original.slug)
		self.assertEqual(russian.route, original.route + "/ru")
		with self.assertRaises(frappe.ValidationError):
			self.article(category, title="Dup", language="ru", translation_of=original.name)
		with self.assertRaises(frappe.ValidationError):
			self.article(category, title="Same", language="en", translation_of=original.name)
		# A translation of a translation points at the original.
		japanese = self.article(category, title="請求書の支払い", language="ja", translation_of=russian.name)
		self.assertEqual(japanese.translation_of, original.name)

	def test_translated_flag_follows_the_translations(self):
		# Search asks for a version in the visitor's language only for hits with this flag.
		category = self.category()
		original = self.article(category, title="Refund rules " + self.mark)
		self.assertEqual(frappe.db.get_value("KB Article", original.name, "translated"), 0)
		russian = self.article(
			category, title="Правила возврата", language="ru", translation_of=original.name
		)
		japanese = self.article(category, title="返金の規則", language="ja", translation_of=original.name)
		self.assertEqual(russian.translated, 1)
		self.assertEqual(frappe.db.get_value("KB Article", original.name, "translated"), 1)
		original.reload()
		original.save()
		self.assertEqual(frappe.db.get_value("KB Article", original.name, "translated"), 1)
		frappe.delete_doc("KB Article", russian.name, ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("KB Article", original.name, "translated"), 1)
		frappe.delete_doc("KB Article", japanese.name, ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("KB Article", original.name, "translated"), 0)
		self.assertEqual(original.search_excerpt, "Text")

	def test_search_prefers_visitor_language_and_groups_translations(self):
		category = self.category()
		word = self.word("refundx")
		original = self.article(category, title=f"Refund policy {word}", content=f"<p>{word} refunds</p>")
		self.article(
			category,
			title=f"Политика возврата {word}",
			content=f"<p>{word} возврат</p>",
			language="ru",
			translation_of=original.name,
		)
		self.commit()
		hits = search.search_articles(word, "ru")
		self.assertEqual(len(hits), 1)
		self.assertEqual(hits[0]["language"], "ru")
		self.assertTrue(hits[0]["route"].endswith("/ru"))
		hits = search.search_articles(word, "ja")
		self.assertEqual(len(hits), 1)
		self.assertEqual(hits[0]["name"], original.name)

	def test_hit_in_another_language_is_shown_in_the_visitors_with_one_more_statement(self):
		category = self.category()
		only_en = self.word("ledgerx")
		only_ru = self.word("kassax")
		original = self.article(category, title=f"Ledger {only_en}", content=f"<p>{only_en} ledger</p>")
		# An article without translations, found by a word of its own: no version in another language to ask for.
		lonely = self.article(category, title=f"Cash book {only_en}", content="<p>Cash</p>", language="de")
		russian = self.article(
			category,
			title="Книга учёта",
			content=f"<p>Книга {only_ru}</p>",
			language="ru",
			translation_of=original.name,
		)
		# A Japanese translation for customers only: never what a guest gets instead of the original.
		self.article(
			category,
			title="台帳",
			content="<p>台帳</p>",
			language="ja",
			visibility="Customers",
			translation_of=original.name,
		)
		self.commit()
		sql = frappe.db.sql
		statements = []

		def counting_sql(*args, **kwargs):
			statements.append(args[0])
			return sql(*args, **kwargs)

		search.min_token_size()  # read from the server once per process
		frappe.set_user("Guest")
		with patch.object(frappe.db, "sql", counting_sql):
			# Found by its English text only: shown as its published Russian translation, text included.
			hits = search.search_articles(only_en, "ru", use_cache=False)
		# The FULLTEXT statement, then one primary-key/`translation_of` statement for the hits that have
		# translations (the German article has none and is shown as it is).
		self.assertEqual(len(statements), 2)
		self.assertEqual(
			sorted((h["name"], h["language"]) for h in hits),
			sorted([(russian.name, "ru"), (lonely.name, "de")]),
		)
		hits = [hit for hit in hits if hit["name"] == russian.name]
		self.assertTrue(hits[0]["route"].endswith("/ru"))
		self.assertEqual(hits[0]["original"], original.name)
		self.assertIn("Книга", hits[0]["excerpt"])
		statements.clear()
		with patch.object(frappe.db, "sql", counting_sql):
			hits = search.search_articles(f"cash {only_en}", "ru", 1, use_cache=False)
		self.assertEqual([(h["name"], h["language"]) for h in hits], [(lonely.name, "de")])
		self.assertEqual(len(statements), 1)
		# Found by the Russian text only: shown as the English original to an English visitor.
		hits = search.search_articles(only_ru, "en", use_cache=False)
		self.assertEqual([(h["name"], h["language"]) for h in hits], [(original.name, "en")])
		self.assertIn(only_en, hits[0]["excerpt"])
		# A guest reading Japanese gets the original: its Japanese translation is for customers only.
		hits = search.search_articles(only_en, "ja", use_cache=False)
		self.assertEqual(
			sorted((h["name"], h["language"]) for h in hits),
			sorted([(original.name, "en"), (lonely.name, "de")]),
		)

	def test_category_titles_translate(self):
		category = self.category(
			title=unique("Billing"),
			translations=[{"language": "ru", "title": "Оплата"}, {"language": "ja", "title": "お支払い"}],
		)
		self.assertEqual(articles.category_texts("ru")[category].title, "Оплата")
		self.assertEqual(articles.category_texts("ja")[category].title, "お支払い")
		self.assertEqual(articles.category_texts("de")[category].title, category)


class TestSearch(KnowledgeBaseCase):
	def test_visibility_filters_search(self):
		category = self.category()
		word = self.word("vizz")
		public = self.article(category, title=f"{word} public")
		customers = self.article(category, title=f"{word} customers", visibility="Customers")
		staff = self.article(category, title=f"{word} staff", visibility="Staff")
		draft = self.article(category, title=f"{word} draft", status="Draft")
		archived = self.article(category, title=f"{word} archived", status="Archived")
		customer = make_user(["Customer"], "Website User")
		agent = make_user(["Support Team"])

		self.commit()

		def names(user):
			frappe.set_user(user)
			return {hit["name"] for hit in search.search_articles(word, "en", 20)}

		self.assertEqual(names("Guest"), {public.name})
		self.assertEqual(names(customer), {public.name, customers.name})
		self.assertEqual(names(agent), {public.name, customers.name, staff.name})
		for hidden in (draft.name, archived.name):
			self.assertNotIn(hidden, names(agent))

	def test_candidates_are_the_most_relevant_matches(self):
		# The FULLTEXT statement has no ORDER BY: it relies on the index scan giving the best rows first.
		# The best article is written last, so in any other order it would fall outside the candidates.
		category = self.category()
		word = self.word("ferryx")
		weak = [
			self.article(category, title=unique("Note"), content=f"<p>{word} and other things</p>")
			for _ in range(search.CANDIDATES + 5)
		]
		best = self.article(category, title=f"{word} {word}", content=f"<p>{word} {word} {word}</p>")
		self.commit()
		frappe.set_user("Guest")
		hits = search.search_articles(word, "en", 1, use_cache=False)
		self.assertEqual([hit["name"] for hit in hits], [best.name])
		self.assertEqual(len(search.search_articles(word, "en", 50, use_cache=False)), len(weak) + 1)

	def test_japanese_ranking(self):
		category = self.category()
		tag = self.word("jp")
		best = self.article(
			category,
			title=f"請求書をダウンロードする方法 {tag}",
			content=f"<p>請求書はマイページからPDFでダウンロードできます。{tag}</p>",
			language="ja",
		)
		other = self.article(
			category,
			title=f"配送状況の確認 {tag}",
			content=f"<p>配送の状況は注文履歴で確認できます。請求についてはお問い合わせください。{tag}</p>",
			language="ja",
		)
		self.commit()
		hits = [
			hit["name"]
			for hit in search.search_articles("請求書", "ja")
			if hit["name"] in (best.name, other.name)
		]
		self.assertEqual(hits, [best.name])
		hits = [
			hit["name"]
			for hit in search.search_articles("配送", "ja")
			if hit["name"] in (best.name, other.name)
		]
		self.assertEqual(hits, [other.name])
		hits = [
			hit["name"]
			for hit in search.search_articles("ダウンロード 方法", "ja")
			if hit["name"] in (best.name, other.name)
		]
		self.assertEqual(hits, [best.name])

	def test_japanese_word_is_matched_as_a_sequence(self):
		# A three-character word of this test's own (like "請求書") and an article that has both its bigrams
		# ("請求", "求書") but not in a row ("請求の要求書"): only the first is a match.
		rng = random.Random(self.mark)
		word = "".join(chr(0x4E00 + rng.randrange(20000)) for _ in range(3))
		category = self.category()
		exact = self.article(category, title=f"{word}の再発行", content="<p>再発行</p>", language="ja")
		apart = self.article(
			category, title=f"{word[:2]}の要{word[1:]}", content="<p>要求</p>", language="ja"
		)
		self.commit()
		names = [hit["name"] for hit in search.search_articles(word, "ja", 20, use_cache=False)]
		self.assertEqual(names, [exact.name])
		self.assertNotIn(apart.name, names)

	def test_russian_ranking_with_inflection(self):
		category = self.category()
		tag = self.word("ru")
		payment = self.article(
			category,
			title=f"Как оплатить счёт картой {tag}",
			content=f"<p>Оплата счета возможна банковской картой. {tag}</p>",
			language="ru",
		)
		delivery = self.article(
			category,
			title=f"Сроки доставки {tag}",
			content=f"<p>Доставка занимает три дня. Оплата при получении невозможна. {tag}</p>",
			language="ru",
		)
		self.commit()
		hits = [
			h["name"]
			for h in search.search_articles("оплата счета", "ru")
			if h["name"] in (payment.name, delivery.name)
		]
		self.assertEqual(hits[0], payment.name)
		hits = [
			h["name"]
			for h in search.search_articles("доставку", "ru")
			if h["name"] in (payment.name, delivery.name)
		]
		self.assertEqual(hits, [delivery.name])

	def test_short_english_terms(self):
		category = self.category()
		tag = self.word("en")
		vat = self.article(
			category,
			title=f"VAT on invoices {tag}",
			content=f"<p>We charge VAT at the rate of your country. {tag}</p>",
		)
		pdf = self.article(
			category,
			title=f"Download a PDF copy {tag}",
			content=f"<p>Every invoice is available as a PDF. {tag}</p>",
		)
		ids = self.article(
			category,
			title=f"Where is my customer ID {tag}",
			content=f"<p>Your ID is on every invoice. {tag}</p>",
		)
		mine = {vat.name, pdf.name, ids.name}
		self.commit()
		self.assertEqual([h["name"] for h in search.search_articles("VAT") if h["name"] in mine], [vat.name])
		self.assertEqual([h["name"] for h in search.search_articles("pdf") if h["name"] in mine], [pdf.name])
		self.assertEqual([h["name"] for h in search.search_articles("ID") if h["name"] in mine], [ids.name])
		self.assertEqual(
			[h["name"] for h in search.search_articles("invoice") if h["name"] in mine][:1], [vat.name]
		)

	def test_prefix_suggestions(self):
		category = self.category()
		word = self.word("passwordreset")
		article = self.article(category, title=f"Reset {word}")
		self.commit()
		hits = search.search_articles(word[:-3], "en", prefix_last=True)
		self.assertIn(article.name, [h["name"] for h in hits])


class FakeRequest:
	def __init__(self, agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", cookies=None):
		self.headers = {"User-Agent": agent}
		self.cookies = cookies or {}


class TestCounters(KnowledgeBaseCase):
	def request(self, agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", cookies=None, ip="203.0.113.5"):
		frappe.local.request = FakeRequest(agent, cookies)
		frappe.local.request_ip = ip

	def test_views_counted_once_per_visitor_bots_never_and_no_document_save(self):
		category = self.category()
		article = self.article(category)
		modified = frappe.db.get_value("KB Article", article.name, "modified")
		frappe.set_user("Guest")
		self.request(ip="203.0.113.10")
		self.assertTrue(views.count_view(article.name))
		self.assertFalse(views.count_view(article.name))  # a reload
		self.request(ip="203.0.113.11")
		self.assertTrue(views.count_view(article.name))
		self.request(agent="Mozilla/5.0 (compatible; Googlebot/2.1)", ip="203.0.113.12")
		self.assertFalse(views.count_view(article.name))
		frappe.set_user("Administrator")
		self.assertEqual(views.pending_counts().get(article.name), 2)
		views.flush_view_counts()
		self.assertEqual(frappe.db.get_value("KB Article", article.name, "view_count"), 2)
		self.assertEqual(frappe.db.get_value("KB Article", article.name, "modified"), modified)
		self.assertIsNone(views.pending_counts().get(article.name))

	def test_one_vote_per_visitor(self):
		category = self.category()
		article = self.article(category)
		customer = make_user(["Customer"], "Website User")
		frappe.set_user(customer)
		self.request()
		votes.cast_vote(article.name, True)
		votes.cast_vote(article.name, True, "Clear, thanks")
		self.assertEqual(
			frappe.db.get_value("KB Article", article.name, ["helpful_count", "not_helpful_count"]), (1, 0)
		)
		votes.cast_vote(article.name, False)  # changed their mind: still one vote
		self.assertEqual(
			frappe.db.get_value("KB Article", article.name, ["helpful_count", "not_helpful_count"]), (0, 1)
		)
		frappe.set_user("Guest")
		self.request(cookies={"sc_kb_visitor": "a" * 32}, ip="198.51.100.7")
		votes.cast_vote(article.name, True)
		# The same guest without the cookie, from the same address and browser: not counted again.
		self.request(cookies={}, ip="198.51.100.7")
		with self.assertRaises(frappe.DuplicateEntryError):
			votes.cast_vote(article.name, True)
		self.assertEqual(frappe.db.count("KB Feedback", {"article": article.name}), 2)
		self.assertEqual(
			frappe.db.get_value("KB Article", article.name, ["helpful_count", "not_helpful_count"]), (1, 1)
		)
		self.assertEqual(
			frappe.db.get_value("KB Feedback", {"article": article.name, "user": customer}, "comment"),
			"Clear, thanks",
		)

	def test_vote_refused_for_unreadable_article(self):
		category = self.category()
		draft = self.article(category, status="Draft")
		staff = self.article(category, visibility="Staff")
		frappe.set_user("Guest")
		self.request()
		for article in (draft, staff):
			with self.assertRaises(frappe.DoesNotExistError):
				votes.cast_vote(article.name, True)

	def test_deflection_opened_solved_and_filed(self):
		category = self.category()
		first = self.article(category)
		second = self.article(category)
		customer = make_user(["Customer"], "Website User")
		frappe.set_user(customer)
		self.request()
		deflection.record(first.name, "Opened", "cannot pay")
		deflection.record(first.name, "Opened", "cannot pay")  # opened twice: one row
		deflection.record(second.name, "Opened", "cannot pay")
		deflection.record(second.name, "Solved")
		rows = {
			row.article: row
			for row in frappe.get_all(
				"KB Deflection", filters={"user": customer}, fields=["article", "outcome", "deflected"]
			)
		}
		self.assertEqual(len(rows), 2)
		self.assertEqual((rows[first.name].outcome, rows[first.name].deflected), ("Opened", 1))
		self.assertEqual((rows[second.name].outcome, rows[second.name].deflected), ("Solved", 1))
		ticket = frappe._dict(name="123456789", channel="Portal", get=lambda key: "Portal")
		deflection.on_ticket_after_insert(ticket)
		rows = {
			row.article: row
			for row in frappe.get_all(
				"KB Deflection",
				filters={"user": customer},
				fields=["article", "outcome", "deflected", "ticket"],
			)
		}
		self.assertEqual(
			(rows[first.name].outcome, rows[first.name].deflected, rows[first.name].ticket),
			("Ticket Filed", 0, "123456789"),
		)
		self.assertEqual(rows[second.name].outcome, "Solved")


class TestGapReport(KnowledgeBaseCase):
	def test_gaps_rank_unanswered_categories_subjects_and_empty_searches(self):
		from support_center.support_center.report.kb_gap_report.kb_gap_report import execute
		from support_center.tests.factories import make_category, make_ticket

		category = make_category(title=unique("Gap topic"))
		article = self.article(self.category())
		subject = f"Refund missing {self.mark}"
		for _ in range(3):
			make_ticket(subject=subject, category=category)
		answered = make_ticket(subject=f"missing refund {self.mark}", category=category)
		frappe.db.set_value("Ticket", answered.name, "answered_by_article", article.name)
		for _ in range(2):
			frappe.get_doc(
				{
					"doctype": "KB Search Log",
					"query": f"Lost {self.mark}",
					"normalized_query": f"lost {self.mark}",
					"results": 0,
				}
			).insert(ignore_permissions=True)
		_columns, data = execute({"min_volume": 1})
		by_item = {row["item"]: row for row in data}
		self.assertEqual(
			(by_item[category]["tickets"], by_item[category]["answered"], by_item[category]["volume"]),
			(4, 1, 3),
		)
		key = " ".join(sorted(["refund", "missing", self.mark]))
		self.assertEqual((by_item[key]["tickets"], by_item[key]["volume"]), (4, 3))
		self.assertEqual(by_item[f"lost {self.mark}"]["volume"], 2)
		volumes = [row["volume"] for row in data]
		self.assertEqual(volumes, sorted(volumes, reverse=True))


class TestKbBenchmark(KnowledgeBaseCase):
	def test_the_kb_area_measures_search_against_a_key_lookup_and_cleans_up(self):
		from support_center.benchmarks import run
		from support_center.benchmarks.kb import PREFIX

		lines = []
		figures = {
			figure.name: figure for figure in run(Scale(articles=300, repeats=1), ["kb"], lines.append)
		}
		self.assertEqual(figures["kb_articles"].value, 300)
		self.assertGreater(figures["kb_queries_with_results"].value, 10)
		p95 = figures["kb_search_p95_seconds"]
		self.assertGreater(p95.value, 0)
		self.assertGreater(p95.reference, 0)
		self.assertEqual(p95.max_ratio, 5)
		self.assertFalse(frappe.db.exists("KB Article", {"name": ("like", f"{PREFIX}%")}))
		self.assertEqual(frappe.session.user, "Administrator")
