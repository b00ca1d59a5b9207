import base64
import random
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api.customer_history import recent_tickets
from support_center.api.intake import receive_message, retry
from support_center.intake import core
from support_center.intake.core import IntakeError
from support_center.intake.portal import file_ticket
from support_center.tests.factories import (
	make_contact,
	make_customer,
	make_ticket,
	make_user,
	portal_customer,
	unique,
)

DELIVERED = []


def record_reply(**values):
	"""An outgoing-message handler as an integration app would register it."""
	DELIVERED.append(values)


def integration_user() -> str:
	return make_user(["Support Integration"], "System User")


class TestMessengerIntake(FrappeTestCase):
	def setUp(self):
		frappe.set_user(integration_user())
		self.chat = f"chat-{frappe.generate_hash(length=8)}"

	def tearDown(self):
		frappe.set_user("Administrator")

	def post(self, text="Hello, my parcel is late", **values):
		if values.get("message_id"):
			values["message_id"] = f"{self.chat}-{values['message_id']}"
		return receive_message(
			channel=values.pop("channel", "Messenger"),
			conversation_id=values.pop("conversation_id", self.chat),
			text=text,
			**{"sender_name": "Olga Petrova", "sender_email": f"{self.chat}@example.com", **values},
		)

	def messages(self, ticket):
		return frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": str(ticket)},
			pluck="content",
		)

	def test_a_new_conversation_opens_a_ticket_for_a_new_contact(self):
		result = self.post(message_id="m1")
		self.assertTrue(result["created"])
		ticket = frappe.get_doc("Ticket", result["ticket"])
		self.assertEqual((ticket.channel, ticket.status), ("Messenger", "Open"))
		self.assertEqual(ticket.subject, "Hello, my parcel is late")
		self.assertEqual(ticket.raised_by, f"{self.chat}@example.com")
		self.assertEqual(frappe.db.get_value("Contact", ticket.contact, "full_name"), "Olga Petrova")

	def test_the_same_conversation_keeps_one_ticket_and_a_retried_webhook_is_one_message(self):
		first = self.post(message_id="m1")
		second = self.post("Any news?", message_id="m2")
		again = self.post("Any news?", message_id="m2")
		self.assertEqual(first["ticket"], second["ticket"])
		self.assertFalse(second["created"])
		self.assertTrue(again["duplicate"])
		self.assertEqual(self.messages(first["ticket"]), ["<p>Any news?</p>"])

	def test_a_closed_conversation_ticket_is_not_reopened_by_a_new_message(self):
		first = self.post(message_id="m1")
		frappe.db.set_value("Ticket", first["ticket"], "status", "Closed")
		later = self.post("New question", message_id="m2")
		self.assertTrue(later["created"])
		self.assertNotEqual(later["ticket"], first["ticket"])

	def test_a_known_customer_is_recognised_by_email(self):
		customer = make_customer()
		email = f"{unique('known').replace(' ', '')}@example.com"
		contact = make_contact(customer, email=email)
		ticket = frappe.get_doc("Ticket", self.post(sender_email=email)["ticket"])
		self.assertEqual((ticket.contact, ticket.customer), (contact, customer))

	def test_attachments_are_kept_on_the_ticket_and_the_message(self):
		photo = base64.b64encode(b"\x89PNG fake image").decode()
		self.post(message_id="m1")
		result = self.post(
			"Photo", message_id="m2", attachments=[{"filename": "parcel.png", "content_base64": photo}]
		)
		# Frappe may add a suffix to a file name it has seen before.
		on_ticket = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Ticket", "attached_to_name": str(result["ticket"])},
			pluck="file_name",
		)
		self.assertEqual([name[:6] for name in on_ticket], ["parcel"])
		self.assertTrue(
			frappe.db.exists(
				"File", {"file_name": ("like", "parcel%"), "attached_to_doctype": "Communication"}
			)
		)

	def test_bad_input_gets_a_clear_error_and_stores_nothing(self):
		before = frappe.db.count("Intake Message")
		with self.assertRaisesRegex(IntakeError, "no sender"):
			self.post(sender_name=None, sender_email=None)
		with self.assertRaisesRegex(IntakeError, "not a valid email"):
			self.post(sender_email="olga at example")
		with self.assertRaisesRegex(IntakeError, "Unknown channel"):
			self.post(channel="Pigeon")
		big = base64.b64encode(b"x" * (11 * 1024 * 1024)).decode()
		with self.assertRaisesRegex(IntakeError, "the limit is"):
			self.post(attachments=[{"filename": "big.bin", "content_base64": big}])
		with self.assertRaisesRegex(IntakeError, "not valid base64"):
			self.post(attachments=[{"filename": "x.bin", "content_base64": "***"}])
		self.assertEqual(frappe.db.count("Intake Message"), before)

	def test_a_public_reply_goes_back_to_the_conversation_and_a_note_does_not(self):
		ticket = self.post(message_id="m1")["ticket"]
		frappe.set_user("Administrator")
		DELIVERED.clear()
		with patch(
			"support_center.intake.outgoing.outgoing_handlers",
			return_value=["support_center.tests.test_intake.record_reply"],
		):
			frappe.get_doc("Ticket", ticket).add_comment("Comment", "Internal: check the warehouse")
			frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"sent_or_received": "Sent",
					"subject": "Re",
					"content": "<p>Your parcel left today.</p>",
					"reference_doctype": "Ticket",
					"reference_name": ticket,
				}
			).insert(ignore_permissions=True)
		self.assertEqual(len(DELIVERED), 1)
		self.assertEqual(DELIVERED[0]["conversation_id"], self.chat)
		self.assertEqual(DELIVERED[0]["text"], "Your parcel left today.")

	def test_only_integration_users_may_post(self):
		frappe.set_user(make_user(["Support Team"]))
		with self.assertRaises(frappe.PermissionError):
			self.post()
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			self.post()

	def test_a_failure_keeps_the_message_and_a_retry_delivers_it(self):
		with patch.object(core, "find_or_create_contact", side_effect=RuntimeError("contacts are down")):
			with self.assertRaises(RuntimeError):
				self.post(message_id="m1")
		record = frappe.get_doc("Intake Message", {"dedupe_key": f"Messenger:{self.chat}-m1"})
		self.assertEqual(record.status, "Failed")
		self.assertIn("contacts are down", record.error)
		self.assertIsNone(record.ticket)
		frappe.set_user("Administrator")
		result = retry(record.name)
		record.reload()
		self.assertEqual(record.status, "Processed")
		self.assertEqual(int(record.ticket), int(result["ticket"]))
		# The sender retrying the same message now gets the delivered ticket, not a second one.
		frappe.set_user(integration_user())
		self.assertEqual(int(self.post(message_id="m1")["ticket"]), int(result["ticket"]))


