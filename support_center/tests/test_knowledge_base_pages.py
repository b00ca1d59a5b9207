"""Knowledge base over real HTTP: the pages' language choice, fallback and hreflang, titles, view counts,
one vote per visitor, deflection on /support/new, the agents' tools and the gap report."""

import re

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password

from support_center.knowledge_base import views
from support_center.tests.factories import make_user, portal_customer, unique
from support_center.tests.http_site import LiveSite
from support_center.tests.kb_factories import make_article, make_kb_category

PASSWORD = "Kb-Test-Password-42"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
API = "/api/method/support_center.api.knowledge_base"


class TestKnowledgeBasePages(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.mark = frappe.generate_hash(length=6).lower()
		cls.category = make_kb_category(
			title=unique("Shipping"), translations=[{"language": "ru", "title": f"Доставка {cls.mark}"}]
		)
		cls.original = make_article(
			cls.category,
			title=f"Track a parcel {cls.mark}",
			content=f"<p>English text {cls.mark}</p>",
			summary=f"Follow your parcel {cls.mark}",
		)
		cls.russian = make_article(
			cls.category,
			title=f"Отследить посылку {cls.mark}",
			content=f"<p>Русский текст {cls.mark}</p>",
			language="ru",
			translation_of=cls.original.name,
		)
		cls.second = make_article(cls.category, title=f"Second article {cls.mark}")
		cls.viewed = make_article(cls.category, title=f"Viewed article {cls.mark}")
		cls.customer = portal_customer()
		update_password(cls.customer.user, PASSWORD)
		cls.agent = make_user(["Support Team"])
		update_password(cls.agent, PASSWORD)
		frappe.db.commit()  # nosemgrep: the server process only sees committed records
		cls.site = LiveSite()

	@classmethod
	def tearDownClass(cls):
		cls.site.stop()
		# The committed knowledge base rows would show up in other searches on this site.
		frappe.db.rollback()
		names = frappe.get_all("KB Article", filters={"kb_category": cls.category}, pluck="name")
		for doctype in ("KB Feedback", "KB Deflection"):
			frappe.db.delete(doctype, {"article": ("in", names or [""])})
		frappe.db.delete("KB Article", {"kb_category": cls.category})
		frappe.db.delete("KB Article", {"title": ("like", f"%{cls.mark}%")})
		frappe.db.delete("KB Category Translation", {"parent": cls.category})
		frappe.db.delete("KB Category", cls.category)
		frappe.db.commit()  # nosemgrep: removes what setUpClass committed
		super().tearDownClass()

	def browser(self, user: str | None = None, language: str = "en"):
		session = self.site.session(user, PASSWORD if user else None)
		session.headers["User-Agent"] = BROWSER
		session.headers["Accept-Language"] = language
		return session

	def url(self, route: str) -> str:
		return f"{self.site.url}/{route.lstrip('/')}"

	def test_language_negotiation_fallback_and_hreflang(self):
		russian = self.browser(language="ru-RU,ru;q=0.9")
		page = russian.get(self.url(self.original.route), timeout=60)
		self.assertEqual(page.status_code, 200)
		self.assertIn(f"Русский текст {self.mark}", page.text)
		self.assertIn(f'hreflang="en" href="{self.url(self.original.route)}"', page.text)
		self.assertIn(f'hreflang="ru" href="{self.url(self.russian.route)}"', page.text)
		self.assertIn('hreflang="x-default"', page.text)
		self.assertIn(f'rel="canonical" href="{self.url(self.russian.route)}"', page.text)
		self.assertIn(f"<title>Отследить посылку {self.mark}", page.text)
		self.assertIn(f"Доставка {self.mark}", page.text)  # the category's title, translated
		self.assertNotIn("kb-note", page.text)

		# Japanese: no translation, so the original with a note; `_lang` chooses as Frappe does.
		japanese = self.browser().get(self.url(self.original.route), params={"_lang": "ja"}, timeout=60)
		self.assertIn(f"English text {self.mark}", japanese.text)
		self.assertIn('class="kb-note"', japanese.text)
		self.assertIn('<div class="kb" dir="ltr" lang="ja">', japanese.text)
		arabic = self.browser(language="ar").get(self.url(self.original.route), timeout=60)
		self.assertIn('dir="rtl" lang="ar"', arabic.text)
		self.assertIn('<article class="kb-article" lang="en" dir="ltr">', arabic.text)

		# A language's own URL shows that language whoever asks; unknown ones are not pages.
		explicit = self.browser().get(self.url(self.russian.route), timeout=60)
		self.assertIn(f"Русский текст {self.mark}", explicit.text)
		self.assertNotIn('class="kb-note"', explicit.text)
		for missing in (
			self.original.route + "/de",
			self.original.route + "/en",
			self.original.route + "/xx",
		):
			self.assertEqual(self.browser().get(self.url(missing), timeout=60).status_code, 404, missing)

		meta = re.search(r'<meta name="description" content="([^"]*)"', page.text)
		self.assertTrue(meta)
		english = self.browser().get(self.url(self.original.route), timeout=60)
		self.assertIn(f'<meta name="description" content="Follow your parcel {self.mark}"', english.text)

	def test_category_and_index_pages(self):
		slug = frappe.db.get_value("KB Category", self.category, "slug")
		page = self.browser(language="ru").get(self.url(f"/kb/{slug}"), timeout=60)
		self.assertEqual(page.status_code, 200)
		self.assertIn(f"Доставка {self.mark}", page.text)
		self.assertIn(f"Отследить посылку {self.mark}", page.text)
		self.assertIn(f"Second article {self.mark}", page.text)
		self.assertNotIn(f"Track a parcel {self.mark}", page.text)  # one entry per article
		index = self.browser().get(self.url("/kb"), params={"q": f"parcel {self.mark}"}, timeout=60)
		self.assertIn(f"Track a parcel {self.mark}", index.text)
		frappe.db.rollback()
		self.assertTrue(
			frappe.db.exists("KB Search Log", {"query": f"parcel {self.mark}", "source": "Portal"})
		)

	def test_views_are_counted_once_per_visitor_and_not_for_bots(self):
		before = views.pending_counts().get(self.viewed.name, 0)
		visitor = self.browser()
		for _ in range(3):
			self.assertEqual(visitor.get(self.url(self.viewed.route), timeout=60).status_code, 200)
		bot = self.browser()
		bot.headers["User-Agent"] = "Mozilla/5.0 (compatible; bingbot/2.0)"
		bot.get(self.url(self.viewed.route), timeout=60)
		customer = self.browser(self.customer.user)
		customer.get(self.url(self.viewed.route), timeout=60)
		customer.get(self.url(self.viewed.route), timeout=60)
		self.assertEqual(views.pending_counts().get(self.viewed.name, 0) - before, 2)

	def test_one_vote_per_visitor(self):
		article = self.second.name
		guest = self.browser()
		self.assertTrue(guest.get(self.url(self.second.route), timeout=60).ok)  # gets the visitor cookie
		first = guest.post(
			f"{API}.vote".replace("/api", self.site.url + "/api", 1), data={"article": article, "helpful": 1}
		)
		self.assertTrue(first.ok, first.text[:300])
		again = guest.post(
			self.site.url + f"{API}.vote", data={"article": article, "helpful": 1, "comment": "Clear"}
		)
		self.assertTrue(again.ok, again.text[:300])
		customer = self.browser(self.customer.user)
		self.assertTrue(
			customer.post(self.site.url + f"{API}.vote", data={"article": article, "helpful": 0}).ok
		)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("KB Feedback", {"article": article}), 2)
		self.assertEqual(
			frappe.db.get_value("KB Article", article, ["helpful_count", "not_helpful_count"]), (1, 1)
		)
		self.assertTrue(frappe.db.exists("KB Feedback", {"article": article, "comment": "Clear"}))

	def test_deflection_counting_on_new_requests(self):
		customer = self.browser(self.customer.user)
		suggestions = customer.get(
			self.site.url + f"{API}.suggest", params={"subject": f"track parc {self.mark}"}
		)
		self.assertIn(self.original.name, [hit["original"] for hit in suggestions.json()["message"]])
		opened = customer.post(
			self.site.url + f"{API}.record_deflection",
			data={"article": self.original.name, "outcome": "Opened", "query": "track parcel"},
		)
		self.assertTrue(opened.ok, opened.text[:300])
		solved = customer.post(
			self.site.url + f"{API}.record_deflection",
			data={"article": self.second.name, "outcome": "Solved"},
		)
		self.assertTrue(solved.ok, solved.text[:300])
		frappe.db.rollback()
		rows = frappe.get_all(
			"KB Deflection", filters={"user": self.customer.user}, fields=["article", "outcome", "deflected"]
		)
		self.assertEqual(
			{(row.article, row.outcome, row.deflected) for row in rows},
			{(self.original.name, "Opened", 1), (self.second.name, "Solved", 1)},
		)
		# The customer files the request anyway: the opened suggestion did not deflect it.
		filed = customer.post(
			self.site.url + "/api/method/support_center.api.portal.file_request",
			data={"subject": f"Parcel lost {self.mark}", "description": "Still missing"},
		)
		self.assertTrue(filed.ok, filed.text[:300])
		ticket = filed.json()["message"]["ticket"]
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value(
				"KB Deflection",
				{"user": self.customer.user, "article": self.original.name},
				["outcome", "deflected", "ticket"],
			),
			("Ticket Filed", 0, str(ticket)),
		)
		self.assertEqual(
			frappe.db.get_value(
				"KB Deflection", {"user": self.customer.user, "article": self.second.name}, "outcome"
			),
			"Solved",
		)
		# A guest who opens a suggestion and leaves counts as deflected.
		guest = self.browser()
		guest.get(self.url("/kb"), timeout=60)
		self.assertTrue(
			guest.post(self.site.url + f"{API}.record_deflection", data={"article": self.second.name}).ok
		)
		frappe.db.rollback()
		self.assertTrue(
			frappe.db.exists(
				"KB Deflection", {"user": ("is", "not set"), "article": self.second.name, "deflected": 1}
			)
		)

	def test_agent_tools(self):
		agent = self.browser(self.agent)
		ticket = frappe.get_doc(
			{
				"doctype": "Ticket",
				"subject": f"Where is my parcel {self.mark}",
				"raised_by": self.customer.user,
				"contact": self.customer.contact,
				"customer": self.customer.customer,
				"description": "<p>It has not arrived.</p>",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("User", self.customer.user, "language", "ru")
		frappe.db.commit()  # nosemgrep: the server process only sees committed records
		found = agent.post(
			self.site.url + f"{API}.agent_search", data={"ticket": ticket.name, "q": f"parcel {self.mark}"}
		)
		self.assertTrue(found.ok, found.text[:300])
		self.assertEqual(found.json()["message"]["language"], "ru")
		self.assertEqual(found.json()["message"]["articles"][0]["name"], self.russian.name)
		link = agent.post(
			self.site.url + f"{API}.article_link", data={"ticket": ticket.name, "article": self.original.name}
		).json()["message"]
		self.assertEqual(link["name"], self.russian.name)
		self.assertTrue(link["url"].endswith(self.russian.route))
		marked = agent.post(
			self.site.url + f"{API}.mark_answered",
			data={"ticket": ticket.name, "article": self.original.name},
		)
		self.assertTrue(marked.ok, marked.text[:300])
		drafted = agent.post(self.site.url + f"{API}.draft_from_ticket", data={"ticket": ticket.name})
		self.assertTrue(drafted.ok, drafted.text[:300])
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value("Ticket", ticket.name, "answered_by_article"), self.original.name
		)
		draft = frappe.get_doc("KB Article", drafted.json()["message"])
		self.assertEqual(
			(draft.status, draft.source_ticket, draft.language), ("Draft", str(ticket.name), "ru")
		)
		self.assertIn("It has not arrived.", draft.content)
		# The draft is not on the site for customers.
		self.assertEqual(
			self.browser(self.customer.user).get(self.url(draft.route), timeout=60).status_code, 404
		)

	def test_votes_are_rate_limited_per_address(self):
		key = frappe.cache.make_key("rl:support_center.api.knowledge_base.vote:127.0.0.1")
		frappe.cache.delete(key)
		try:
			guest = self.browser()
			statuses = [
				guest.post(
					self.site.url + f"{API}.vote",
					data={"article": self.second.name, "helpful": 1},
					timeout=60,
				).status_code
				for _ in range(32)
			]
			self.assertNotIn(429, statuses[:30])
			self.assertEqual(statuses[-1], 429)
		finally:
			# Other tests vote from this address too.
			frappe.cache.delete(key)
