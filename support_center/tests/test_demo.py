import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.demo import CUSTOMERS, TICKETS, create_demo_data
from support_center.routing.rules_apply import forget_rules
from support_center.tests.test_acknowledgement import outgoing_account
from support_center.www.support.tickets import ticket as ticket_page


class TestDemo(FrappeTestCase):
	"""The demo's records are this class's own: its rollback removes them, so no later test routes by the
	demo's Routing Rules or meets its agents, teams and tickets."""

	@classmethod
	def setUpClass(cls):
		# Registered before FrappeTestCase's rollback, so it runs after it (class cleanups run last-in
		# first-out): Redis keeps what the demo cached (its routing rules, the settings naming its default
		# topic) through the rollback, and later tests would route by rules and topics that are gone.
		cls.addClassCleanup(cls.forget_cached_demo)
		super().setUpClass()
		# Frappe sends the demo's assignment notices at once during tests, and committing the mail's status
		# would commit the demo with it. Nothing here is about mail: it stays queued and is rolled back
		# (queued through an account of this class's own, rolled back too).
		outgoing_account()
		cls.muted = frappe.flags.mute_emails
		frappe.flags.mute_emails = True
		cls.commits = 0
		cls.commit = frappe.db.commit

		def counted_commit(*args, **kwargs):
			cls.commits += 1
			return cls.commit(*args, **kwargs)

		frappe.db.commit = counted_commit
		# Undone even when making the demo fails (then tearDownClass does not run).
		cls.addClassCleanup(cls.unpatch)
		cls.first_run = create_demo_data(password="Demo-Test-2026")

	@classmethod
	def forget_cached_demo(cls):
		forget_rules()
		frappe.clear_cache()
		frappe.clear_document_cache("Support Center Settings", "Support Center Settings")

	@classmethod
	def unpatch(cls):
		vars(frappe.local.db).pop("commit", None)  # Frappe's own commit again
		frappe.flags.mute_emails = cls.muted

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		# Frappe caches the outgoing account per process; the class's rollback removes the account.
		frappe.local.outgoing_email_account = {}

	def tearDown(self):
		frappe.set_user("Administrator")
		# A commit would have kept the demo on the site for every later test class.
		self.assertEqual(type(self).commits, 0, "making the demo committed the transaction")

	def test_running_it_twice_adds_nothing(self):
		self.first_run.pop("password", None)
		second_run = create_demo_data()
		self.assertIsNone(second_run.pop("password"), "no new users, so no new password")
		self.assertEqual(second_run, self.first_run)

	def test_tickets_cover_every_status_and_channel(self):
		subjects = [ticket[0] for ticket in TICKETS]
		tickets = frappe.get_all(
			"Ticket", filters={"subject": ("in", subjects)}, fields=["status", "channel"]
		)
		self.assertEqual(
			{t.status for t in tickets}, {"Open", "Replied", "Waiting on Customer", "Resolved", "Closed"}
		)
		self.assertEqual(
			{t.channel for t in tickets}, {"Portal", "Email", "Phone", "Messenger", "Staff", "API"}
		)

	def test_agents_work_in_two_teams_and_articles_exist_in_english_and_russian(self):
		for team in ("First Line Support", "Billing Desk"):
			self.assertTrue(frappe.get_all("User Group Member", filters={"parent": team}))
		languages = set(frappe.get_all("KB Article", filters={"status": "Published"}, pluck="language"))
		self.assertTrue({"en", "ru"} <= languages)
		self.assertTrue(
			frappe.get_all("Support Category", filters={"parent_support_category": "Orders and Delivery"})
		)

	def test_a_portal_user_sees_only_their_customers_tickets_and_no_internal_note(self):
		laura = CUSTOMERS["Northwind Traders"][0][2]
		frappe.set_user(laura)
		visible = frappe.get_list("Ticket", fields=["name", "customer"], limit_page_length=0)
		self.assertTrue(visible)
		self.assertEqual({t.customer for t in visible}, {"Northwind Traders"})

		frappe.set_user("Administrator")
		noted = frappe.get_value("Ticket", {"subject": "Два повреждённых блока в поставке"}, "name")
		note = frappe.get_all(
			"Comment", filters={"reference_doctype": "Ticket", "reference_name": str(noted)}, pluck="content"
		)
		self.assertTrue(note, "the demo ticket carries an internal note")
		ivan = CUSTOMERS["Volga Logistics"][0][2]
		frappe.set_user(ivan)
		frappe.form_dict.name = str(noted)
		context = frappe._dict()
		ticket_page.get_context(context)
		shown = " ".join(message.text for message in context.messages)
		self.assertIn("замену", shown)
		self.assertNotIn("pallet was dropped", shown)