class TestPhoneIntake(FrappeTestCase):
	def call(self, number, status="Completed", **values):
		return frappe.get_doc(
			{
				"doctype": "Call Log",
				"id": unique("call"),
				"from": number,
				"to": "+1 555 0100",
				"type": "Incoming",
				"status": status,
				"duration": 125,
				**values,
			}
		).insert(ignore_permissions=True)

	def ticket_of(self, call):
		return frappe.db.get_value(
			"Dynamic Link",
			{"parenttype": "Call Log", "parent": call.name, "link_doctype": "Ticket"},
			"link_name",
		)

	def test_a_call_from_a_known_number_in_another_format_finds_the_customer(self):
		customer = make_customer()
		digits = str(random.randint(1000000, 9999999))
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": unique("Caller"),
				"phone_nos": [
					{"phone": f"8 (495) {digits[:3]}-{digits[3:5]}-{digits[5:]}", "is_primary_phone": 1}
				],
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		).insert()
		call = self.call(f"+7495{digits}", recording_url="https://pbx.example.com/rec/1.mp3")
		ticket = frappe.get_doc("Ticket", int(self.ticket_of(call)))
		self.assertEqual((ticket.channel, ticket.contact, ticket.customer), ("Phone", contact.name, customer))
		self.assertIn("https://pbx.example.com/rec/1.mp3", ticket.description)

	def test_more_calls_from_the_number_join_the_open_ticket_and_missed_calls_count(self):
		number = f"+1 202 555 {random.randint(1000, 9999)}"
		first = self.call(number, status="No Answer")
		second = self.call(number)
		ticket = self.ticket_of(first)
		self.assertIsNotNone(ticket)
		self.assertEqual(self.ticket_of(second), ticket)
		self.assertIn("Missed call", frappe.db.get_value("Ticket", int(ticket), "description"))

	def test_calls_still_ringing_or_outgoing_make_no_ticket(self):
		self.assertIsNone(self.ticket_of(self.call("+1 202 555 0199", status="Ringing")))
		self.assertIsNone(self.ticket_of(self.call("+1 202 555 0198", type="Outgoing")))

	def test_saving_the_call_again_does_not_duplicate(self):
		call = self.call("+1 303 555 0177")
		call.reload()  # ERPNext's own Call Log hooks save it again after insert
		call.summary = "Asked about delivery"
		call.save()
		self.assertEqual(
			frappe.db.count(
				"Dynamic Link", {"parenttype": "Call Log", "parent": call.name, "link_doctype": "Ticket"}
			),
			1,
		)


