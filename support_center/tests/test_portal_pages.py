import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import set_request
from frappe.website.serve import get_response

from support_center.tests.factories import make_ticket, portal_customer


class TestPortalPages(FrappeTestCase):
	"""The pages as Frappe's website renders them, HTML and all."""

	def setUp(self):
		self.customer = portal_customer()

	def tearDown(self):
		frappe.set_user("Administrator")
		if hasattr(frappe.local, "request"):
			del frappe.local.request

	def render(self, path: str, user: str):
		frappe.set_user(user)
		frappe.local.form_dict = frappe._dict()
		set_request(method="GET", path=f"/{path}")
		response = get_response(path)
		return response.status_code, response.get_data(as_text=True)

	def test_what_customers_wrote_is_shown_as_text_never_as_html(self):
		ticket = make_ticket(contact=self.customer.contact, customer=self.customer.customer)
		# Written past Frappe's input sanitising, as an import or another app could: the page must still escape.
		frappe.db.set_value(
			"Ticket",
			ticket.name,
			{
				"subject": '<img src=x onerror="alert(1)">',
				"description": "<p>Hello<script>alert(2)</script></p>",
			},
		)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"subject": "Re",
				"content": "<b onmouseover=alert(3)>bold</b>",
				"sender": self.customer.user,
				"reference_doctype": "Ticket",
				"reference_name": ticket.name,
			}
		).insert(ignore_permissions=True)
		for path in ("support/tickets", f"support/tickets/{ticket.name}"):
			status, html = self.render(path, self.customer.user)
			self.assertEqual(status, 200, path)
			self.assert_absent('<img src=x onerror="alert(1)">', html, path)
			self.assertIn("&lt;img src=x", html, path)
		self.assert_absent("<script>alert(2)", html, "ticket page")
		self.assert_absent("<b onmouseover", html, "ticket page")
		self.assertIn("bold", html)

	def assert_absent(self, raw: str, html: str, where: str):
		at = html.find(raw)
		self.assertEqual(
			at, -1, f"{where}: {raw!r} reached the page unescaped: …{html[max(at - 200, 0) : at + 80]}…"
		)

	def test_an_internal_note_never_reaches_the_page(self):
		ticket = make_ticket(contact=self.customer.contact, customer=self.customer.customer)
		ticket.add_comment("Comment", "Internal: customer is on a payment hold")
		status, html = self.render(f"support/tickets/{ticket.name}", self.customer.user)
		self.assertEqual(status, 200)
		self.assertIn(frappe.utils.escape_html(ticket.subject), html)
		self.assertNotIn("payment hold", html)

	def test_someone_elses_ticket_is_refused_and_guests_are_asked_to_log_in(self):
		other = portal_customer()
		ticket = make_ticket(contact=other.contact, customer=other.customer)
		status, html = self.render(f"support/tickets/{ticket.name}", self.customer.user)
		self.assertEqual(status, 403)
		self.assertNotIn(frappe.utils.escape_html(ticket.subject), html)
		status, _ = self.render("support/tickets", "Guest")
		self.assertEqual(status, 403)

	def test_mail_with_a_third_party_never_reaches_the_page(self):
		ticket = make_ticket(
			contact=self.customer.contact, customer=self.customer.customer, raised_by=self.customer.user
		)
		for recipients, content in (
			("sales@supplier.test", "Supplier, what is your best price?"),
			(self.customer.user, "Your order ships today"),
		):
			frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"communication_medium": "Email",
					"sent_or_received": "Sent",
					"subject": "Re",
					"content": content,
					"sender": "agent@support-center.test",
					"recipients": recipients,
					"reference_doctype": "Ticket",
					"reference_name": ticket.name,
				}
			).insert(ignore_permissions=True)
		status, html = self.render(f"support/tickets/{ticket.name}", self.customer.user)
		self.assertEqual(status, 200)
		self.assertIn("Your order ships today", html)
		self.assertNotIn("best price", html)
