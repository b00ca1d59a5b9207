"""A customer's whole way through the portal in headless Chromium (playwright, /usr/bin/chromium):
search -> a new request with an attachment -> an agent's reply from the desk -> the customer reads it and
answers -> the desk resolves -> the rating from the resolution mail's link, without logging in.

The site is served over real HTTP (LiveSite) and sees only committed records, so this class commits its
records and removes them afterwards. Chromium missing is a failure, not a skip.
"""

import json
import os
import re
import time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password

from support_center.tests.factories import make_agent, make_category, make_team, portal_customer, unique
from support_center.tests.http_site import LiveSite
from support_center.tests.test_acknowledgement import outgoing_account, queued

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Portal-Browser-Test-42"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class TestPortalInChromium(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not os.path.exists(CHROMIUM):
			raise AssertionError(f"{CHROMIUM} is missing: apt-get install -y chromium")
		from playwright.sync_api import sync_playwright

		frappe.set_user("Administrator")
		outgoing_account()
		cls.customer = portal_customer()
		cls.agent = make_agent()
		for user in (cls.customer.user, cls.agent):
			update_password(user, PASSWORD)
		cls.topic_title = unique("Deliveries")
		cls.topic = make_category(title=cls.topic_title, published=1, team=make_team([cls.agent]))
		frappe.db.commit()  # nosemgrep: the server process only sees committed records
		cls.site = LiveSite()
		cls.playwright = sync_playwright().start()
		cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)

	@classmethod
	def tearDownClass(cls):
		cls.browser.close()
		cls.playwright.stop()
		cls.site.stop()
		frappe.set_user("Administrator")
		frappe.db.rollback()
		for name in frappe.get_all("Ticket", filters={"contact": cls.customer.contact}, pluck="name"):
			messages = frappe.get_all(
				"Communication",
				filters={"reference_doctype": "Ticket", "reference_name": str(name)},
				pluck="name",
			)
			if messages:
				frappe.db.delete(
					"File", {"attached_to_doctype": "Communication", "attached_to_name": ("in", messages)}
				)
			for doctype, field in (("Communication", "reference_name"), ("Comment", "reference_name")):
				frappe.db.delete(doctype, {"reference_doctype": "Ticket", field: str(name)})
			frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": str(name)})
			frappe.db.delete("File", {"attached_to_doctype": "Ticket", "attached_to_name": str(name)})
			frappe.db.delete("Intake Message", {"ticket": name})
			frappe.db.delete("Ticket", {"name": name})
		frappe.delete_doc("Support Category", cls.topic, ignore_permissions=True, force=True)
		frappe.db.commit()  # nosemgrep: remove what this class committed for the server
		super().tearDownClass()

	def shot(self, page, name: str) -> None:
		"""Screenshots for a look, when SUPPORT_CENTER_SHOTS names a folder."""
		folder = os.environ.get("SUPPORT_CENTER_SHOTS")
		if folder:
			os.makedirs(folder, exist_ok=True)
			page.screenshot(path=os.path.join(folder, f"browser-{name}.png"), full_page=True)

	def login(self, context, user: str) -> None:
		response = context.request.post(
			f"{self.site.url}/api/method/login", form={"usr": user, "pwd": PASSWORD}
		)
		self.assertTrue(response.ok, response.text()[:200])

	def test_search_file_reply_resolve_and_rate_from_the_mail(self):
		started = time.monotonic()
		url = self.site.url
		context = self.browser.new_context(viewport={"width": 1280, "height": 900})
		page = context.new_page()
		self.login(context, self.customer.user)

		# /support: the search box goes to the knowledge base with the query.
		page.goto(f"{url}/support")
		page.get_by_label("Search our help articles").fill("parcel late")
		page.get_by_role("button", name="Search").click()
		page.wait_for_url(re.compile(r"/kb\?q=parcel\+late"))

		# /support/new: topic, subject, description and an attachment.
		page.goto(f"{url}/support")
		page.get_by_role("link", name="New request").first.click()
		page.wait_for_url(re.compile(r"/support/new"))
		page.get_by_label("Topic").select_option(self.topic)
		page.get_by_label("Subject").fill("Parcel SO-7 is late")
		page.get_by_label("Description").fill("It was due **Monday**.")
		page.set_input_files(
			"#sc-attachments",
			files=[
				{
					"name": "receipt.txt",
					"mimeType": "text/plain",
					"buffer": f"Order SO-7 receipt {self.topic}".encode(),
				}
			],
		)
		self.shot(page, "new-filled")
		page.get_by_role("button", name="Send request").click()
		page.wait_for_url(re.compile(r"/support/tickets/\d+\?filed=1"))
		self.assertIn("has reached us", page.inner_text("body"))
		self.shot(page, "filed")
		ticket = int(re.search(r"/support/tickets/(\d+)", page.url).group(1))
		frappe.db.rollback()
		row = frappe.db.get_value("Ticket", ticket, ["contact", "category", "subject"], as_dict=True)
		self.assertEqual((row.contact, row.category), (self.customer.contact, self.topic))
		self.assertTrue(page.get_by_role("link", name=re.compile(r"receipt.*\.txt")).count())

		# The agent replies from the desk (the composer's endpoint, over HTTP as the agent).
		agent = self.site.session(self.agent, PASSWORD)
		reply = agent.post(
			f"{url}/api/method/frappe.core.doctype.communication.email.make",
			data={
				"doctype": "Ticket",
				"name": ticket,
				"content": "<p>The courier has it; it arrives tomorrow.</p>",
				"subject": f"Re: Parcel SO-7 is late #{ticket}",
				"recipients": self.customer.user,
				"send_email": 1,
				"sent_or_received": "Sent",
			},
			timeout=60,
		)
		self.assertTrue(reply.ok, reply.text[:300])

		# The customer sees it and answers.
		page.reload()
		self.assertIn("The courier has it", page.content())
		page.get_by_label("Your message").fill("Thanks, I will wait.")
		page.get_by_role("button", name="Send reply").click()
		page.wait_for_load_state("networkidle")
		page.wait_for_function("document.body.innerText.includes('Thanks, I will wait.')")
		self.shot(page, "conversation")

		# The desk resolves it through the workflow, as the form's button does.
		doc = agent.get(f"{url}/api/resource/Ticket/{ticket}", timeout=60).json()["data"]
		resolved = agent.post(
			f"{url}/api/method/frappe.model.workflow.apply_workflow",
			data={"doc": json.dumps(doc), "action": "Resolve"},
			timeout=60,
		)
		self.assertTrue(resolved.ok, resolved.text[:300])

		# The resolution mail's 4-star link works in a fresh browser, without logging in.
		frappe.db.rollback()
		links = [
			link
			for _recipients, message in queued(frappe._dict(name=ticket))
			for part in message.walk()
			if part.get_content_type() == "text/html"
			for link in re.findall(
				r'href="([^"]*/support/feedback[^"]*kind=rating[^"]*score=4(?:&amp;[^"]*)?)"',
				part.get_content(),
			)
		]
		self.assertEqual(len(links), 1, "the resolution mail carries one 4-star link")
		link = links[0].replace("&amp;", "&")
		link = f"{url}{link[link.index('/support/feedback') :]}"
		guest = self.browser.new_context(viewport={"width": 360, "height": 800})
		guest_page = guest.new_page()
		guest_page.goto(link)
		self.assertTrue(guest_page.locator("#sc-rating-4").is_checked())
		self.shot(guest_page, "rating-link-360")
		guest_page.get_by_label("Comment (optional)").fill("Quick and friendly")
		guest_page.get_by_role("button", name="Send rating").click()
		guest_page.wait_for_function("document.body.innerText.includes('Thank you for your feedback.')")
		self.shot(guest_page, "rated-360")
		frappe.db.rollback()
		rating = frappe.db.get_value(
			"Ticket", ticket, ["feedback_rating", "feedback_comment", "feedback_submitted_on"], as_dict=True
		)
		self.assertAlmostEqual(rating.feedback_rating, 0.8)
		self.assertEqual(rating.feedback_comment, "Quick and friendly")
		self.assertTrue(rating.feedback_submitted_on)
		# The same link again: the answer is kept, not replaced.
		guest_page.goto(link)
		self.assertIn("we already have your answer", guest_page.content())
		guest.close()
		context.close()
		self.assertLess(time.monotonic() - started, 120)