class TestPortalAndStaffIntake(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def test_a_customer_files_a_ticket_of_their_own_from_the_portal(self):
		customer = portal_customer()
		category = frappe.get_doc(
			{
				"doctype": "Support Category",
				"title": unique("Refunds"),
				"parent_support_category": "All Topics",
			}
		).insert()
		frappe.set_user(customer.user)
		result = file_ticket("Refund please", "I returned the item\n\nOrder SO-1", category=category.name)
		frappe.set_user("Administrator")
		ticket = frappe.get_doc("Ticket", result.ticket)
		self.assertEqual(
			(ticket.channel, ticket.contact, ticket.customer), ("Portal", customer.contact, customer.customer)
		)
		self.assertEqual(ticket.category, category.name)
		self.assertEqual(ticket.description, "<p>I returned the item</p><p>Order SO-1</p>")

	def test_guests_cannot_file_and_unpublished_topics_are_refused(self):
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			file_ticket("Hi", "Hello")
		hidden = frappe.get_doc(
			{
				"doctype": "Support Category",
				"title": unique("Internal"),
				"parent_support_category": "All Topics",
				"published": 0,
			}
		).insert(ignore_permissions=True)
		frappe.set_user(portal_customer().user)
		with self.assertRaisesRegex(frappe.ValidationError, "topics offered"):
			file_ticket("Hi", "Hello", category=hidden.name)

	def test_an_agent_sees_the_customers_other_recent_tickets(self):
		customer = make_customer()
		older, other, current = (make_ticket(customer=customer) for _ in range(3))
		unrelated = make_ticket(customer=make_customer())
		frappe.set_user(make_user(["Support Team"]))
		shown = [int(row.name) for row in recent_tickets(current.name)]
		self.assertEqual(shown, [other.name, older.name])
		self.assertNotIn(unrelated.name, shown)
		frappe.set_user(portal_customer().user)
		with self.assertRaises(frappe.PermissionError):
			recent_tickets(current.name)

	def test_customer_and_contact_forms_show_their_tickets(self):
		for doctype, fieldname in (("Customer", "customer"), ("Contact", "contact")):
			data = frappe.get_meta(doctype).get_dashboard_data()
			self.assertIn("Ticket", [item for group in data.transactions for item in group["items"]])
			field = (data.get("non_standard_fieldnames") or {}).get("Ticket") or data.fieldname
			self.assertEqual(field, fieldname)
