"""Canned replies: placeholders checked at save, the picker's scope and category rules, rendering."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import canned_reply as api
from support_center.tests.factories import (
	make_agent,
	make_category,
	make_customer,
	make_team,
	make_ticket,
	portal_customer,
	unique,
)


def make_reply(response: str = "<p>Hello {{ contact_name }}</p>", **values):
	return frappe.get_doc(
		{
			"doctype": "Canned Reply",
			"title": unique("Reply"),
			"response": response,
			"scope": "Global",
			**values,
		}
	).insert()


class TestCannedReply(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def test_unknown_placeholder_or_bad_syntax_is_refused_at_save(self):
		with self.assertRaises(frappe.ValidationError) as error:
			make_reply("Dear {{ customer_nam }}")
		self.assertIn("customer_nam", str(error.exception))
		self.assertRaises(frappe.ValidationError, make_reply, "{% if subject %}no end")
		self.assertRaises(frappe.ValidationError, make_reply, "{{ subject.__class__.__mro__ }}")
		make_reply("{{ customer_name }} {{ ticket }} {{ portal_link }} {{ response_due }}")

	def test_scope_rules_in_picker_and_desk(self):
		agent, colleague, outsider = make_agent(), make_agent(), make_agent()
		team = make_team([agent, colleague])
		ticket = make_ticket(subject="Scope")
		frappe.set_user(agent)
		mine = make_reply(title=unique("Mine"), scope="Personal")
		team_reply = make_reply(title=unique("TeamR"), scope="Team", team=team)
		frappe.set_user("Administrator")
		global_reply = make_reply(title=unique("Global"))
		visible = {
			agent: {mine.name, team_reply.name, global_reply.name},
			colleague: {team_reply.name, global_reply.name},
			outsider: {global_reply.name},
		}
		ours = {mine.name, team_reply.name, global_reply.name}
		for user, expected in visible.items():
			frappe.set_user(user)
			found = {row["name"] for row in api.search(ticket.name)} & ours
			self.assertEqual(found, expected, user)
			listed = set(frappe.get_list("Canned Reply", pluck="name", limit_page_length=0)) & ours
			self.assertEqual(listed, expected, user)
			for reply in (mine, team_reply, global_reply):
				self.assertEqual(
					frappe.has_permission("Canned Reply", "read", doc=reply.name), reply.name in expected
				)
				if reply.name not in expected:
					self.assertRaises(frappe.PermissionError, api.render, ticket.name, reply.name)

	def test_category_filter_includes_ancestors_and_uncategorised(self):
		parent = make_category()
		child = frappe.get_doc(
			{"doctype": "Support Category", "title": unique("Child"), "parent_support_category": parent}
		).insert()
		other = make_category()
		for_parent = make_reply(category=parent)
		for_child = make_reply(category=child.name)
		for_other = make_reply(category=other)
		for_all = make_reply()
		ticket = make_ticket(category=child.name)
		found = {row["name"] for row in api.search(ticket.name)}
		self.assertTrue({for_parent.name, for_child.name, for_all.name} <= found)
		self.assertNotIn(for_other.name, found)
		ticket_parent = make_ticket(category=parent)
		found = {row["name"] for row in api.search(ticket_parent.name)}
		self.assertNotIn(for_child.name, found)

	def test_search_as_you_type(self):
		word = frappe.generate_hash(length=10)
		hit = make_reply(title=f"Refund {word}")
		in_body = make_reply(response=f"<p>About {word}-x</p>")
		miss = make_reply()
		ticket = make_ticket()
		found = {row["name"] for row in api.search(ticket.name, word)}
		self.assertEqual(found, {hit.name, in_body.name})
		self.assertNotIn(miss.name, found)

	def test_render_escapes_values_and_counts_usage(self):
		agent = make_agent()
		customer = make_customer()
		frappe.db.set_value("Customer", customer, "customer_name", "Tom & <Jerry>")
		ticket = make_ticket(subject="<b>bold</b>", customer=customer)
		reply = make_reply(
			"<p>Hi {{ customer_name }}, #{{ ticket }} {{ subject }} by {{ agent_name }}: {{ portal_link }}</p>"
		)
		frappe.db.set_value("Ticket", ticket.name, "customer_name", "Tom & <Jerry>")
		frappe.set_user(agent)
		html = api.render(ticket.name, reply.name)
		self.assertIn("Tom &amp; &lt;Jerry&gt;", html)
		self.assertIn(f"#{ticket.name} &lt;b&gt;bold&lt;/b&gt;", html)
		self.assertIn(f"/support/tickets/{ticket.name}</p>", html)
		self.assertIn("Test", html)  # the agent's name
		self.assertTrue(html.startswith("<p>Hi "))
		api.render(ticket.name, reply.name)
		self.assertEqual(frappe.db.get_value("Canned Reply", reply.name, "usage_count"), 2)

	def test_only_staff_with_read_on_the_ticket(self):
		customer = portal_customer()
		ticket = make_ticket(contact=customer.contact, customer=customer.customer)
		reply = make_reply()
		frappe.set_user(customer.user)
		self.assertRaises(frappe.PermissionError, api.search, ticket.name)
		self.assertRaises(frappe.PermissionError, api.render, ticket.name, reply.name)
		self.assertEqual(frappe.db.get_value("Canned Reply", reply.name, "usage_count"), 0)
