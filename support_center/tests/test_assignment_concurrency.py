"""Round Robin under concurrency: two database connections creating tickets at the same moment."""

import threading

import frappe
from frappe.cache_manager import clear_doctype_map
from frappe.tests.utils import FrappeTestCase

from support_center.routing.rules_sync import rule_name
from support_center.tests.factories import make_agent, make_category, make_team

ROUNDS = 3


def create_tickets(
	site: str, sites_path: str, category: str, barrier: threading.Barrier, out: list, errors: list
):
	frappe.init(site=site, sites_path=sites_path)
	try:
		frappe.connect()
		frappe.set_user("Administrator")
		for _ in range(ROUNDS):
			barrier.wait(timeout=60)
			ticket = frappe.get_doc(
				{"doctype": "Ticket", "subject": "concurrent", "category": category}
			).insert(ignore_permissions=True)
			frappe.db.commit()
			out.append(ticket.name)
	except Exception as e:
		errors.append(repr(e))
		barrier.abort()
	finally:
		frappe.destroy()


class TestConcurrentRoundRobin(FrappeTestCase):
	def test_two_connections_take_turns(self):
		agents = [make_agent() for _ in range(3)]
		team = make_team(agents)
		category = make_category(team)
		frappe.db.commit()  # the other connections must see the team
		tickets, errors = [], []
		try:
			barrier = threading.Barrier(2)
			threads = [
				threading.Thread(
					target=create_tickets,
					args=(frappe.local.site, frappe.local.sites_path, category, barrier, tickets, errors),
				)
				for _ in range(2)
			]
			for thread in threads:
				thread.start()
			for thread in threads:
				thread.join(timeout=120)
			self.assertEqual(errors, [])
			frappe.db.commit()  # a fresh snapshot
			todos = frappe.get_all(
				"ToDo",
				filters={"reference_type": "Ticket", "reference_name": ("in", [str(t) for t in tickets])},
				fields=["allocated_to", "reference_name"],
				order_by="creation asc, name asc",
			)
			self.assertEqual(len(todos), 2 * ROUNDS)
			# one assignment per ticket, and the turns went round: nobody got a second ticket out of turn
			self.assertEqual(len({t.reference_name for t in todos}), 2 * ROUNDS)
			got = [t.allocated_to for t in todos]
			self.assertEqual(sorted(got), sorted(agents * 2))
			self.assertEqual(got, (agents * 2)[: len(got)])
		finally:
			for name in tickets:
				frappe.delete_doc("Ticket", name, force=True, ignore_permissions=True)
			frappe.db.delete(
				"ToDo", {"reference_type": "Ticket", "reference_name": ("in", [str(t) for t in tickets])}
			)
			frappe.delete_doc("Assignment Rule", rule_name(team), force=True, ignore_permissions=True)
			frappe.delete_doc("Support Category", category, force=True, ignore_permissions=True)
			frappe.delete_doc("User Group", team, force=True, ignore_permissions=True)
			for agent in agents:
				frappe.delete_doc("User", agent, force=True, ignore_permissions=True)
			frappe.db.commit()
			clear_doctype_map("Assignment Rule", "Ticket")
