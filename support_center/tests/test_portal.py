"""The customer portal: its pages as Frappe renders them, and what customers do there (file, reply, close,
reopen, rate, answer the loyalty question, the resolution mail's signed links, guests' requests)."""

import io
from urllib.parse import parse_qs, urlparse

import frappe
from frappe.desk.doctype.notification_settings.notification_settings import create_notification_settings
from frappe.tests.utils import FrappeTestCase
from frappe.translate import get_language
from frappe.utils import set_request
from frappe.website.serve import get_response

from support_center.portal import actions, feedback, guest, rules
from support_center.portal.actions import PortalInputError
from support_center.portal.ticket_list import list_tickets
from support_center.tests.factories import (
	keep_settings,
	make_agent,
	make_category,
	make_team,
	make_ticket,
	portal_customer,
	unique,
)
from support_center.tests.test_acknowledgement import outgoing_account, queued

SETTINGS = "Support Center Settings"


class Upload:
	"""What Werkzeug hands a whitelisted method for each file of a multipart post."""

	def __init__(self, filename: str, content: bytes):
		self.filename = filename
		self.stream = io.BytesIO(content)


def resolve(ticket_name, status: str = "Resolved"):
	"""The desk resolves the ticket (as an agent's workflow action would)."""
	frappe.set_user("Administrator")
	ticket = frappe.get_doc("Ticket", ticket_name)
	ticket.status = status
	ticket.flags.status_set_by_app = True
	ticket.save(ignore_permissions=True)
	return ticket


def link_params(link: str) -> dict:
	query = parse_qs(urlparse(link).query)
	return {key: values[0] for key, values in query.items()}


class PortalCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		keep_settings(cls)
		super().setUpClass()

	def setUp(self):
		frappe.set_user("Administrator")
		outgoing_account()
		self.customer = portal_customer()
		self.other = portal_customer()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		if hasattr(frappe.local, "request"):
			del frappe.local.request

	def render(self, path: str, user: str, **params):
		frappe.set_user(user)
		frappe.local.form_dict = frappe._dict(params)
		set_request(
			method="GET", path=f"/{path}", query_string="&".join(f"{k}={v}" for k, v in params.items())
		)
		frappe.local.form_dict = frappe._dict(params)
		# What Frappe's request handler does before serving (HTTPRequest.set_lang).
		frappe.local.lang = get_language()
		response = get_response(path)
		frappe.set_user("Administrator")
		return response.status_code, response.get_data(as_text=True)

	def ticket_of(self, party, **values):
		values.setdefault("raised_by", party.user)
		return make_ticket(contact=party.contact, customer=party.customer, **values)

	def counts(self) -> tuple[int, int, int, int]:
		return (
			frappe.db.count("Ticket"),
			frappe.db.count("Intake Message"),
			frappe.db.count("File"),
			frappe.db.count("Communication"),
		)


