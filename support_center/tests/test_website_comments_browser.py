"""Website comments end to end in headless Chromium: a reader's complaint under a blog post becomes a
ticket, the agent makes tickets of comments from the Blog Post form and answers from the ticket, and the
answer appears under the post once. Screenshots go to $SUPPORT_CENTER_SHOTS (default /tmp/shots14)."""

import os

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password

from support_center.tests.factories import make_user, portal_customer, unique
from support_center.tests.http_site import LiveSite

SHOTS = os.environ.get("SUPPORT_CENTER_SHOTS", "/tmp/shots14")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Comment-Browser-Test-42"


class TestWebsiteCommentsBrowser(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from playwright.sync_api import sync_playwright

		os.makedirs(SHOTS, exist_ok=True)
		frappe.set_user("Administrator")
		frappe.db.set_value("Support Channel", {"channel_type": "Website Comments"}, "enabled", 0)
		cls.made = []

		def make(values):
			doc = frappe.get_doc(values).insert(ignore_permissions=True)
			cls.made.append((doc.doctype, doc.name))
			return doc

		cls.channel = make(
			{
				"doctype": "Support Channel",
				"channel_name": unique("Blog Comments"),
				"channel_type": "Website Comments",
				"enabled": 1,
				"trigger_words": "refund\nbroken",
				"public_name": "Acme Support",
			}
		).name
		blogger = make(
			{"doctype": "Blogger", "short_name": unique("bl").replace(" ", ""), "full_name": "Editor"}
		)
		category = make({"doctype": "Blog Category", "title": unique("News")})
		cls.post = make(
			{
				"doctype": "Blog Post",
				"title": unique("Our new kettle"),
				"blog_category": category.name,
				"blogger": blogger.name,
				"content_type": "Markdown",
				"content_md": "Meet the kettle that never leaks.",
				"published": 1,
			}
		)
		cls.agent = make_user(["Support Team", "Support Manager"])
		update_password(cls.agent, PASSWORD)
		cls.reader = portal_customer()
		update_password(cls.reader.user, PASSWORD)
		frappe.db.commit()  # nosemgrep: the web server process only sees committed records
		cls.site = LiveSite()
		cls.playwright = sync_playwright().start()
		cls.browser = cls.playwright.chromium.launch(
			executable_path=CHROMIUM,
			args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
		)

	@classmethod
	def tearDownClass(cls):
		cls.browser.close()
		cls.playwright.stop()
		cls.site.stop()
		frappe.set_user("Administrator")
		for ticket in frappe.get_all("Ticket", filters={"support_channel": cls.channel}, pluck="name"):
			frappe.db.delete("Channel Delivery", {"ticket": ticket})
			frappe.delete_doc("Ticket", ticket, force=True, ignore_permissions=True)
		frappe.db.delete("Intake Message", {"support_channel": cls.channel})
		frappe.db.delete("Comment", {"reference_doctype": "Blog Post", "reference_name": cls.post.name})
		for doctype, name in reversed(cls.made):
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: undo what setUpClass committed
		super().tearDownClass()

	def shot(self, page, name: str) -> None:
		page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)

	def test_a_complaint_under_a_post_is_answered_there_once(self):
		reader = self.site.session(self.reader.user, PASSWORD)
		for text in ("Lovely design!", "Mine arrived broken, I want a refund"):
			response = reader.post(
				f"{self.site.url}/api/method/frappe.templates.includes.comments.comments.add_comment",
				data={
					"comment": text,
					"comment_email": self.reader.user,
					"comment_by": "Audrey",
					"reference_doctype": "Blog Post",
					"reference_name": self.post.name,
					"route": self.post.route,
				},
				timeout=60,
			)
			self.assertTrue(response.ok, response.text[:300])
		frappe.db.commit()  # nosemgrep: a new snapshot, to see what the server committed
		tickets = frappe.get_all("Ticket", filters={"support_channel": self.channel}, pluck="name")
		self.assertEqual(len(tickets), 1, "only the complaint became a ticket")
		ticket = tickets[0]

		context = self.browser.new_context(viewport={"width": 1280, "height": 900})
		page = context.new_page()
		page.goto(f"{self.site.url}/login")
		page.fill("#login_email", self.agent)
		page.fill("#login_password", PASSWORD)
		page.click(".btn-login")
		page.wait_for_url("**/app**", timeout=30000)
		page.goto(f"{self.site.url}/app/query-report/Website Comments")
		page.locator(f"a[href='/app/ticket/{ticket}']").first.wait_for(timeout=30000)
		# The agent's click on the reader's other comment: it joins their open ticket on this page.
		page.locator(".sc-make-ticket").first.click()
		page.wait_for_selector("text=Ticket ", timeout=15000)
		page.wait_for_function("document.querySelectorAll('.sc-make-ticket').length === 0", timeout=15000)
		self.shot(page, "13-website-comments-report-1280")
		frappe.db.commit()  # nosemgrep: a new snapshot, to see what the server committed
		self.assertEqual(frappe.db.count("Ticket", {"support_channel": self.channel}), 1)
		self.assertTrue(
			frappe.db.exists(
				"Communication", {"reference_name": str(ticket), "content": ("like", "%Lovely design%")}
			)
		)

		page.goto(f"{self.site.url}/app/ticket/{ticket}")
		page.get_by_role("button", name="Reply in Website Comments").click()
		reply = page.locator(".modal.show")
		reply.locator("textarea[data-fieldname='text']").fill("Sorry about that! A new kettle is on its way.")
		reply.get_by_role("button", name="Send").click()
		page.wait_for_selector("text=Reply queued", timeout=15000)
		context.close()
		# The background worker's part (the test server runs none): deliver what the reply queued.
		from support_center.channels.delivery import attempt

		frappe.db.commit()  # nosemgrep: a new snapshot, to see what the server committed
		queued = frappe.get_all(
			"Channel Delivery", filters={"ticket": ticket, "status": "Queued"}, pluck="name"
		)
		self.assertEqual(len(queued), 1)
		self.assertEqual(attempt(queued[0]), "Sent")
		self.assertEqual(attempt(queued[0]), "Sent", "a second run posts nothing")
		frappe.db.commit()  # nosemgrep: the server process only sees committed records

		context = self.browser.new_context(viewport={"width": 360, "height": 800})
		page = context.new_page()
		page.goto(f"{self.site.url}/{self.post.route}")
		page.wait_for_selector("text=A new kettle is on its way", timeout=30000)
		self.assertEqual(page.locator("text=A new kettle is on its way").count(), 1)
		page.locator("text=A new kettle is on its way").scroll_into_view_if_needed()
		self.shot(page, "14-answer-under-the-post-360")
		context.close()
		frappe.db.commit()  # nosemgrep: a new snapshot, to see what the server committed
		self.assertEqual(
			frappe.db.count(
				"Comment",
				{
					"reference_doctype": "Blog Post",
					"reference_name": self.post.name,
					"comment_by": "Acme Support",
				},
			),
			1,
		)
