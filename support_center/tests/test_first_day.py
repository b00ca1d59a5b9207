"""The first day: a Standard SLA policy from the install, the setup checklist, and policy edits that move
the deadlines of open tickets at once."""

import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime

from support_center.conversation.acknowledgement import send_acknowledgement
from support_center.sla import recompute, standard
from support_center.tests.factories import make_category, make_ticket, portal_customer, unique
from support_center.tests.test_acknowledgement import outgoing_account

HOUR = 3600


def close_to(a, b, seconds=5):
	return abs((get_datetime(a) - get_datetime(b)).total_seconds()) <= seconds


class TestStandardPolicy(FrappeTestCase):
	def test_the_install_made_a_standard_policy_for_business_hours(self):
		policy = frappe.get_doc("SLA Policy", standard.STANDARD)
		self.assertTrue(policy.enabled and policy.default_policy)
		self.assertEqual(
			sorted((row.weekday, str(row.start_time), str(row.end_time)) for row in policy.working_hours),
			sorted((day, "9:00:00", "18:00:00") for day in standard.WORKING_DAYS),
		)
		targets = {row.priority: row for row in policy.targets}
		self.assertEqual(set(targets), {"Urgent", "High", "Medium", "Low"})
		self.assertEqual(targets["Urgent"].first_response_time, HOUR)
		self.assertLess(targets["Urgent"].resolution_time, targets["Low"].resolution_time)

	def test_the_acknowledgement_promises_the_standard_first_response(self):
		outgoing_account()
		frappe.db.set_single_value("Support Center Settings", "send_acknowledgement", 1)
		customer = portal_customer()
		ticket = make_ticket(
			contact=customer.contact, customer=customer.customer, raised_by=customer.user, channel="Portal"
		)
		self.assertEqual(ticket.sla_policy, standard.STANDARD)
		self.assertTrue(ticket.response_due)
		self.assertTrue(send_acknowledgement(ticket))
		queue = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Ticket", "reference_name": str(ticket.name)},
			fields=["message"],
		)
		self.assertTrue(any("We will reply by" in row.message for row in queue), queue)


class TestStandardPolicyOnce(FrappeTestCase):
	def test_a_site_without_policies_gets_it_once_and_never_again(self):
		frappe.db.delete("SLA Target")
		frappe.db.delete("SLA Working Hours")
		frappe.db.delete("SLA Policy")
		frappe.db.set_default(standard.ONCE, "")
		self.assertEqual(standard.ensure_standard_policy(), standard.STANDARD)
		frappe.delete_doc("SLA Policy", standard.STANDARD, ignore_permissions=True, force=True)
		# Deleted by the manager: a migrate does not bring it back.
		self.assertIsNone(standard.ensure_standard_policy())
		self.assertFalse(frappe.db.exists("SLA Policy", standard.STANDARD))


class TestSetupChecklist(FrappeTestCase):
	def test_the_workspace_shows_the_module_onboarding_with_its_steps(self):
		onboarding = frappe.get_doc("Module Onboarding", "Support Desk Setup")
		steps = [frappe.get_doc("Onboarding Step", row.step) for row in onboarding.steps]
		self.assertEqual(
			[step.title for step in steps],
			[
				"Connect the Support Mailbox",
				"Teams and Agents",
				"Categories",
				"Review the SLA",
				"Open the Customer Portal",
			],
		)
		for step in steps:
			if step.reference_document:
				self.assertTrue(frappe.db.exists("DocType", step.reference_document), step.name)
		self.assertIn("Support Manager", onboarding.get_allowed_roles())
		content = json.loads(frappe.db.get_value("Workspace", "Support", "content"))
		self.assertIn("Support Desk Setup", [block["data"].get("onboarding_name") for block in content])


class TestPolicyEditMovesDeadlines(FrappeTestCase):
	def make_policy(self, category, first_response=4 * HOUR):
		return frappe.get_doc(
			{
				"doctype": "SLA Policy",
				"policy_name": unique("SLA"),
				"category": category,
				"targets": [
					{"priority": None, "first_response_time": first_response, "resolution_time": 24 * HOUR}
				],
			}
		).insert()

	def test_editing_targets_recomputes_open_tickets_in_one_pass_with_the_reason(self):
		category = make_category()
		policy = self.make_policy(category)
		open_ticket = make_ticket(category=category)
		resolved = make_ticket(category=category)
		resolved.status = "Resolved"
		resolved.flags.status_set_by_app = True
		resolved.save()
		resolved_before = frappe.db.get_value("Ticket", resolved.name, ["response_due", "modified"])
		self.assertTrue(close_to(open_ticket.response_due, add_to_date(open_ticket.creation, hours=4)))

		policy.reload()
		policy.targets[0].first_response_time = HOUR
		policy.save()

		row = frappe.db.get_value(
			"Ticket", open_ticket.name, ["response_due", "resolution_due", "modified"], as_dict=True
		)
		self.assertTrue(close_to(row.response_due, add_to_date(open_ticket.creation, hours=1)), row)
		self.assertTrue(close_to(row.resolution_due, add_to_date(open_ticket.creation, hours=24)))
		self.assertEqual(row.modified, get_datetime(open_ticket.modified))
		reasons = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Ticket",
				"reference_name": str(open_ticket.name),
				"comment_type": "Info",
			},
			pluck="content",
		)
		self.assertTrue(any("recomputed" in text and policy.name in text for text in reasons), reasons)
		self.assertEqual(
			frappe.db.get_value("Ticket", resolved.name, ["response_due", "modified"]), resolved_before
		)

	def test_an_edit_that_does_not_touch_the_clock_changes_nothing(self):
		category = make_category()
		policy = self.make_policy(category)
		ticket = make_ticket(category=category)
		policy.reload()
		policy.description = "Reworded"
		policy.save()
		self.assertFalse(
			frappe.get_all(
				"Comment",
				filters={"reference_name": str(ticket.name), "content": ("like", "%recomputed%")},
			)
		)

	def test_the_recompute_is_set_based(self):
		category = make_category()
		policy = self.make_policy(category)
		for _ in range(30):
			make_ticket(category=category)
		frappe.db.set_value("SLA Target", policy.targets[0].name, "first_response_time", 2 * HOUR)
		frappe.clear_document_cache("SLA Policy", policy.name)
		queries = []
		original = frappe.db.sql

		def counting(*args, **kwargs):
			queries.append(args[0])
			return original(*args, **kwargs)

		frappe.db.sql = counting
		try:
			changed = recompute.recompute(policy.name, "test")
		finally:
			frappe.db.sql = original
		self.assertEqual(changed, 30)
		# Reading the policy and its tickets, one UPDATE and one INSERT: not a query per ticket.
		self.assertLess(len(queries), 15, queries)
