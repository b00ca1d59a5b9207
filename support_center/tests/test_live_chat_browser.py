"""The site chat in headless Chromium: a guest's first message, the agent's reply from the ticket form,
the answer back in the open chat within seconds, the conversation again after a reload; at 1280 and
360 px wide, and right-to-left in Arabic. Screenshots go to $SUPPORT_CENTER_SHOTS (default /tmp/shots14).

The loader is put on the site by the website setting (Website Settings > Head HTML), as a site owner
would, and the test runs against a real web server process (tests/http_site.py).
"""

import os
import re
import time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password

from support_center.tests.factories import make_user, unique
from support_center.tests.http_site import LiveSite

SHOTS = os.environ.get("SUPPORT_CENTER_SHOTS", "/tmp/shots14")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Chat-Browser-Test-42"
PAGE = "/contact"


class TestLiveChatBrowser(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from playwright.sync_api import sync_playwright

		os.makedirs(SHOTS, exist_ok=True)
		frappe.set_user("Administrator")
		cls.channel = (
			frappe.get_doc(
				{
					"doctype": "Support Channel",
					"channel_name": unique("Site Chat"),
					"channel_type": "Chat",
					"enabled": 1,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		cls.agent = make_user(["Support Team", "Support Manager"])
		update_password(cls.agent, PASSWORD)
		cls.head_html = frappe.db.get_single_value("Website Settings", "head_html")
		tag = f'<script src="/assets/support_center/js/chat_loader.js" data-channel="{cls.channel}" defer></script>'
		frappe.db.set_single_value("Website Settings", "head_html", tag)
		frappe.db.commit()  # nosemgrep: the web server process only sees committed records
		frappe.clear_cache()
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
		frappe.db.set_single_value("Website Settings", "head_html", cls.head_html)
		for ticket in frappe.get_all("Ticket", filters={"support_channel": cls.channel}, pluck="name"):
			frappe.delete_doc("Ticket", ticket, force=True, ignore_permissions=True)
		frappe.db.delete("Intake Message", {"support_channel": cls.channel})
		frappe.delete_doc("Support Channel", cls.channel, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: undo what setUpClass committed
		frappe.clear_cache()
		super().tearDownClass()

	def login(self, context, user: str):
		page = context.new_page()
		page.goto(f"{self.site.url}/login")
		page.fill("#login_email", user)
		page.fill("#login_password", PASSWORD)
		page.click(".btn-login")
		page.wait_for_url("**/app**", timeout=30000)
		return page

	def test_the_agent_sees_a_reply_not_delivered_and_the_whatsapp_window(self):
		from frappe.utils import add_days, now_datetime

		channel = frappe.get_doc(
			{
				"doctype": "Support Channel",
				"channel_name": unique("WhatsApp Sales"),
				"channel_type": "WhatsApp",
				"enabled": 0,
				"phone_number_id": "1099",
				"whatsapp_templates": "support_followup:en\nsupport_followup:ru",
			}
		).insert(ignore_permissions=True)
		ticket = frappe.get_doc(
			{
				"doctype": "Ticket",
				"subject": "Kettle leaks",
				"description": "<p>My kettle leaks</p>",
				"channel": "Messenger",
				"support_channel": channel.name,
				"external_conversation": f"{channel.name}:79990001122",
				"raised_by_name": "Dale Cooper",
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Intake Message",
				"channel": "Messenger",
				"status": "Processed",
				"ticket": ticket.name,
				"support_channel": channel.name,
				"conversation_id": ticket.external_conversation,
				"received_at": add_days(now_datetime(), -2),
				"sender_name": "Dale Cooper",
				"text": "My kettle leaks",
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Channel Delivery",
				"ticket": ticket.name,
				"support_channel": channel.name,
				"status": "Not Delivered",
				"conversation_id": "79990001122",
				"idempotency_key": unique("browser-test"),
				"attempts": 1,
				"text": "Is it still leaking?",
				"last_error": "WhatsApp (131031): Recipient has blocked the business",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Ticket", ticket.name, "reply_delivery", "Not Delivered")
		frappe.db.commit()  # nosemgrep: the web server process only sees committed records
		try:
			context = self.browser.new_context(viewport={"width": 1280, "height": 900})
			page = self.login(context, self.agent)
			page.goto(f"{self.site.url}/app/ticket/{ticket.name}")
			page.wait_for_selector("text=Recipient has blocked the business", timeout=30000)
			self.shot(page, "10-ticket-not-delivered-1280")
			page.get_by_role("button", name="Reply in WhatsApp").click()
			dialog = page.locator(".modal.show")
			dialog.locator("text=More than 24 hours passed").wait_for(timeout=10000)
			self.assertEqual(
				dialog.locator("select[data-fieldname='template'] option").all_inner_texts()[1:],
				["support_followup:en", "support_followup:ru"],
			)
			self.shot(page, "11-whatsapp-window-warning-1280")
			page.goto(f"{self.site.url}/app/support-channel/{channel.name}")
			page.wait_for_selector("text=Approved Templates", timeout=30000)
			self.shot(page, "12-support-channel-form-1280")
			context.close()
		finally:
			frappe.db.delete("Channel Delivery", {"ticket": ticket.name})
			frappe.db.delete("Intake Message", {"ticket": ticket.name})
			frappe.delete_doc("Ticket", ticket.name, force=True, ignore_permissions=True)
			frappe.delete_doc("Support Channel", channel.name, force=True, ignore_permissions=True)
			frappe.db.commit()  # nosemgrep: undo what this test committed

	def shot(self, page, name: str) -> None:
		page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))

	def agent_replies(self, ticket: str, text: str) -> None:
		context = self.browser.new_context(viewport={"width": 1280, "height": 900})
		page = self.login(context, self.agent)
		page.goto(f"{self.site.url}/app/ticket/{ticket}")
		button = page.get_by_role("button", name="Reply in Chat")
		button.wait_for(timeout=30000)
		button.click()
		dialog = page.locator(".modal.show")
		dialog.locator("textarea[data-fieldname='text']").fill(text)
		self.shot(page, "04-agent-reply-dialog-1280")
		dialog.get_by_role("button", name="Send").click()
		page.wait_for_selector("text=Reply queued", timeout=15000)
		page.wait_for_timeout(1500)
		self.shot(page, "05-agent-ticket-after-reply-1280")
		context.close()

	def test_a_guest_chats_and_sees_the_agents_answer(self):
		context = self.browser.new_context(viewport={"width": 1280, "height": 800})
		page = context.new_page()
		page.goto(f"{self.site.url}{PAGE}")
		button = page.get_by_role("button", name="Chat with us")
		button.wait_for(timeout=20000)
		self.shot(page, "01-button-1280")
		# Keyboard only: focus the button, open the chat, fill the form, send with Enter.
		button.focus()
		page.keyboard.press("Enter")
		page.wait_for_selector(".scc-panel:not([hidden])")
		self.assertEqual(page.evaluate("document.activeElement.name"), "name")
		page.keyboard.type("Audrey Horne")
		page.keyboard.press("Tab")
		page.keyboard.type("audrey@example.com")
		page.get_by_label("Message").fill("My parcel has not arrived")
		self.shot(page, "02-form-1280")
		page.get_by_label("Message").press("Enter")
		page.wait_for_selector(".scc-system", timeout=15000)
		self.shot(page, "03-first-message-and-acknowledgement-1280")
		# The acknowledgement names the ticket the conversation became.
		found = re.search(r"#(\d+)", page.locator(".scc-system").inner_text())
		self.assertTrue(found)
		ticket = found.group(1)

		self.agent_replies(ticket, "We found it: it arrives tomorrow.")
		started = time.monotonic()
		page.wait_for_selector(".scc-agent >> text=it arrives tomorrow", timeout=15000)
		self.assertLess(time.monotonic() - started, 10, "the answer reaches the open chat within seconds")
		self.shot(page, "06-guest-sees-answer-1280")

		# Coming back later: the conversation is still there.
		page.reload()
		page.get_by_role("button", name="Chat with us").click()
		page.wait_for_selector(".scc-agent >> text=it arrives tomorrow", timeout=15000)
		self.shot(page, "07-returning-visitor-1280")
		# The panel closes with Escape and gives focus back to the button.
		page.keyboard.press("Escape")
		self.assertEqual(page.evaluate("document.activeElement.className"), "scc-button")
		context.close()

	def test_the_chat_fits_a_phone_and_speaks_arabic_right_to_left(self):
		context = self.browser.new_context(viewport={"width": 360, "height": 740}, locale="ar")
		page = context.new_page()
		page.goto(f"{self.site.url}{PAGE}")
		page.wait_for_selector(".scc-button", timeout=20000)
		self.assertEqual(page.locator(".scc-root").get_attribute("dir"), "rtl")
		page.click(".scc-button")
		page.wait_for_selector(".scc-panel:not([hidden])")
		width = page.evaluate("document.querySelector('.scc-panel').getBoundingClientRect().width")
		self.assertLessEqual(width, 360)
		self.assertEqual(page.evaluate("document.documentElement.scrollWidth"), 360)
		self.assertIn("إرسال", page.locator(".scc-send").inner_text())
		self.shot(page, "08-form-360-ar")
		context.close()

		context = self.browser.new_context(viewport={"width": 360, "height": 740})
		page = context.new_page()
		page.goto(f"{self.site.url}{PAGE}")
		page.click(".scc-button", timeout=20000)
		page.fill(".scc-panel input[name=name]", "Bobby Briggs")
		page.fill(".scc-panel input[name=phone]", "+1 206 555 0101")
		page.fill(".scc-panel textarea[name=message]", "Is the diner open on Sunday?")
		page.click(".scc-send")
		try:
			page.wait_for_selector(".scc-system", timeout=15000)
		finally:
			self.shot(page, "09-conversation-360")
		context.close()
