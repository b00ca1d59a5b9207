import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.benchmarks import NAME_BASE, Scale, areas
from support_center.benchmarks.portal import MARK, portal_figures


class TestPortalBenchmark(FrappeTestCase):
	def test_the_portal_figures_render_both_pages_and_leave_nothing_behind(self):
		# Small numbers: this checks the area works; the figures themselves come from a run at 100,000.
		self.assertIn("portal", areas())
		figures = {figure.name: figure for figure in portal_figures(tickets=400, customers=20, samples=3)}
		self.assertEqual(figures["portal_customer_tickets"].value, 400)
		for name in (
			"portal_tickets_p50_seconds",
			"portal_tickets_p95_seconds",
			"portal_tickets_search_p50_seconds",
		):
			self.assertGreater(figures[name].value, 0)
			self.assertGreater(figures[name].reference, 0)
			self.assertEqual(figures[name].max_ratio, 2)
		queries = figures["portal_tickets_queries"]
		self.assertGreater(queries.value, 0)
		# The list's queries do not grow with the number of tickets on the page (20 rows).
		self.assertLess(queries.value, queries.reference + 40)
		self.assertFalse(frappe.db.exists("Ticket", {"name": (">", NAME_BASE)}))
		self.assertFalse(frappe.db.exists("User", f"{MARK}@example.com"))
		self.assertEqual(Scale().tickets, 100_000)
