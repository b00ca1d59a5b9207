"""Two SLA monitor runs at once (a slow run overlapping the next minute's, or schedulers on two machines):
each breach is marked once and announced exactly once, and the escalation happens once."""

import os
import time

import frappe
from frappe.desk.form.assign_to import add as assign
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from support_center.tests.factories import make_category, make_ticket, make_user, unique
from support_center.tests.live_data import remove_tickets, remove_users
from support_center.tests.worker_process import Worker

HOUR = 3600
TICKETS = 12


def breached_tickets(test, count: int) -> list:
	"""Committed tickets under a policy that notifies the assignee and raises the priority on a breach,
	each due an hour ago."""
	test.agent = make_user(["Support Team"])
	test.category = make_category(responsible=test.agent)
	test.policy = frappe.get_doc(
		{
			"doctype": "SLA Policy",
			"policy_name": unique("SLA"),
			"category": test.category,
			"targets": [{"priority": None, "first_response_time": 4 * HOUR, "resolution_time": 8 * HOUR}],
			"next_response_time": None,
			"breach_raise_priority_to": "Urgent",
		}
	).insert()
	names = []
	for _ in range(count):
		ticket = make_ticket(category=test.category, priority="Medium")
		assign(
			{"doctype": "Ticket", "name": str(ticket.name), "assign_to": [test.agent]},
			ignore_permissions=True,
		)
		names.append(ticket.name)
	frappe.db.commit()
	past = add_to_date(now_datetime(), hours=-1)
	for name in names:
		frappe.db.set_value(
			"Ticket",
			name,
			{"sla_next_due": past, "sla_warning_at": add_to_date(past, hours=-1)},
			update_modified=False,
		)
	frappe.db.commit()
	return names


def remove_sla_records(test, names: list) -> None:
	remove_tickets(names)
	frappe.delete_doc("SLA Policy", test.policy.name, force=True, ignore_permissions=True)
	frappe.delete_doc("Support Category", test.category, force=True, ignore_permissions=True)
	remove_users([test.agent])


def announcements(test, names: list) -> dict:
	frappe.db.commit()
	counts = {}
	for name in names:
		counts[str(name)] = (
			frappe.db.count(
				"Notification Log",
				{
					"document_type": "Ticket",
					"document_name": str(name),
					"for_user": test.agent,
					"type": "Alert",
				},
			),
			frappe.db.count(
				"Comment",
				{
					"reference_doctype": "Ticket",
					"reference_name": str(name),
					"content": ("like", "Priority raised%"),
				},
			),
			frappe.db.get_value("Ticket", name, "sla_status"),
			frappe.db.get_value("Ticket", name, "priority"),
		)
	return counts


class TestTwoSlaMonitorRuns(FrappeTestCase):
	def test_two_runs_at_once_announce_each_breach_once(self):
		names = breached_tickets(self, TICKETS)
		try:
			sites_path = os.path.abspath(frappe.local.sites_path)
			start_at = time.time() + 6
			workers = [
				Worker(frappe.local.site, sites_path, "sla", delay=0.1, start_at=start_at) for _ in range(2)
			]
			for worker in workers:
				self.assertEqual(worker.finish(), 0, worker.output[-3000:])
			expected = {str(name): (1, 1, "Breached", "Urgent") for name in names}
			self.assertEqual(announcements(self, names), expected)
			# Between them they announced each ticket once (which worker did which is up to the row locks).
			done = [
				int(line.split()[1]) for worker in workers for line in worker.lines if line.startswith("done")
			]
			self.assertEqual(sum(done), TICKETS, [w.output[-500:] for w in workers])
		finally:
			remove_sla_records(self, names)
