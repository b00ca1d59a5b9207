import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.benchmark import NAME_BASE, sla_monitor_figures


class TestBenchmark(FrappeTestCase):
	def test_the_sla_figures_measure_the_real_monitor_and_leave_nothing_behind(self):
		# Small numbers: this checks the command works, the figures themselves come from a real run.
		figures = {
			figure.name: figure for figure in sla_monitor_figures(300, at_risk=30, breached=10, repeats=1)
		}
		self.assertEqual(figures["sla_rows_changed_per_run"].value, 40)
		run = figures["sla_monitor_run_seconds"]
		self.assertGreater(run.value, 0)
		self.assertGreater(run.reference, 0)
		self.assertEqual(figures["sla_monitor_run_queries"].value, 3)
		self.assertIn("ratio", run.line().split()[-3] + run.goal)
		self.assertFalse(frappe.db.exists("Ticket", {"name": (">", NAME_BASE)}))
