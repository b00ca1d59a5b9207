"""The load test in the suite: scripts/load-test against this site with gunicorn and a background worker,
20 customers and 2 agents for 30 seconds (SUPPORT_CENTER_LONG_TESTS=1: 50 customers, 5 agents, 5 minutes).
No request may fail, and nothing the users sent may be lost or doubled."""

import json
import os
import subprocess
import tempfile
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.tests.hostile_input import LONG
from support_center.tests.mail_servers import free_port

LOAD_TEST = Path(__file__).resolve().parents[2] / "scripts" / "load-test"


class TestLoad(FrappeTestCase):
	def test_customers_and_agents_at_once_lose_and_double_nothing(self):
		users, duration = (50, 300) if LONG else (20, 30)
		out = tempfile.mkdtemp(prefix="sc-load-")
		bench = Path(os.path.abspath(frappe.local.sites_path)).parent
		frappe.db.commit()  # the load test's processes must see what this transaction holds
		run = subprocess.run(
			[
				str(LOAD_TEST),
				"--site",
				frappe.local.site,
				"--users",
				str(users),
				"--duration",
				str(duration),
				"--port",
				str(free_port()),
				"--web-workers",
				"4",
				"--out",
				out,
			],
			env={**os.environ, "SUPPORT_CENTER_BENCH": str(bench)},
			capture_output=True,
			text=True,
			timeout=duration + 600,
		)
		self.assertEqual(run.returncode, 0, run.stdout[-4000:] + run.stderr[-4000:])
		summary = json.loads(Path(out, "summary.json").read_text())
		self.assertEqual(summary["errors"], 0, run.stdout[-3000:])
		self.assertGreater(summary["requests"], users)
		verify = summary["verify"]
		self.assertTrue(verify["ok"], verify)
		self.assertGreater(verify["filed"]["confirmed"], 0, verify)
		for kind in ("filed", "customer_replies", "agent_replies"):
			self.assertEqual((verify[kind]["lost"], verify[kind]["doubled"]), ([], []), kind)
		print(run.stdout[-2500:])