class TestPortalPages(PortalCase):
	def test_support_is_ours_with_erpnext_installed(self):
		self.assertIn("erpnext", frappe.get_installed_apps())
		status, html = self.render("support", "Guest")
		self.assertEqual(status, 200)
		self.assertIn('data-sc-page="support-home"', html)
		self.assertIn('action="/kb"', html)
		self.assertIn('name="q"', html)
		# ERPNext's own page greets with its Support Settings' title and lists Help Articles.
		self.assertNotIn("favorite_article", html)
		self.assertNotIn("help-article", html)

	def test_support_lists_the_visitors_open_tickets_and_published_topics(self):
		topic = make_category(title=unique("Billing"), published=1)
		hidden = make_category(title=unique("Internal routing"), published=0)
		mine = self.ticket_of(self.customer, subject=unique("My printer"))
		theirs = self.ticket_of(self.other, subject=unique("Their printer"))
		status, html = self.render("support", self.customer.user)
		self.assertEqual(status, 200)
		self.assertIn(frappe.utils.escape_html(mine.subject), html)
		self.assertNotIn(theirs.subject, html)
		self.assertIn(frappe.db.get_value("Support Category", topic, "title"), html)
		self.assertNotIn(frappe.db.get_value("Support Category", hidden, "title"), html)
		self.assertIn('href="/support/new"', html)

	def test_new_request_page_offers_guests_the_form_only_when_the_setting_is_on(self):
		frappe.db.set_single_value(SETTINGS, "allow_guest_requests", 0)
		status, html = self.render("support/new", "Guest")
		self.assertEqual(status, 200)
		self.assertNotIn('id="support-subject"', html)
		self.assertIn("/login?redirect-to=/support/new", html)
		frappe.db.set_single_value(SETTINGS, "allow_guest_requests", 1)
		status, html = self.render("support/new", "Guest")
		self.assertIn('id="support-subject"', html)
		self.assertIn('name="email"', html)
		self.assertIn('<div id="kb-suggestions" aria-live="polite"></div>', html)
		status, html = self.render("support/new", self.customer.user)
		self.assertIn('id="support-subject"', html)
		self.assertNotIn('name="email"', html)
		self.assertIn('name="csrf_token"', html)

	def test_every_page_speaks_the_visitors_language_and_arabic_is_right_to_left(self):
		ticket = self.ticket_of(self.customer)
		pages = ("support", "support/new", "support/tickets", f"support/tickets/{ticket.name}")
		for path in pages:
			status, html = self.render(path, self.customer.user, _lang="ar")
			self.assertEqual(status, 200, path)
			self.assertIn('dir="rtl"', html, path)
			self.assertIn('lang="ar"', html, path)
			status, html = self.render(path, self.customer.user, _lang="ja")
			self.assertIn('dir="ltr"', html, path)
			self.assertIn('lang="ja"', html, path)
		status, html = self.render("support", self.customer.user, _lang="ja")
		self.assertIn(frappe._("How can we help?", lang="ja"), html)
		self.assertNotEqual(frappe._("How can we help?", lang="ja"), "How can we help?")

	def test_the_ticket_page_shows_what_the_customer_may_do(self):
		ticket = self.ticket_of(self.customer)
		status, html = self.render(f"support/tickets/{ticket.name}", self.customer.user)
		self.assertIn("support_center.api.portal.reply", html)
		self.assertIn("support_center.api.portal.close", html)
		self.assertNotIn("support_center.api.portal.rate", html)
		resolve(ticket.name)
		status, html = self.render(f"support/tickets/{ticket.name}", self.customer.user)
		self.assertIn("support_center.api.portal.rate", html)
		self.assertIn("support_center.api.portal.answer_loyalty", html)
		self.assertIn("support_center.api.portal.reopen", html)
		status, html = self.render(f"support/tickets/{ticket.name}", self.other.user)
		self.assertEqual(status, 403)
		self.assertNotIn(frappe.utils.escape_html(ticket.subject), html)


class TestTicketList(PortalCase):
	def test_pages_do_not_overlap_and_cover_every_ticket(self):
		names = {int(self.ticket_of(self.customer).name) for _ in range(25)}
		self.ticket_of(self.other)
		seen, cursor = [], None
		for _ in range(5):
			page = list_tickets(self.customer.user, "all", cursor=cursor, page_size=10)
			self.assertEqual(page.total, 25)
			seen += [int(row.name) for row in page.rows]
			cursor = page.next_cursor
			if not cursor:
				break
		self.assertEqual(len(seen), 25)
		self.assertEqual(set(seen), names)

	def test_status_filter_and_search_by_subject_and_number(self):
		printer = self.ticket_of(self.customer, subject=unique("Printer jam"))
		invoice = self.ticket_of(self.customer, subject=unique("Invoice copy"))
		resolve(invoice.name)
		foreign = self.ticket_of(self.other, subject=printer.subject)
		names = lambda page: {int(row.name) for row in page.rows}  # noqa: E731
		self.assertEqual(names(list_tickets(self.customer.user, "all", printer.subject)), {int(printer.name)})
		self.assertEqual(
			names(list_tickets(self.customer.user, "all", f"#{invoice.name}")), {int(invoice.name)}
		)
		self.assertNotIn(
			int(foreign.name), names(list_tickets(self.customer.user, "all", f"#{foreign.name}"))
		)
		self.assertIn(int(printer.name), names(list_tickets(self.customer.user, "open")))
		self.assertNotIn(int(invoice.name), names(list_tickets(self.customer.user, "open")))
		self.assertIn(int(invoice.name), names(list_tickets(self.customer.user, "resolved")))
		# A colleague of the same company sees the company's tickets.
		self.assertEqual(list_tickets("Guest", "all").rows, [])

	def test_a_malformed_cursor_or_filter_is_the_first_page(self):
		self.ticket_of(self.customer)
		page = list_tickets(self.customer.user, "nonsense", cursor="%%%garbage")
		self.assertEqual(len(page.rows), 1)

	def test_the_list_page_renders_filters_and_a_next_link(self):
		for _ in range(rules.PAGE_SIZE + 1):
			self.ticket_of(self.customer)
		status, html = self.render("support/tickets", self.customer.user, status="open")
		self.assertEqual(status, 200)
		self.assertIn('rel="next"', html)
		self.assertIn('<option value="open" selected>', html)


