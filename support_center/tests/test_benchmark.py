import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.benchmarks import NAME_BASE, Figure, Scale, run
from support_center.benchmarks.sla import sla_monitor_figures


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
		self.assertEqual(run.max_ratio, 3)
		self.assertFalse(frappe.db.exists("Ticket", {"name": (">", NAME_BASE)}))

	def test_a_missed_goal_is_marked_and_unknown_areas_are_refused(self):
		self.assertTrue(Figure("slow", 4.0, 1.0, max_ratio=3).missed)
		self.assertIn("MISSED", Figure("slow", 4.0, 1.0, max_ratio=3).line())
		self.assertFalse(Figure("fast", 2.0, 1.0, max_ratio=3).missed)
		with self.assertRaises(ValueError):
			run(Scale(), ["no-such-area"], echo=lambda line: None)

	def test_the_command_runs_only_the_named_area_at_a_small_scale(self):
		lines = []
		figures = run(Scale(tickets=200, repeats=1), ["sla"], echo=lines.append)
		self.assertTrue(lines[0].startswith("name"))
		self.assertEqual(
			{figure.name for figure in figures} & {"sla_monitor_run_seconds"}, {"sla_monitor_run_seconds"}
		)
		self.assertEqual(len(lines), len(figures) + 1)
