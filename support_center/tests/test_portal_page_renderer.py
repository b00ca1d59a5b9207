"""The app's own pages render while Frappe's web-form lookup fails, as it does when a login clears the
routing cache between the two Redis reads of another request's lookup (support_center/portal/page_renderer.py).
The failure is reproduced by making that lookup return None, what Frappe's ``redis_cache`` returns then."""

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.translate import get_language
from frappe.utils import set_request
from frappe.website.page_renderers.template_page import TemplatePage
from frappe.website.page_renderers.web_form import WebFormPage
from frappe.website.path_resolver import PathResolver
from frappe.website.serve import get_response

from support_center.knowledge_base.page_renderer import KBCategoryPage
from support_center.portal.page_renderer import SupportCenterPage
from support_center.tests.factories import make_ticket, portal_customer
from support_center.tests.kb_factories import make_article, make_kb_category

RACED_LOOKUP = "frappe.website.doctype.web_form.web_form.get_published_web_forms"


class TestPortalPageRenderer(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		if hasattr(frappe.local, "request"):
			del frappe.local.request

	def serve(self, path: str, user: str) -> tuple[int, str]:
		frappe.set_user(user)
		set_request(method="GET", path=f"/{path}")
		frappe.local.form_dict = frappe._dict()
		frappe.local.lang = get_language()
		response = get_response(path)
		return response.status_code, response.get_data(as_text=True)

	def test_the_raced_lookup_is_what_fails_frappes_chain(self):
		# The stand-in reproduces the failure: Frappe's web-form renderer raises on the None it gets.
		with patch(RACED_LOOKUP, return_value=None), self.assertRaises(TypeError):
			WebFormPage("support/tickets").can_render()

	def test_the_apps_pages_resolve_without_the_web_form_lookup(self):
		category = make_kb_category()
		article = make_article(category)
		with patch(RACED_LOOKUP, return_value=None) as lookup:
			for path in (
				"support",
				"support/new",
				"support/tickets",
				"support/tickets/42",
				"kb",
				article.route,
			):
				set_request(method="GET", path=f"/{path}")
				_endpoint, renderer = PathResolver(path).resolve()
				self.assertIsInstance(renderer, SupportCenterPage, path)
			set_request(method="GET", path=f"/kb/{category}")
			_endpoint, renderer = PathResolver(f"kb/{category}").resolve()
			self.assertIsInstance(renderer, KBCategoryPage)
		lookup.assert_not_called()

	def test_pages_of_other_apps_are_left_to_frappe(self):
		for path in ("me", "login"):
			set_request(method="GET", path=f"/{path}")
			_endpoint, renderer = PathResolver(path).resolve()
			self.assertIs(type(renderer), TemplatePage, path)

	def test_customers_and_guests_get_the_pages_while_the_lookup_fails(self):
		party = portal_customer()
		ticket = make_ticket(
			subject="Renderer check", contact=party.contact, customer=party.customer, raised_by=party.user
		)
		with patch(RACED_LOOKUP, return_value=None):
			status, html = self.serve("support", "Guest")
			self.assertEqual(status, 200)
			status, html = self.serve("kb", "Guest")
			self.assertEqual(status, 200)
			status, html = self.serve("support/tickets", party.user)
			self.assertEqual(status, 200)
			self.assertIn("Renderer check", html)
			status, html = self.serve(f"support/tickets/{ticket.name}", party.user)
			self.assertEqual(status, 200)
			self.assertIn("Renderer check", html)
			# Access is still the page's own decision: a guest is sent to log in, not shown the list.
			status, _html = self.serve("support/tickets", "Guest")
			self.assertNotEqual(status, 200)
			self.assertNotEqual(status, 500)
