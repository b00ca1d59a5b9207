import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.tests.factories import make_category, make_contact, make_customer, make_ticket, unique


class TestTicket(FrappeTestCase):
	def test_names_are_readable_numbers_in_order(self):
		first, second = make_ticket(), make_ticket()
		self.assertIsInstance(first.name, int)
		self.assertGreater(second.name, first.name)

	def test_priority_comes_from_the_category_then_from_the_settings(self):
		category = make_category(default_priority="High")
		self.assertEqual(make_ticket(category=category).priority, "High")
		default = frappe.db.get_single_value("Support Center Settings", "default_priority")
		self.assertEqual(make_ticket().priority, default)
		self.assertEqual(make_ticket(category=category, priority="Low").priority, "Low")

	def test_customer_is_taken_from_the_contact(self):
		customer = make_customer()
		ticket = make_ticket(contact=make_contact(customer))
		self.assertEqual(ticket.customer, customer)
		self.assertEqual(ticket.customer_name, frappe.db.get_value("Customer", customer, "customer_name"))

	def test_an_invalid_sender_address_is_refused(self):
		with self.assertRaises(frappe.InvalidEmailAddressError):
			make_ticket(raised_by="not an address")
		self.assertEqual(
			make_ticket(raised_by=" a.customer@example.com ").raised_by, "a.customer@example.com"
		)

	def test_resolution_is_stamped_kept_on_close_and_cleared_on_reopen(self):
		ticket = make_ticket()
		self.assertIsNone(ticket.resolved_on)
		ticket.status = "Resolved"
		ticket.save()
		resolved_on = ticket.resolved_on
		self.assertIsNotNone(resolved_on)
		ticket.status = "Closed"
		ticket.save()
		self.assertEqual(ticket.resolved_on, resolved_on)
		ticket.status = "Open"
		ticket.save()
		self.assertIsNone(ticket.resolved_on)

	def test_an_unknown_status_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			make_ticket(status="Solved")

	def test_status_changes_are_tracked_for_the_audit_trail(self):
		ticket = make_ticket()
		ticket.status = "Replied"
		ticket.save(ignore_version=False)  # Frappe skips versions in tests unless asked
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Ticket", "docname": str(ticket.name)}, pluck="data"
		)
		self.assertTrue(any('"status"' in data and "Replied" in data for data in versions))

	def test_the_ticket_can_receive_mail_from_an_email_account(self):
		meta = frappe.get_meta("Ticket")
		self.assertTrue(meta.email_append_to)
		self.assertEqual((meta.sender_field, meta.subject_field), ("raised_by", "subject"))
		self.assertIn("Ticket", frappe.get_all("DocType", filters={"email_append_to": 1}, pluck="name"))


class TestMasters(FrappeTestCase):
	def test_only_one_default_sla_policy(self):
		def policy(**values):
			targets = [{"resolution_time": 86400}]
			return frappe.get_doc(
				{"doctype": "SLA Policy", "policy_name": unique("SLA"), "targets": targets, **values}
			)

		frappe.db.set_value("SLA Policy", {"default_policy": 1}, "default_policy", 0)
		policy(default_policy=1).insert()
		with self.assertRaisesRegex(frappe.ValidationError, "already the default"):
			policy(default_policy=1).insert()
		# A disabled policy can keep the flag: it applies to nothing.
		policy(default_policy=1, enabled=0).insert()

	def test_a_category_is_owned_by_support_staff_only(self):
		from support_center.tests.factories import make_user

		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "Support Category",
					"title": unique("Topic"),
					"parent_support_category": "All Topics",
					"responsible": make_user(["Sales User"]),
				}
			).insert()
		agent = make_user(["Support Team"])
		category = frappe.get_doc(
			{
				"doctype": "Support Category",
				"title": unique("Topic"),
				"parent_support_category": "All Topics",
				"responsible": agent,
			}
		).insert()
		self.assertEqual(category.responsible, agent)

	def test_articles_get_unique_routes(self):
		def article():
			return frappe.get_doc(
				{
					"doctype": "KB Article",
					"title": "How to track your order",
					"kb_category": "All Articles",
					"language": "en",
				}
			).insert()

		first, second = article(), article()
		# /kb/<category>/<article> (support_center/knowledge_base/rules.py)
		self.assertTrue(first.route.startswith("kb/all-articles/how-to-track-your-order"))
		self.assertNotEqual(first.route, second.route)

	def test_a_canned_reply_has_a_team_only_in_team_scope(self):
		reply = frappe.get_doc(
			{
				"doctype": "Canned Reply",
				"title": unique("Hello"),
				"scope": "Global",
				"team": frappe.get_doc(
					{
						"doctype": "User Group",
						"name": unique("Team"),
						"user_group_members": [{"user": "Administrator"}],
					}
				)
				.insert()
				.name,
				"response": "<p>Hello</p>",
			}
		).insert()
		self.assertIsNone(reply.team)
		with self.assertRaises(frappe.MandatoryError):
			frappe.get_doc(
				{"doctype": "Canned Reply", "title": unique("Hi"), "scope": "Team", "response": "<p>Hi</p>"}
			).insert()