class TestCustomerActions(PortalCase):
	def test_a_customer_files_a_request_with_an_attachment_under_their_own_party(self):
		topic = make_category(title=unique("Deliveries"), published=1)
		frappe.set_user(self.customer.user)
		filed = actions.file_request(
			"Parcel late",
			"The parcel **SO-7** is late.\n\n<script>alert(1)</script>",
			topic,
			[Upload("receipt.pdf", b"%PDF-1.4 receipt")],
		)
		frappe.set_user("Administrator")
		ticket = frappe.get_doc("Ticket", filed.ticket)
		self.assertEqual(
			(ticket.contact, ticket.customer, ticket.channel),
			(self.customer.contact, self.customer.customer, "Portal"),
		)
		self.assertEqual(ticket.category, topic)
		self.assertIn("<strong>SO-7</strong>", ticket.description)
		self.assertNotIn("<script", ticket.description)
		files = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Ticket", "attached_to_name": str(ticket.name)},
			fields=["file_name", "is_private"],
		)
		self.assertEqual(len(files), 1)
		self.assertTrue(files[0].file_name.startswith("receipt") and files[0].file_name.endswith(".pdf"))
		self.assertEqual(files[0].is_private, 1)
		if ticket.response_due:
			self.assertTrue(filed.expected_reply)

	def test_bad_input_gets_a_clear_error_and_stores_nothing(self):
		hidden = make_category(title=unique("Hidden"), published=0)
		frappe.db.set_single_value(SETTINGS, "max_attachment_mb", 1)
		frappe.db.set_single_value(SETTINGS, "portal_max_attachments", 2)
		before = self.counts()
		frappe.set_user(self.customer.user)
		cases = {
			"no subject": ("  ", "text", None, []),
			"hidden topic": ("Hi", "text", hidden, []),
			"nothing said": ("Hi", "  ", None, []),
			"too large": ("Hi", "text", None, [Upload("big.bin", b"x" * (1024 * 1024 + 1))]),
			"too many": ("Hi", "text", None, [Upload(f"{i}.txt", b"x") for i in range(3)]),
			"empty file": ("Hi", "text", None, [Upload("empty.txt", b"")]),
		}
		for label, args in cases.items():
			with self.subTest(label), self.assertRaises(PortalInputError):
				actions.file_request(*args)
		frappe.set_user("Administrator")
		self.assertEqual(self.counts(), before)

	def test_reply_close_and_reopen(self):
		ticket = self.ticket_of(self.customer)
		resolve(ticket.name, "Replied")
		frappe.set_user(self.customer.user)
		actions.reply(ticket.name, "Still broken", [Upload("photo.png", b"\x89PNG fake")])
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Open")
		message = frappe.get_all(
			"Communication",
			filters={
				"reference_doctype": "Ticket",
				"reference_name": ticket.name,
				"sent_or_received": "Received",
			},
			fields=["name", "content", "sender"],
		)
		self.assertEqual(len(message), 1)
		self.assertIn("Still broken", message[0].content)
		self.assertTrue(
			frappe.db.exists(
				"File",
				{
					"attached_to_doctype": "Communication",
					"attached_to_name": message[0].name,
					"is_private": 1,
				},
			)
		)
		frappe.set_user(self.customer.user)
		actions.close(ticket.name)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Closed")
		frappe.set_user(self.customer.user)
		with self.assertRaises(PortalInputError):
			actions.reply(ticket.name, "after close", [])
		actions.reopen(ticket.name)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Open")
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "reopen_count"), 1)

	def test_another_company_or_a_guest_cannot_act_on_a_ticket(self):
		ticket = self.ticket_of(self.customer)
		resolve(ticket.name)
		before = self.counts()
		for user in (self.other.user, "Guest"):
			frappe.set_user(user)
			for attempt in (
				lambda: actions.reply(ticket.name, "hi", []),
				lambda: actions.close(ticket.name),
				lambda: actions.reopen(ticket.name),
				lambda: actions.rate(actions.ticket_for_customer(ticket.name), 5),
				lambda: actions.answer_loyalty(actions.ticket_for_customer(ticket.name), 10),
			):
				with self.subTest(user=user), self.assertRaises(frappe.PermissionError):
					attempt()
		frappe.set_user("Administrator")
		self.assertEqual(self.counts(), before)
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), "Resolved")
		self.assertFalse(frappe.db.get_value("Ticket", ticket.name, "feedback_submitted_on"))


