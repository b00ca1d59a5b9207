"""No internal note reaches a customer who can read the ticket, by any path."""

import frappe
import frappe.client
from frappe.handler import execute_cmd
from frappe.tests.utils import FrappeTestCase
from frappe.utils import set_request
from frappe.website.serve import get_response

from support_center.conversation.notes import add_note
from support_center.tests.factories import make_agent, make_ticket, portal_customer


def call(cmd: str, **kwargs):
	"""A whitelisted method as a request runs it: overrides from hooks apply."""
	set_request(method="POST", path=f"/api/method/{cmd}")
	frappe.local.form_dict = frappe._dict(kwargs)
	frappe.local.response = frappe._dict(docs=[])
	result = execute_cmd(cmd)
	return result, frappe.local.response


class TestInternalNotes(FrappeTestCase):
	def setUp(self):
		self.customer = portal_customer()
		self.agent = make_agent()
		self.ticket = make_ticket(contact=self.customer.contact, customer=self.customer.customer)
		self.secret = f"secret-{frappe.generate_hash(length=12)}"
		frappe.set_user(self.agent)
		self.note = add_note(self.ticket.name, f"<p>Customer is difficult, {self.secret}</p>")
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"subject": "Re",
				"content": "public message",
				"sender": self.customer.user,
				"reference_doctype": "Ticket",
				"reference_name": self.ticket.name,
			}
		).insert(ignore_permissions=True)
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		frappe.local.response = frappe._dict()
		if hasattr(frappe.local, "request"):
			del frappe.local.request

	def assert_no_secret(self, value, where: str):
		self.assertNotIn(self.secret, frappe.as_json(value), where)

	def as_customer(self):
		frappe.set_user(self.customer.user)
		# the customer can read the ticket: every path below is one they can reach
		self.assertTrue(frappe.has_permission("Ticket", "read", doc=str(self.ticket.name)))

	def test_the_note_is_a_comment_and_is_never_emailed(self):
		self.assertEqual(
			(self.note.comment_type, str(self.note.reference_name)), ("Comment", str(self.ticket.name))
		)
		queued = frappe.get_all(
			"Email Queue", filters={"reference_doctype": "Ticket", "reference_name": str(self.ticket.name)}
		)
		self.assertEqual(queued, [])

	def test_rest_and_list_apis_for_comments(self):
		self.as_customer()
		filters = {"reference_doctype": "Ticket", "reference_name": str(self.ticket.name)}
		for getter in (
			lambda: frappe.get_list("Comment", filters=filters, fields=["name", "content"]),
			lambda: frappe.client.get_list("Comment", filters=filters, fields=["name", "content"]),
			lambda: frappe.get_list("Comment", fields=["content"], limit_page_length=0),
		):
			try:
				rows = getter()
			except frappe.PermissionError:
				rows = []
			self.assert_no_secret(rows, "Comment list")
		self.assertFalse(frappe.has_permission("Comment", "read", doc=self.note.name))
		self.assertRaises(frappe.PermissionError, frappe.client.get, "Comment", self.note.name)
		# a System Manager still lists it
		frappe.set_user(make_agent(("System Manager",)))
		self.assertIn(self.note.name, frappe.get_list("Comment", filters=filters, pluck="name"))

	def test_comment_hooks_hide_notes_even_from_a_role_that_may_read_comments(self):
		# Website Manager may read Comments in Frappe; a customer with that role still gets no note.
		frappe.get_doc("User", self.customer.user).add_roles("Website Manager")
		self.as_customer()
		filters = {"reference_doctype": "Ticket", "reference_name": str(self.ticket.name)}
		self.assertTrue(frappe.has_permission("Comment", "read"))
		rows = frappe.get_list("Comment", filters=filters, fields=["content"])
		self.assert_no_secret(rows, "Comment list for a Website Manager")
		self.assertRaises(frappe.PermissionError, frappe.client.get, "Comment", self.note.name)

	def test_form_loader_returns_no_notes_to_a_customer(self):
		self.as_customer()
		_, response = call("frappe.desk.form.load.getdoc", doctype="Ticket", name=str(self.ticket.name))
		self.assertTrue(response.docs, "the customer can load the ticket")
		self.assertEqual(response.docinfo.comments, [])
		self.assertIn("public message", frappe.as_json(response.docinfo.communications))
		self.assert_no_secret(response, "getdoc")
		_, response = call("frappe.desk.form.load.get_docinfo", doctype="Ticket", name=str(self.ticket.name))
		self.assert_no_secret(response, "get_docinfo")
		# staff get the note in the timeline
		frappe.set_user(self.agent)
		_, response = call("frappe.desk.form.load.getdoc", doctype="Ticket", name=str(self.ticket.name))
		self.assertIn(self.secret, frappe.as_json(response.docinfo.comments))

	def test_ticket_rest_api_does_not_carry_the_note_in_comments_cache(self):
		self.as_customer()
		rows = frappe.get_list("Ticket", filters={"name": self.ticket.name}, fields=["name", "_comments"])
		self.assertEqual(len(rows), 1)
		self.assert_no_secret(rows, "Ticket _comments")
		self.assert_no_secret(frappe.client.get("Ticket", self.ticket.name), "frappe.client.get Ticket")

	def test_communication_list_has_no_note(self):
		self.as_customer()
		try:
			rows = frappe.get_list("Communication", fields=["content", "subject"], limit_page_length=0)
		except frappe.PermissionError:
			rows = []
		self.assert_no_secret(rows, "Communication list")

	def test_portal_page_has_no_note(self):
		frappe.set_user(self.customer.user)
		frappe.local.form_dict = frappe._dict()
		path = f"support/tickets/{self.ticket.name}"
		set_request(method="GET", path=f"/{path}")
		response = get_response(path)
		html = response.get_data(as_text=True)
		self.assertEqual(response.status_code, 200)
		self.assertIn("public message", html)
		self.assertNotIn(self.secret, html)

	def test_realtime_document_room_is_for_staff(self):
		self.as_customer()
		self.assertRaises(
			frappe.PermissionError,
			call,
			"frappe.realtime.can_subscribe_doc",
			doctype="Ticket",
			docname=str(self.ticket.name),
		)
		frappe.set_user(self.agent)
		result, _ = call("frappe.realtime.can_subscribe_doc", doctype="Ticket", docname=str(self.ticket.name))
		self.assertTrue(result)
