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


def customer_view(ticket) -> str:
	"""Everything the session user (a customer) can reach of a ticket's conversation, as one text.

	The portal page, the form loader (getdoc, get_docinfo, get_communications) and the REST API for
	Communications and the Ticket. A path that refuses counts as showing nothing.
	"""
	name = str(ticket)
	seen = []
	path = f"support/tickets/{name}"
	set_request(method="GET", path=f"/{path}")
	frappe.local.form_dict = frappe._dict()
	seen.append(get_response(path).get_data(as_text=True))
	for cmd, kwargs in (
		("frappe.desk.form.load.getdoc", {"doctype": "Ticket", "name": name}),
		("frappe.desk.form.load.get_docinfo", {"doctype": "Ticket", "name": name}),
		("frappe.desk.form.load.get_communications", {"doctype": "Ticket", "name": name, "limit": 100}),
	):
		try:
			result, response = call(cmd, **kwargs)
			seen.append(frappe.as_json([result, response]))
		except frappe.PermissionError:
			pass
	filters = {"reference_doctype": "Ticket", "reference_name": name}
	try:
		rows = frappe.client.get_list(
			"Communication", filters=filters, fields=["name", "content", "subject"], limit_page_length=0
		)
		seen.append(frappe.as_json(rows))
	except frappe.PermissionError:
		pass
	for row in frappe.get_all("Communication", filters=filters, pluck="name"):
		try:
			seen.append(frappe.as_json(frappe.client.get("Communication", row)))
		except frappe.PermissionError:
			pass
	seen.append(frappe.as_json(frappe.client.get("Ticket", name)))
	if hasattr(frappe.local, "request"):
		del frappe.local.request
	return "\n".join(seen)


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


