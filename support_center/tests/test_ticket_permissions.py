import json

import frappe
import frappe.api.v1
import frappe.desk.reportview
from frappe.tests.utils import FrappeTestCase

from support_center.tests.factories import (
	make_contact,
	make_customer,
	make_ticket,
	make_user,
	portal_customer,
)
from support_center.www.support.tickets import index as ticket_list_page
from support_center.www.support.tickets import ticket as ticket_page


class TestTicketPermissions(FrappeTestCase):
	"""The desk list, reports, the REST API and the portal agree on who sees which ticket."""

	def setUp(self):
		self.northwind = portal_customer()
		self.volga = portal_customer()
		# A second person of Northwind who has a contact and a user but is not a portal user of the customer.
		self.colleague = make_user(["Customer"], "Website User")
		self.colleague_contact = make_contact(self.northwind.customer, user=self.colleague)

		self.own = make_ticket(contact=self.northwind.contact, customer=self.northwind.customer)
		self.colleagues = make_ticket(contact=self.colleague_contact, customer=self.northwind.customer)
		self.foreign = make_ticket(contact=self.volga.contact, customer=self.volga.customer)
		self.addCleanup(frappe.set_user, "Administrator")

	def visible(self, user: str) -> dict[str, set[int]]:
		"""Which of this test's tickets each read path shows to the user."""
		frappe.set_user(user)
		mine = {self.own.name, self.colleagues.name, self.foreign.name}

		def only_ours(read):
			try:
				return {int(name) for name in read()} & mine
			except frappe.PermissionError:
				return set()

		def report_view():
			# What the desk's list and report views call.
			frappe.local.form_dict = frappe._dict(
				doctype="Ticket", fields=json.dumps(["`tabTicket`.`name`"]), start=0, page_length=1000
			)
			compressed = frappe.desk.reportview.get()
			return [row[0] for row in compressed["values"]] if compressed else []

		desk_list = only_ours(lambda: frappe.get_list("Ticket", pluck="name", limit_page_length=0))
		rest_api = only_ours(
			lambda: [
				row["name"] for row in frappe.client.get_list("Ticket", fields=["name"], limit_page_length=0)
			]
		)
		report = only_ours(report_view)
		single = {name for name in mine if frappe.has_permission("Ticket", "read", doc=name)}
		portal = {name for name in mine if frappe.has_website_permission(frappe.get_doc("Ticket", name))}
		return {
			"desk list": desk_list,
			"REST API": rest_api,
			"report": report,
			"read": single,
			"portal": portal,
		}

	def assert_sees(self, user: str, expected: set[int]):
		for path, seen in self.visible(user).items():
			self.assertEqual(seen, expected, f"{user} through the {path}")

	def test_portal_user_of_a_customer_sees_all_tickets_of_that_customer_and_nothing_else(self):
		self.assert_sees(self.northwind.user, {self.own.name, self.colleagues.name})

	def test_a_contact_only_user_sees_only_tickets_of_their_own_contact(self):
		self.assert_sees(self.colleague, {self.colleagues.name})

	def test_other_customers_see_none_of_them(self):
		self.assert_sees(self.volga.user, {self.foreign.name})

	def test_support_team_and_managers_see_every_ticket(self):
		everything = {self.own.name, self.colleagues.name, self.foreign.name}
		self.assert_sees(make_user(["Support Team"]), everything)
		self.assert_sees(make_user(["Support Manager"]), everything)

	def test_a_desk_user_without_support_roles_sees_no_ticket(self):
		self.assert_sees(make_user(["Sales User"]), set())

	def test_a_user_of_no_customer_sees_no_ticket_of_theirs(self):
		self.assert_sees(make_user(["Customer"], "Website User"), set())

	def test_guest_reaches_no_ticket(self):
		frappe.set_user("Guest")
		self.assertFalse(frappe.has_permission("Ticket", "read", doc=self.own.name))
		self.assertFalse(frappe.has_website_permission(frappe.get_doc("Ticket", self.own.name)))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_list("Ticket")
		frappe.form_dict.name = str(self.own.name)
		with self.assertRaises(frappe.PermissionError):
			ticket_page.get_context(frappe._dict())
		with self.assertRaises(frappe.PermissionError):
			ticket_list_page.get_context(frappe._dict())

	def test_rest_read_of_someone_elses_ticket_is_refused(self):
		frappe.set_user(self.volga.user)
		with self.assertRaises(frappe.PermissionError):
			frappe.api.v1.read_doc("Ticket", str(self.own.name))
		frappe.set_user(self.northwind.user)
		self.assertEqual(frappe.api.v1.read_doc("Ticket", str(self.own.name)).subject, self.own.subject)

	def test_portal_pages_list_and_show_only_own_tickets(self):
		frappe.set_user(self.northwind.user)
		context = frappe._dict()
		ticket_list_page.get_context(context)
		listed = {int(ticket.name) for ticket in context.tickets}
		self.assertIn(self.own.name, listed)
		self.assertNotIn(self.foreign.name, listed)

		frappe.form_dict.name = str(self.own.name)
		context = frappe._dict()
		ticket_page.get_context(context)
		self.assertEqual(context.ticket.name, self.own.name)

		frappe.form_dict.name = str(self.foreign.name)
		with self.assertRaises(frappe.PermissionError):
			ticket_page.get_context(frappe._dict())
		frappe.form_dict.name = "not-a-ticket"
		with self.assertRaises(frappe.DoesNotExistError):
			ticket_page.get_context(frappe._dict())

	def test_customers_cannot_change_tickets(self):
		frappe.set_user(self.northwind.user)
		ticket = frappe.get_doc("Ticket", self.own.name)
		ticket.status = "Closed"
		with self.assertRaises(frappe.PermissionError):
			ticket.save()