class TestFeedback(PortalCase):
	def setUp(self):
		super().setUp()
		self.agent = make_agent()
		self.lead = make_agent()
		for user in (self.agent, self.lead):
			# Frappe mails an assignment's notification at once in tests, and that send commits: keep the
			# assignment mails off so nothing of this test outlives it (the low-rating mail stays on).
			create_notification_settings(user)
			frappe.db.set_value(
				"Notification Settings",
				user,
				{"enable_email_assignment": 0, "enable_email_mention": 0, "enable_email_share": 0},
			)
		self.topic = make_category(
			title=unique("Hardware"), published=1, team=make_team([self.agent]), responsible=self.lead
		)

	def resolved_ticket(self):
		ticket = self.ticket_of(self.customer, category=self.topic)
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.agent,
				"reference_type": "Ticket",
				"reference_name": ticket.name,
				"description": "x",
			}
		).insert(ignore_permissions=True)
		resolve(ticket.name)
		return frappe.get_doc("Ticket", ticket.name)

	def resolution_mail(self, ticket) -> list[str]:
		"""The HTML bodies of the mails queued for the ticket that carry feedback links."""
		bodies = []
		for recipients, message in queued(ticket):
			for part in message.walk():
				if part.get_content_type() == "text/html":
					body = part.get_content()
					if "/support/feedback" in body:
						self.assertEqual(recipients, [ticket.raised_by])
						bodies.append(body)
		return bodies

	def test_the_resolution_mail_carries_signed_links_that_work_once_for_that_ticket_only(self):
		ticket = self.resolved_ticket()
		mails = self.resolution_mail(ticket)
		self.assertEqual(len(mails), 1)
		values = feedback.resolution_values(ticket)
		low = link_params(values["rating_links"][1][1])
		self.assertEqual(low["score"], "2")
		self.assertIn(low["sig"], mails[0])
		self.assertIn(f"ticket={ticket.name}", mails[0])

		other_ticket = self.resolved_ticket()
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			feedback.ticket_for_link(other_ticket.name, rules.RATING, low["sig"])
		with self.assertRaises(frappe.PermissionError):
			feedback.ticket_for_link(ticket.name, rules.LOYALTY, low["sig"])
		actions.rate(
			feedback.ticket_for_link(low["ticket"], rules.RATING, low["sig"]),
			2,
			"Slow <img src=x onerror=alert(1)> answer",
		)
		with self.assertRaises(PortalInputError):
			actions.rate(feedback.ticket_for_link(low["ticket"], rules.RATING, low["sig"]), 5)
		loyalty = link_params(values["loyalty_links"][9][1])
		actions.answer_loyalty(feedback.ticket_for_link(loyalty["ticket"], rules.LOYALTY, loyalty["sig"]), 9)
		with self.assertRaises(PortalInputError):
			actions.answer_loyalty(
				feedback.ticket_for_link(loyalty["ticket"], rules.LOYALTY, loyalty["sig"]), 3
			)
		frappe.set_user("Administrator")

		row = frappe.db.get_value(
			"Ticket",
			ticket.name,
			[
				"feedback_rating",
				"feedback_comment",
				"feedback_submitted_on",
				"loyalty_score",
				"loyalty_answered_on",
			],
			as_dict=True,
		)
		self.assertAlmostEqual(row.feedback_rating, 0.4)
		self.assertIn("Slow", row.feedback_comment)
		self.assertNotIn("onerror", row.feedback_comment)
		self.assertTrue(row.feedback_submitted_on and row.loyalty_answered_on)
		self.assertEqual(row.loyalty_score, 9)
		# A low rating reaches the category's responsible and the assignee.
		notified = set(
			frappe.get_all(
				"Notification Log",
				filters={
					"document_type": "Ticket",
					"document_name": str(ticket.name),
					"type": "Alert",
					"subject": ("like", "%was rated%"),
				},
				pluck="for_user",
			)
		)
		self.assertEqual(notified, {self.agent, self.lead})
		mailed = {
			recipient
			for recipients, message in queued(ticket)
			if "was rated 2 of 5" in message["Subject"]
			for recipient in recipients
		}
		self.assertEqual(mailed, {self.agent, self.lead})
		self.assertFalse(
			frappe.get_all(
				"Notification Log",
				filters={
					"document_type": "Ticket",
					"document_name": str(other_ticket.name),
					"type": "Alert",
					"subject": ("like", "%was rated%"),
				},
			)
		)

	def test_a_good_rating_notifies_nobody_and_ratings_wait_for_resolution(self):
		ticket = self.ticket_of(self.customer, category=self.topic)
		frappe.set_user(self.customer.user)
		with self.assertRaises(PortalInputError):
			actions.rate(actions.ticket_for_customer(ticket.name), 5)
		frappe.set_user("Administrator")
		resolve(ticket.name)
		frappe.set_user(self.customer.user)
		for bad in (0, 6, "x"):
			with self.assertRaises(PortalInputError):
				actions.rate(actions.ticket_for_customer(ticket.name), bad)
		actions.rate(actions.ticket_for_customer(ticket.name), 5, "")
		frappe.set_user("Administrator")
		self.assertFalse(
			frappe.get_all(
				"Notification Log",
				filters={
					"document_type": "Ticket",
					"document_name": str(ticket.name),
					"type": "Alert",
					"subject": ("like", "%was rated%"),
				},
			)
		)

	def test_the_feedback_page_stores_nothing_on_opening_and_refuses_forged_links(self):
		ticket = self.resolved_ticket()
		link = link_params(feedback.resolution_values(ticket)["rating_links"][4][1])
		status, html = self.render("support/feedback", "Guest", **link)
		self.assertEqual(status, 200)
		self.assertIn('value="5" required checked', html)
		self.assertFalse(frappe.db.get_value("Ticket", ticket.name, "feedback_submitted_on"))
		status, html = self.render("support/feedback", "Guest", **{**link, "sig": "0" * 40})
		self.assertIn(frappe._("This link is not valid."), html)
		self.assertNotIn(frappe.utils.escape_html(ticket.subject), html)

	def test_the_resolution_mail_is_in_the_customers_language(self):
		frappe.db.set_value("User", self.customer.user, "language", "ja")
		ticket = self.resolved_ticket()
		subject, message = feedback.render_resolution_mail(ticket)
		self.assertNotIn("has been resolved", subject)
		self.assertIn(frappe._("How satisfied are you with our help?", lang="ja"), message)
		self.assertNotIn("How satisfied are you with our help?", message)
		frappe.db.set_value("User", self.customer.user, "language", "ar")
		_subject, message = feedback.render_resolution_mail(ticket)
		self.assertIn('dir="rtl"', message)


