import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.install import ISSUE_PRIORITIES, ensure_masters


class TestInstall(FrappeTestCase):
	def test_the_masters_the_desk_needs_exist(self):
		for priority in ISSUE_PRIORITIES:
			self.assertTrue(frappe.db.exists("Issue Priority", priority), priority)
		for role in ("Support Manager", "Support Team", "Customer"):
			self.assertTrue(frappe.db.exists("Role", role), role)
		self.assertTrue(frappe.db.exists("Support Category", "All Topics"))
		self.assertTrue(frappe.db.exists("KB Category", "All Articles"))
		self.assertEqual(frappe.db.get_single_value("Support Center Settings", "default_priority"), "Medium")

	def test_masters_are_made_again_when_missing_and_never_twice(self):
		frappe.delete_doc("Issue Priority", "Urgent", force=True)
		ensure_masters()
		ensure_masters()
		self.assertTrue(frappe.db.exists("Issue Priority", "Urgent"))
		self.assertEqual(frappe.db.count("Issue Priority", {"name": "Urgent"}), 1)
		self.assertEqual(frappe.db.count("Support Category", {"name": "All Topics"}), 1)

	def test_a_managers_settings_survive_a_migrate(self):
		settings = "Support Center Settings"
		edited = {
			"auto_close_after_days": 0,  # 0 means "never": a real choice, not an unset field
			"sticky_agent_min_tickets": 5,
			"acknowledgement_subject": "Thanks, we got #{{ ticket.name }}",
			"consult_reminder_hours": 0,
		}
		for fieldname, value in edited.items():
			frappe.db.set_single_value(settings, fieldname, value)
		ensure_masters()
		for fieldname, value in edited.items():
			self.assertEqual(frappe.db.get_single_value(settings, fieldname), value, fieldname)

	def test_the_support_workspace_is_ours(self):
		workspace = frappe.get_doc("Workspace", "Support")
		self.assertEqual(workspace.module, "Support Center")
		linked = {link.link_to for link in workspace.links if link.type == "Link"}
		for doctype in ("Ticket", "Support Category", "Canned Reply", "KB Article", "SLA Policy"):
			self.assertIn(doctype, linked)
		# What ERPNext's own Support workspace offered stays reachable.
		self.assertTrue({"Maintenance Visit", "Warranty Claim"} <= linked)
		self.assertEqual({row.role for row in workspace.roles} & {"Support Team"}, {"Support Team"})

	def test_portal_menu_offers_tickets_to_customers(self):
		routes = {(item["route"], item.get("role")) for item in frappe.get_hooks("portal_menu_items")}
		self.assertIn(("/support/tickets", "Customer"), routes)

	def test_translations_ship_for_russian_and_japanese(self):
		for lang, expected in (("ru", "Обращения в поддержку"), ("ja", "サポートへのお問い合わせ")):
			frappe.local.lang = lang
			frappe.local.lang_full_dict = None
			try:
				self.assertEqual(frappe._("Support Tickets"), expected)
			finally:
				frappe.local.lang = "en"
				frappe.local.lang_full_dict = None