class TestMailWithThirdParties(FrappeTestCase):
	"""An agent's mail to a supplier, and the supplier's answer, are for staff: on every path."""

	def setUp(self):
		from support_center.tests.test_acknowledgement import outgoing_account

		self.account = outgoing_account()
		self.customer = portal_customer()
		self.agent = make_agent()
		self.ticket = make_ticket(
			contact=self.customer.contact, customer=self.customer.customer, raised_by=self.customer.user
		)
		# The customer filed it on the portal: they own it, and Frappe copies new mail to owners.
		frappe.db.set_value("Ticket", self.ticket.name, "owner", self.customer.user)
		self.secret = f"supplier-price-{frappe.generate_hash(length=8)}"

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		frappe.local.response = frappe._dict()

	def send(self, recipients: str, content: str, cc: str | None = None) -> str:
		"""A mail from the desk's composer, as the agent sends it."""
		from frappe.core.doctype.communication.email import make

		frappe.set_user(self.agent)
		name = make(
			doctype="Ticket",
			name=str(self.ticket.name),
			content=f"<p>{content}</p>",
			subject=f"Re: {self.ticket.subject}",
			recipients=recipients,
			cc=cc,
			send_email=True,
		)["name"]
		frappe.set_user("Administrator")
		return name

	def customer_sees(self) -> str:
		frappe.set_user(self.customer.user)
		seen = customer_view(self.ticket.name)
		frappe.set_user("Administrator")
		self.assertIn(frappe.utils.escape_html(self.ticket.subject), seen, "the customer reads the ticket")
		return seen

	def test_mail_to_a_supplier_is_internal_and_moves_nothing(self):
		name = self.send("Sales <sales@supplier.test>", f"Your best price? {self.secret}")
		self.assertEqual(frappe.db.get_value("Communication", name, "support_internal"), 1)
		self.assertNotIn(self.secret, self.customer_sees())
		ticket = frappe.get_doc("Ticket", self.ticket.name)
		self.assertEqual((ticket.status, ticket.first_responded_on), ("Open", None))
		# staff still have it in the form's conversation
		frappe.set_user(self.agent)
		_, response = call("frappe.desk.form.load.getdoc", doctype="Ticket", name=str(self.ticket.name))
		self.assertIn(self.secret, frappe.as_json(response.docinfo.communications))

	def test_a_reply_that_reaches_the_customer_is_theirs(self):
		name = self.send(self.customer.user, f"Here is your answer {self.secret}", cc="sales@supplier.test")
		self.assertEqual(frappe.db.get_value("Communication", name, "support_internal"), 0)
		self.assertIn(self.secret, self.customer_sees())
		self.assertEqual(frappe.db.get_value("Ticket", self.ticket.name, "status"), "Replied")

	def test_the_suppliers_answer_is_internal_and_not_mailed_to_the_customer(self):
		from support_center.tests.test_consult import mail_from, take_in

		asked = self.send("sales@supplier.test", "Your best price?")
		raw, _ = mail_from(
			"Sales <sales@supplier.test>",
			f"Re: {self.ticket.subject}",
			f"Our price is {self.secret}",
			In_Reply_To=f"<{frappe.db.get_value('Communication', asked, 'message_id')}>",
		)
		answer = take_in(raw, self.account)
		self.assertEqual(str(answer.reference_name), str(self.ticket.name))
		self.assertEqual((answer.communication_type, answer.support_internal), ("Communication", 1))
		self.assertEqual(frappe.db.get_value("Ticket", self.ticket.name, "status"), "Open")
		self.assertNotIn(self.secret, self.customer_sees())
		for parent in frappe.get_all(
			"Email Queue Recipient",
			filters={"recipient": ("like", f"%{self.customer.user}%")},
			pluck="parent",
		):
			self.assertNotIn(self.secret, frappe.db.get_value("Email Queue", parent, "message") or "")

	def test_rest_refuses_internal_mail_even_to_a_customer_with_mail_roles(self):
		# Inbox User reads Communications by role and Super Email User lifts Frappe's mailbox condition:
		# only the app's rule stands between such a customer and the internal mail.
		if not frappe.db.exists("Role", "Super Email User"):
			frappe.get_doc({"doctype": "Role", "role_name": "Super Email User"}).insert(
				ignore_permissions=True
			)
		frappe.get_doc("User", self.customer.user).add_roles("Inbox User", "Super Email User")
		internal = self.send("sales@supplier.test", f"Your best price? {self.secret}")
		public = self.send(self.customer.user, "Your order ships today")
		frappe.set_user(self.customer.user)
		self.assertRaises(frappe.PermissionError, frappe.client.get, "Communication", internal)
		self.assertEqual(frappe.client.get("Communication", public)["name"], public)
		rows = frappe.client.get_list(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": str(self.ticket.name)},
			fields=["name", "content"],
		)
		self.assertIn(public, [row.name for row in rows])
		self.assertNotIn(self.secret, frappe.as_json(rows))
		self.assertNotIn(self.secret, customer_view(self.ticket.name))

	def test_mail_to_a_supplier_does_not_go_to_the_customers_messenger(self):
		from unittest.mock import patch

		from support_center.tests.test_intake import DELIVERED

		frappe.db.set_value(
			"Ticket", self.ticket.name, {"channel": "Messenger", "external_conversation": "chat:42"}
		)
		DELIVERED.clear()
		with patch(
			"support_center.intake.outgoing.outgoing_handlers",
			return_value=["support_center.tests.test_intake.record_reply"],
		):
			self.send("sales@supplier.test", f"Your best price? {self.secret}")
			self.assertEqual(DELIVERED, [])
			self.send(self.customer.user, "Your order ships today")
		self.assertEqual([d["text"] for d in DELIVERED], ["Your order ships today"])

	def test_the_upgrade_marks_earlier_mail_with_third_parties(self):
		from support_center.conversation.patches import mark_internal_mail

		asked = self.send("sales@supplier.test", "Your best price?")
		replied = self.send(self.customer.user, "Your order ships today")
		answer = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"subject": "Re",
				"content": f"Our price is {self.secret}",
				"sender": "sales@supplier.test",
				"in_reply_to": asked,
				"reference_doctype": "Ticket",
				"reference_name": self.ticket.name,
			}
		).insert(ignore_permissions=True)
		# as they were stored before the rule existed
		for name in (asked, answer.name):
			frappe.db.set_value("Communication", name, "support_internal", 0, update_modified=False)
		self.assertIn(self.secret, self.customer_sees())
		mark_internal_mail.execute()
		flags = {
			name: frappe.db.get_value("Communication", name, "support_internal")
			for name in (asked, answer.name, replied)
		}
		self.assertEqual(flags, {asked: 1, answer.name: 1, replied: 0})
		self.assertNotIn(self.secret, self.customer_sees())