class TestGuestRequests(PortalCase):
	def test_guests_file_only_when_allowed_and_only_after_confirming_their_address(self):
		frappe.db.set_single_value(SETTINGS, "allow_guest_requests", 0)
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			guest.submit("Ann Guest", "ann@guest.example", "Help", "Text", None, [])
		frappe.set_user("Administrator")
		frappe.db.set_single_value(SETTINGS, "allow_guest_requests", 1)
		tickets = frappe.db.count("Ticket")
		frappe.set_user("Guest")
		for name, email in (("", "ann@guest.example"), ("Ann", "not-an-address")):
			with self.assertRaises(PortalInputError):
				guest.submit(name, email, "Help", "Text", None, [])
		address = f"{frappe.generate_hash(length=8)}@guest.example"
		request = guest.submit(
			"Ann Guest",
			address,
			"Cannot log in",
			"My **account** is locked",
			None,
			[Upload("screen.png", b"png")],
		)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Ticket"), tickets)
		self.assertEqual(frappe.db.count("Email Queue Recipient", {"recipient": address}), 1)

		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			guest.confirm(request, "0" * 40)
		filed = guest.confirm(request, guest.signature(request))
		again = guest.confirm(request, guest.signature(request))
		frappe.set_user("Administrator")
		self.assertEqual(filed.ticket, again.ticket)
		self.assertEqual(frappe.db.count("Ticket"), tickets + 1)
		ticket = frappe.get_doc("Ticket", filed.ticket)
		self.assertEqual((ticket.raised_by, ticket.channel), (address, "Portal"))
		self.assertEqual(frappe.db.get_value("Contact", ticket.contact, "email_id"), address)
		self.assertIn("<strong>account</strong>", ticket.description)
		self.assertTrue(
			frappe.db.exists(
				"File",
				{
					"attached_to_doctype": "Ticket",
					"attached_to_name": str(ticket.name),
					"file_name": ("like", "screen%.png"),
				},
			)
		)
		self.assertFalse(
			frappe.db.exists("File", {"attached_to_doctype": guest.DOCTYPE, "attached_to_name": request})
		)

	def test_unconfirmed_requests_expire(self):
		frappe.db.set_single_value(SETTINGS, "allow_guest_requests", 1)
		frappe.set_user("Guest")
		request = guest.submit(
			"Bo", f"{frappe.generate_hash(length=8)}@guest.example", "Hi", "Text", None, []
		)
		frappe.set_user("Administrator")
		frappe.db.set_value(guest.DOCTYPE, request, "expires_on", "2020-01-01 00:00:00")
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			guest.confirm(request, guest.signature(request))
		frappe.set_user("Administrator")
		self.assertGreaterEqual(guest.delete_expired(), 1)
		self.assertFalse(frappe.db.exists(guest.DOCTYPE, request))


