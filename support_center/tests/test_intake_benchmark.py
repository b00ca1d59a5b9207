"""The intake benchmark runs the real intake with routing rules on, counts its queries and leaves nothing."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.benchmarks import areas
from support_center.benchmarks.intake import PREFIX, intake_figures


class TestIntakeBenchmark(FrappeTestCase):
	def test_the_intake_figures_measure_request_and_background_work_and_clean_up(self):
		self.assertIn("intake", areas())
		# As on a live site: in tests Frappe mails notifications at once and commits while doing it.
		tracking = frappe.db.get_single_value("Support Settings", "track_service_level_agreement")
		frappe.flags.in_test = False
		try:
			figures = {figure.name: figure for figure in intake_figures(repeats=1)}
		finally:
			frappe.flags.in_test = True
		self.assertEqual(figures["intake_routing_rules"].value, 25)
		request, total = figures["intake_request_seconds"], figures["intake_total_seconds"]
		self.assertGreater(request.value, 0)
		self.assertGreater(request.reference, 0)
		self.assertEqual((request.max_ratio, total.max_ratio), (3, 6))
		# The background jobs (assignment notification, acknowledgement) add work on top of the request.
		self.assertGreater(figures["intake_total_queries"].value, figures["intake_request_queries"].value)
		# The yardsticks are measured in the same run: one mail Frappe queues, ERPNext's own Issue.
		for name in (
			"frappe_sendmail_seconds",
			"erpnext_issue_request_seconds",
			"erpnext_issue_total_seconds",
		):
			self.assertGreater(figures[name].value, 0, name)
			self.assertEqual(figures[name].reference, request.reference, name)
		self.assertGreater(
			figures["erpnext_issue_total_queries"].value, figures["erpnext_issue_request_queries"].value
		)
		self.assertEqual(figures["intake_total_vs_erpnext_issue_total"].value, total.value)
		self.assertEqual(
			figures["intake_total_vs_erpnext_issue_total"].reference,
			figures["erpnext_issue_total_seconds"].value,
		)
		for doctype, field in (
			("Issue", "subject"),
			("Assignment Rule", "name"),
			("Service Level Agreement", "service_level"),
			("Holiday List", "holiday_list_name"),
		):
			self.assertFalse(frappe.db.exists(doctype, {field: ("like", f"{PREFIX}%")}), doctype)
		self.assertEqual(
			tracking, frappe.db.get_single_value("Support Settings", "track_service_level_agreement")
		)
		self.assertFalse(frappe.db.exists("Routing Rule", {"name": ("like", f"{PREFIX}%")}))
		self.assertFalse(frappe.db.exists("User Group", {"name": ("like", f"{PREFIX}%")}))
		self.assertFalse(frappe.db.exists("Ticket", {"external_conversation": ("like", f"{PREFIX}%")}))
