"""The acknowledgement of a customer's first message: queued once, with the expected reply time."""

import email
import email.policy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from support_center.conversation.acknowledgement import send_acknowledgement
from support_center.conversation.values import format_moment
from support_center.sla.service import WEEKDAYS, to_aware
from support_center.tests.factories import keep_settings, make_category, portal_customer, unique

HOUR = 3600


def make_policy(category: str, working_hours=None, timezone: str = "UTC"):
	return frappe.get_doc(
		{
			"doctype": "SLA Policy",
			"policy_name": unique("SLA"),
			"category": category,
			"timezone": timezone,
			"targets": [{"priority": None, "first_response_time": 4 * HOUR, "resolution_time": 24 * HOUR}],
			"working_hours": working_hours or [],
		}
	).insert()


def queued(ticket) -> list[email.message.EmailMessage]:
	rows = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Ticket", "reference_name": str(ticket.name)},
		fields=["name", "message"],
	)
	return [
		(
			frappe.get_all("Email Queue Recipient", filters={"parent": r.name}, pluck="recipient"),
			email.message_from_string(r.message, policy=email.policy.default),
		)
		for r in rows
	]


def body(mail) -> str:
	return mail.get_body(("html", "plain")).get_content()


def outgoing_account() -> str:
	"""A default outgoing Email Account (never connected to in tests)."""
	name = "Support Center Conversation Tests"
	if not frappe.db.exists("Email Account", name):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": name,
				"email_id": "desk@support-center.test",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
				"no_smtp_authentication": 1,
				"awaiting_password": 0,
			}
		).insert(ignore_permissions=True)
	return name


class TestAcknowledgement(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		keep_settings(cls)
		super().setUpClass()

	def setUp(self):
		outgoing_account()
		frappe.db.set_single_value("Support Center Settings", "send_acknowledgement", 1)
		self.category = make_category()

	def tearDown(self):
		frappe.set_user("Administrator")

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		# The settings these tests change are rolled back; their cached copy must go as well.
		frappe.clear_document_cache("Support Center Settings", "Support Center Settings")
		# So is the outgoing Email Account these tests made, which Frappe caches per process.
		frappe.local.outgoing_email_account = {}

	def new_ticket(self, acknowledge=True, **values):
		values.setdefault("raised_by", "laura@customer.test")
		values.setdefault("channel", "Email")
		ticket = frappe.get_doc(
			{"doctype": "Ticket", "subject": unique("Printer"), "category": self.category, **values}
		)
		ticket.flags.acknowledge = acknowledge
		ticket.insert(ignore_permissions=True)
		return ticket

	def test_first_message_gets_the_expected_reply_time(self):
		make_policy(self.category)  # around the clock
		ticket = self.new_ticket()
		self.assertTrue(ticket.response_due)
		[(recipients, mail)] = queued(ticket)
		self.assertEqual(recipients, ["laura@customer.test"])
		self.assertEqual(mail["Subject"], f"We received your request #{ticket.name}: {ticket.subject}")
		self.assertEqual(mail["X-Auto-Response-Suppress"], "All")
		text = body(mail)
		expected = format_moment(ticket.response_due, "UTC", "en")
		self.assertIn(f"We will reply by {expected}", text)
		# The weekday the customer reads is the one in their zone, not the system's.
		in_utc = to_aware(get_datetime(ticket.response_due)).astimezone(ZoneInfo("UTC"))
		self.assertIn(WEEKDAYS[in_utc.weekday()], expected)
		self.assertIn(f"/support/tickets/{ticket.name}", text)
		self.assertNotIn("outside our business hours", text)

	def test_outside_business_hours_says_so(self):
		today = datetime.utcnow().weekday()
		other_day = WEEKDAYS[(today + 3) % 7]
		make_policy(
			self.category,
			working_hours=[{"weekday": other_day, "start_time": "09:00:00", "end_time": "17:00:00"}],
			timezone="Asia/Tokyo",
		)
		ticket = self.new_ticket()
		[(_recipients, mail)] = queued(ticket)
		text = body(mail)
		self.assertIn("outside our business hours", text)
		expected = format_moment(ticket.response_due, "Asia/Tokyo", "en")
		self.assertIn(other_day, expected)
		self.assertIn(f"We will reply by {expected}", text)

	def test_in_the_customers_language(self):
		make_policy(self.category)
		customer = portal_customer()
		frappe.db.set_value("User", customer.user, "language", "ru")
		ticket = self.new_ticket(raised_by=customer.user)
		[(_recipients, mail)] = queued(ticket)
		self.assertTrue(mail["Subject"].startswith(f"Мы получили ваше обращение #{ticket.name}"))
		self.assertIn(f"Мы ответим до {format_moment(ticket.response_due, 'UTC', 'ru')}", body(mail))

	def test_no_acknowledgement_without_the_intake_flag_or_for_staff_channels(self):
		make_policy(self.category)
		self.assertEqual(queued(self.new_ticket(acknowledge=False)), [])
		self.assertEqual(queued(self.new_ticket(channel="Phone")), [])
		self.assertEqual(queued(self.new_ticket(channel="Staff")), [])
		self.assertEqual(queued(self.new_ticket(raised_by=None, channel="API")), [])
		frappe.db.set_single_value("Support Center Settings", "send_acknowledgement", 0)
		frappe.clear_document_cache("Support Center Settings", "Support Center Settings")
		# So is the outgoing Email Account these tests made, which Frappe caches per process.
		frappe.local.outgoing_email_account = {}
		ticket = self.new_ticket()
		self.assertEqual(queued(ticket), [])
		self.assertFalse(send_acknowledgement(ticket))

	def test_templates_are_checked_when_settings_are_saved(self):
		settings = frappe.get_single("Support Center Settings")
		settings.acknowledgement_template = "Hello {{ password }}"
		with self.assertRaises(frappe.ValidationError) as error:
			settings.save()
		self.assertIn("password", str(error.exception))

	def test_the_managers_template_is_used(self):
		make_policy(self.category)
		settings = frappe.get_single("Support Center Settings")
		settings.acknowledgement_subject = "Got it: {{ subject }}"
		settings.acknowledgement_template = "<p>Expect us by {{ expected_reply }}: {{ subject }}.</p>"
		settings.save()
		ticket = self.new_ticket(subject="Tom & Jerry")
		[(_recipients, mail)] = queued(ticket)
		self.assertEqual(mail["Subject"], "Got it: Tom & Jerry")
		self.assertIn(": Tom &amp; Jerry.</p>", body(mail))
		self.assertIn(format_moment(ticket.response_due, "UTC", "en"), body(mail))