class TestPortalRateLimits(PortalCase):
	"""Frappe's rate limiter counts calls made while serving a request (support_center/api/portal.py)."""

	def post(self, method, **params):
		set_request(method="POST", path=f"/api/method/support_center.api.portal.{method.__name__}")
		frappe.local.request_ip = "203.0.113.7"
		frappe.local.form_dict = frappe._dict(params)
		try:
			return method(**params)
		finally:
			del frappe.local.request

	def test_guest_requests_are_limited_per_address_and_per_email(self):
		from support_center.api import portal as api

		frappe.cache.delete_keys("rl:")
		frappe.db.set_single_value(SETTINGS, "allow_guest_requests", 1)
		frappe.db.set_single_value(SETTINGS, "guest_requests_per_hour", 2)
		frappe.set_user("Guest")
		for index in range(2):
			address = f"{frappe.generate_hash(length=8)}@guest.example"
			self.post(
				api.file_guest_request, full_name="Ann", email=address, subject=f"Hi {index}", description="x"
			)
		before = frappe.db.count(guest.DOCTYPE)
		with self.assertRaises(frappe.RateLimitExceededError) as caught:
			self.post(
				api.file_guest_request,
				full_name="Ann",
				email="third@guest.example",
				subject="Hi",
				description="x",
			)
		self.assertEqual(caught.exception.http_status_code, 429)
		self.assertEqual(frappe.db.count(guest.DOCTYPE), before)

	def test_form_posts_need_a_logged_in_customer_and_refuse_guests(self):
		from support_center.api import portal as api

		ticket = self.ticket_of(self.customer)
		frappe.set_user("Guest")
		for method, params in (
			(api.reply, {"ticket": ticket.name, "message": "x"}),
			(api.close, {"ticket": ticket.name}),
			(api.file_request, {"subject": "x", "description": "y"}),
		):
			with self.subTest(method=method.__name__), self.assertRaises(frappe.PermissionError):
				self.post(method, **params)
