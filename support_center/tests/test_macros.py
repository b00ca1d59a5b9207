"""Macros: a canned reply that also sets status, priority, category, tags and assignee, previewed first."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import macros as api
from support_center.tests.factories import make_agent, make_category, make_ticket, portal_customer, unique
from support_center.tests.test_acknowledgement import outgoing_account


def make_macro(**values):
	return frappe.get_doc(
		{
			"doctype": "Canned Reply",
			"title": unique("Macro"),
			"scope": "Global",
			"response": "<p>Hello {{ contact_name }}, your ticket #{{ ticket }} is fixed.</p>",
			**values,
		}
	).insert(ignore_permissions=True)


class TestMacros(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		outgoing_account()
		self.agent = make_agent()
		self.customer = portal_customer()
		self.ticket = make_ticket(
			contact=self.customer.contact,
			customer=self.customer.customer,
			raised_by=self.customer.user,
			channel="Email",
			category=make_category(),
			priority="Low",
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_the_preview_shows_the_reply_and_each_change_and_saves_nothing(self):
		other_category = make_category()
		macro = make_macro(
			macro_priority="High",
			macro_category=other_category,
			macro_tags="billing, vip",
			macro_assign_to=self.agent,
		)
		frappe.set_user(self.agent)
		preview = api.preview(self.ticket.name, macro.name)
		frappe.set_user("Administrator")
		self.assertIn(f"#{self.ticket.name} is fixed", preview["html"])
		changed = {c["field"]: (c["from"], c["to"]) for c in preview["changes"]}
		self.assertEqual(changed["priority"], ("Low", "High"))
		self.assertEqual(changed["category"][1], other_category)
		self.assertEqual(changed["_user_tags"], (None, "billing, vip"))
		self.assertEqual(changed["assign_to"][1], self.agent)
		self.assertNotIn("status", changed)
		self.assertEqual(frappe.db.get_value("Ticket", self.ticket.name, "priority"), "Low")
		self.assertEqual(frappe.db.get_value("Canned Reply", macro.name, "usage_count") or 0, 0)

	def test_applying_sends_the_reply_and_makes_every_change_in_one_step(self):
		macro = make_macro(
			macro_status="Resolved", macro_priority="High", macro_tags="done", macro_assign_to=self.agent
		)
		frappe.set_user(self.agent)
		result = api.apply(self.ticket.name, macro.name)
		frappe.set_user("Administrator")
		ticket = frappe.get_doc("Ticket", self.ticket.name)
		self.assertEqual((ticket.status, ticket.priority), ("Resolved", "High"))
		self.assertIn("done", ticket._user_tags or "")
		self.assertEqual(
			frappe.get_all(
				"ToDo", filters={"reference_name": str(ticket.name), "status": "Open"}, pluck="allocated_to"
			),
			[self.agent],
		)
		sent = frappe.get_doc("Communication", result["communication"])
		self.assertEqual(sent.sent_or_received, "Sent")
		self.assertIn(self.customer.user, sent.recipients)
		self.assertIn("is fixed", sent.content)
		self.assertTrue(ticket.first_responded_on)
		self.assertEqual(frappe.db.get_value("Canned Reply", macro.name, "usage_count"), 1)

	def test_customers_and_other_agents_personal_macros_are_refused(self):
		owner = make_agent()
		frappe.set_user(owner)
		personal = make_macro(scope="Personal", macro_status="Closed")
		frappe.set_user(self.agent)
		with self.assertRaises(frappe.PermissionError):
			api.apply(self.ticket.name, personal.name)
		frappe.set_user(self.customer.user)
		with self.assertRaises(frappe.PermissionError):
			api.preview(self.ticket.name, personal.name)
		frappe.set_user("Administrator")
		self.assertNotEqual(frappe.db.get_value("Ticket", self.ticket.name, "status"), "Closed")