class TestPortalUserFilesATicket(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def test_the_ticket_is_filed_for_the_user_whatever_the_client_sent(self):
		northwind, volga = portal_customer(), portal_customer()
		frappe.set_user(northwind.user)
		ticket = frappe.get_doc(
			{
				"doctype": "Ticket",
				"subject": "Printer on fire",
				"customer": volga.customer,
				"contact": volga.contact,
				"status": "Closed",
				"channel": "Staff",
				"priority": "Urgent",
				"raised_by": "someone@else.example",
			}
		).insert()
		self.assertEqual(ticket.customer, northwind.customer)
		self.assertEqual(ticket.contact, northwind.contact)
		self.assertEqual(ticket.raised_by, northwind.user)
		self.assertEqual((ticket.status, ticket.channel), ("Open", "Portal"))
		self.assertEqual(
			ticket.priority, frappe.db.get_single_value("Support Center Settings", "default_priority")
		)

	def test_a_self_registered_user_files_as_their_own_contact_without_a_customer(self):
		# Frappe gives every new user a Contact; a portal sign-up without a customer can still ask for help.
		user = make_user(["Customer"], "Website User")
		own_contact = frappe.db.get_value("Contact", {"user": user})
		frappe.set_user(user)
		ticket = frappe.get_doc(
			{"doctype": "Ticket", "subject": "Hello", "customer": make_customer()}
		).insert()
		self.assertEqual((ticket.contact, ticket.customer), (own_contact, None))
		self.assertTrue(frappe.has_permission("Ticket", "read", doc=ticket.name))

	def test_a_user_with_no_contact_cannot_file(self):
		user = make_user(["Customer"], "Website User")
		for contact in frappe.get_all("Contact", filters={"user": user}, pluck="name"):
			frappe.delete_doc("Contact", contact, ignore_permissions=True)
		frappe.set_user(user)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc({"doctype": "Ticket", "subject": "Hello"}).insert()

	def test_guest_cannot_file(self):
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc({"doctype": "Ticket", "subject": "Hello"}).insert()
