import base64
import random
from contextlib import contextmanager
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import set_request

from support_center.api.customer_history import recent_tickets
from support_center.api.intake import answer, message_status, receive_message, retry
from support_center.intake import core
from support_center.intake.core import IntakeError
from support_center.intake.portal import file_ticket
from support_center.tests.factories import (
	keep_settings,
	make_contact,
	make_customer,
	make_ticket,
	make_user,
	portal_customer,
	unique,
)
from support_center.tests.live_data import active_markup
from support_center.tests.test_acknowledgement import outgoing_account, queued

DELIVERED = []


def record_reply(**values):
	"""An outgoing-message handler as an integration app would register it."""
	DELIVERED.append(values)


def integration_user(trusted: bool = False) -> str:
	roles = ["Support Integration", "Support Trusted Integration"] if trusted else ["Support Integration"]
	return make_user(roles, "System User")


def new_email() -> str:
	return f"{frappe.generate_hash(length=12)}@customer.test"


def as_worker(endpoint_answer: dict) -> dict:
	"""The endpoint's answer once the delivery it queued ran, as the background worker runs it."""
	if endpoint_answer["status"] != "Queued" or endpoint_answer["duplicate"]:
		return endpoint_answer
	return answer(core.deliver_queued(endpoint_answer["intake_message"]))


@contextmanager
def site_country(country: str | None):
	"""National numbers are read in the site's country (System Settings)."""
	before = frappe.db.get_single_value("System Settings", "country")
	frappe.db.set_single_value("System Settings", "country", country)
	try:
		yield
	finally:
		frappe.db.set_single_value("System Settings", "country", before)


@contextmanager
def http_request(path: str):
	"""Frappe's rate limiter counts only calls made while serving a request."""
	previous = getattr(frappe.local, "request", None)
	set_request(method="POST", path=path)
	try:
		yield
	finally:
		frappe.local.request = previous


def visible_to(user: str, ticket) -> bool:
	frappe.set_user(user)
	try:
		return bool(frappe.get_list("Ticket", filters={"name": ticket}, pluck="name"))
	finally:
		frappe.set_user("Administrator")


class TestMessengerIntake(FrappeTestCase):
	def setUp(self):
		frappe.set_user(integration_user())
		self.chat = f"chat-{frappe.generate_hash(length=8)}"

	def tearDown(self):
		frappe.set_user("Administrator")

	def post(self, text="Hello, my parcel is late", **values):
		if values.get("message_id"):
			values["message_id"] = f"{self.chat}-{values['message_id']}"
		return as_worker(
			receive_message(
				channel=values.pop("channel", "Messenger"),
				conversation_id=values.pop("conversation_id", self.chat),
				text=text,
				**{"sender_name": "Olga Petrova", "sender_email": f"{self.chat}@example.com", **values},
			)
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
		self.assertEqual(frappe.db.get_value("Contact", ticket.contact, "full_name"), "Olga Petrova")
		# The address is the messenger user's claim: kept for the agent, never used as the sender's.
		self.assertIsNone(ticket.raised_by)
		self.assertFalse(frappe.get_all("Contact Email", filters={"parent": ticket.contact}))
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": "Ticket",
					"reference_name": str(ticket.name),
					"content": ("like", f"%{self.chat}@example.com%not verify%"),
				},
			)
		)

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

	def test_a_trusted_integration_finds_the_customer_by_email_or_whole_phone_number(self):
		customer = make_customer()
		email = new_email()
		contact = make_contact(customer, email=email)
		number = f"+1 206 {random.randint(1000000, 9999999)}"
		doc = frappe.get_doc("Contact", contact)
		doc.append("phone_nos", {"phone": number})
		doc.save(ignore_permissions=True)
		frappe.set_user(integration_user(trusted=True))
		by_email = frappe.get_doc("Ticket", self.post(sender_email=email)["ticket"])
		self.assertEqual(
			(by_email.contact, by_email.customer, by_email.raised_by), (contact, customer, email)
		)
		by_phone = frappe.get_doc(
			"Ticket",
			self.post(
				conversation_id=f"{self.chat}-2", sender_email=None, sender_phone=number.replace(" ", "-")
			)["ticket"],
		)
		self.assertEqual((by_phone.contact, by_phone.customer), (contact, customer))

	def test_a_name_or_a_claimed_address_never_finds_an_existing_customer(self):
		# Laura's company, with a colleague on the portal who sees the company's tickets.
		colleague = make_user(["Customer"], "Website User")
		customer = make_customer(portal_users=(colleague,))
		email = new_email()
		number = f"+1 206 {random.randint(1000000, 9999999)}"
		laura = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Laura",
				"last_name": unique("Smith"),
				"email_ids": [{"email_id": email, "is_primary": 1}],
				"phone_nos": [{"phone": number, "is_primary_phone": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		).insert(ignore_permissions=True)
		for index, claims in enumerate(
			(
				{"sender_name": laura.full_name, "sender_email": None},
				{"sender_name": laura.full_name, "sender_email": email},
				{"sender_name": "Laura", "sender_email": None, "sender_phone": number},
			)
		):
			frappe.set_user(integration_user())
			ticket = frappe.get_doc(
				"Ticket", self.post(conversation_id=f"{self.chat}-{index}", **claims)["ticket"]
			)
			self.assertNotEqual(ticket.contact, laura.name)
			self.assertIsNone(ticket.customer)
			self.assertIsNone(ticket.raised_by)
			self.assertFalse(visible_to(colleague, ticket.name))
		# Laura's address still finds Laura only.
		self.assertEqual(
			frappe.get_all(
				"Contact Email", filters={"email_id": email, "parenttype": "Contact"}, pluck="parent"
			),
			[laura.name],
		)

	def test_the_same_messenger_user_keeps_one_contact_across_tickets(self):
		first = self.post(message_id="m1")
		frappe.db.set_value("Ticket", first["ticket"], "status", "Closed")
		later = self.post("New question", message_id="m2")
		self.assertEqual(
			frappe.db.get_value("Ticket", later["ticket"], "contact"),
			frappe.db.get_value("Ticket", first["ticket"], "contact"),
		)

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

	def test_a_ticket_split_off_a_chat_answers_in_the_chat_and_the_chat_stays_with_its_ticket(self):
		from support_center.conversation.split import split

		first = self.post(message_id="m1")["ticket"]
		question = self.post("Also: can I change the delivery address?", message_id="m2")
		frappe.set_user("Administrator")
		moved = frappe.db.get_value(
			"Communication",
			{"reference_doctype": "Ticket", "reference_name": str(first), "sent_or_received": "Received"},
			"name",
		)
		new = frappe.get_doc("Ticket", split(frappe.get_doc("Ticket", first), moved))
		self.assertEqual(question["ticket"], first)
		self.assertEqual((new.external_conversation, new.channel), (self.chat, "Messenger"))
		DELIVERED.clear()
		with patch(
			"support_center.intake.outgoing.outgoing_handlers",
			return_value=["support_center.tests.test_intake.record_reply"],
		):
			frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"sent_or_received": "Sent",
					"subject": "Re",
					"content": "<p>Yes, until it ships.</p>",
					"reference_doctype": "Ticket",
					"reference_name": new.name,
				}
			).insert(ignore_permissions=True)
		self.assertEqual(
			[(d["conversation_id"], d["text"]) for d in DELIVERED], [(self.chat, "Yes, until it ships.")]
		)
		# The chat's next message goes to the ticket it was split from while that one is open...
		frappe.set_user(integration_user())
		self.assertEqual(self.post("Thanks!", message_id="m3")["ticket"], first)
		# ...and to the split one once the first is closed.
		frappe.db.set_value("Ticket", first, "status", "Closed")
		self.assertEqual(int(self.post("One more thing", message_id="m4")["ticket"]), int(new.name))

	def test_what_the_customer_wrote_is_kept_whole_whatever_looks_like_markup(self):
		text = (
			"if a<b and c>d, write to Laura Smith <laura@northwind.example>\n\n<img src=x onerror=alert(1)>"
		)
		result = self.post(text, message_id="m1")
		record = frappe.db.get_value("Intake Message", result["intake_message"], ["text"], as_dict=True)
		self.assertEqual(record.text, text)
		description = frappe.db.get_value("Ticket", result["ticket"], "description")
		self.assertEqual(active_markup(description), [])
		self.assertIn(
			"if a&lt;b and c&gt;d, write to Laura Smith &lt;laura@northwind.example&gt;", description
		)
		self.assertIn("&lt;img src=x onerror=alert(1)&gt;", description)

	def test_a_file_frappe_cannot_store_as_sent_costs_that_file_only(self):
		not_an_image = base64.b64encode(b"this is not a JPEG").decode()
		result = self.post(
			"Photo of the damage",
			message_id="m1",
			attachments=[{"filename": "damage.jpg", "content_base64": not_an_image}],
		)
		self.assertTrue(result["created"])
		files = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Ticket", "attached_to_name": str(result["ticket"])},
			pluck="file_name",
		)
		self.assertEqual(files, ["damage.jpg.bin"])
		description = frappe.db.get_value("Ticket", result["ticket"], "description")
		self.assertIn("Photo of the damage", description)
		self.assertIn("damage.jpg.bin", description)

	def test_only_integration_users_may_post(self):
		frappe.set_user(make_user(["Support Team"]))
		with self.assertRaises(frappe.PermissionError):
			self.post()
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			self.post()

	def test_a_failure_keeps_the_message_and_a_retry_delivers_it(self):
		with patch.object(core, "sender_contact", side_effect=RuntimeError("contacts are down")):
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


class TestQueuedDelivery(FrappeTestCase):
	"""The endpoint answers once the message is stored; a background job delivers it."""

	def setUp(self):
		self.integration = integration_user()
		frappe.set_user(self.integration)
		self.chat = f"queued-{frappe.generate_hash(length=8)}"

	def tearDown(self):
		frappe.set_user("Administrator")

	def accept(self, text: str, message_id: str, **values) -> dict:
		return receive_message(
			channel="Messenger",
			conversation_id=self.chat,
			text=text,
			message_id=f"{self.chat}-{message_id}",
			sender_name="Olga Petrova",
			**values,
		)

	def conversation_tickets(self) -> list:
		return [
			str(name)
			for name in frappe.get_all("Ticket", filters={"external_conversation": self.chat}, pluck="name")
		]

	def test_the_answer_comes_before_the_ticket_and_the_job_makes_it(self):
		queued_jobs = []
		with patch.object(frappe, "enqueue", side_effect=lambda *a, **k: queued_jobs.append((a, k))):
			answered = self.accept("Hello, my parcel is late", "m1")
		self.assertEqual(
			(answered["status"], answered["ticket"], answered["duplicate"]), ("Queued", None, False)
		)
		# Stored and waiting for its job, which is queued only once the message is committed.
		self.assertEqual(
			frappe.db.get_value("Intake Message", answered["intake_message"], "status"), "Queued"
		)
		self.assertEqual(self.conversation_tickets(), [])
		self.assertEqual(len(queued_jobs), 1)
		(method,), options = queued_jobs[0]
		self.assertEqual(method, "support_center.intake.core.deliver_queued")
		self.assertTrue(options["enqueue_after_commit"])
		self.assertEqual(message_status(answered["intake_message"])["status"], "Queued")
		result = core.deliver_queued(**{k: v for k, v in options.items() if k == "intake_message"})
		self.assertTrue(result.created)
		status = message_status(answered["intake_message"])
		self.assertEqual((status["status"], status["ticket"]), ("Processed", result.ticket))
		self.assertEqual(self.conversation_tickets(), [str(result.ticket)])
		# The same message posted again answers with the ticket it became.
		again = self.accept("Hello, my parcel is late", "m1")
		self.assertEqual((again["duplicate"], again["ticket"]), (True, result.ticket))

	def test_messages_of_a_conversation_go_in_in_the_order_they_came_whichever_job_runs_first(self):
		first = self.accept("First: my parcel is late", "m1")
		second = self.accept("Second: it is the blue one", "m2")
		# The second message's job runs first (another worker was quicker); the first goes in before it.
		result = core.deliver_queued(second["intake_message"])
		ticket = frappe.get_doc("Ticket", result.ticket)
		self.assertIn("First: my parcel is late", ticket.description)
		self.assertEqual(
			frappe.get_all(
				"Communication",
				filters={"reference_doctype": "Ticket", "reference_name": str(ticket.name)},
				pluck="content",
			),
			["<p>Second: it is the blue one</p>"],
		)
		# The first message's own job, run later, delivers nothing twice.
		late = core.deliver_queued(first["intake_message"])
		self.assertTrue(late.duplicate)
		self.assertEqual(self.conversation_tickets(), [str(ticket.name)])
		self.assertEqual(
			frappe.db.count(
				"Communication", {"reference_doctype": "Ticket", "reference_name": str(ticket.name)}
			),
			1,
		)

	def test_the_same_message_twice_before_its_job_ran_is_one_message(self):
		first = self.accept("Hello", "m1")
		again = self.accept("Hello", "m1")
		self.assertEqual(
			(again["intake_message"], again["status"], again["duplicate"]),
			(first["intake_message"], "Queued", True),
		)
		core.deliver_queued(first["intake_message"])
		core.deliver_queued(again["intake_message"])
		self.assertEqual(len(self.conversation_tickets()), 1)

	def test_a_failed_delivery_is_kept_with_its_reason_and_retried(self):
		answered = self.accept("Hello", "m1")
		with patch.object(core, "sender_contact", side_effect=RuntimeError("contacts are down")):
			with self.assertRaises(RuntimeError):
				core.deliver_queued(answered["intake_message"])
		self.assertEqual(message_status(answered["intake_message"])["status"], "Failed")
		self.assertIn(
			"contacts are down", frappe.db.get_value("Intake Message", answered["intake_message"], "error")
		)
		frappe.set_user("Administrator")
		self.assertTrue(retry(answered["intake_message"])["ticket"])

	def test_a_queued_message_whose_job_was_lost_is_queued_again(self):
		lost = self.accept("Hello", "m1")
		fresh = self.accept("Hello again", "m2")
		frappe.db.set_value(
			"Intake Message", lost["intake_message"], "creation", frappe.utils.add_to_date(None, minutes=-30)
		)
		queued_jobs = []
		with patch.object(frappe, "enqueue", side_effect=lambda *a, **k: queued_jobs.append(k)):
			self.assertEqual(core.requeue_stalled(), 1)
		self.assertEqual([job["intake_message"] for job in queued_jobs], [lost["intake_message"]])
		self.assertTrue(queued_jobs[0]["deduplicate"])
		# Interrupted in-request deliveries become Failed; a queued one waits for its job instead.
		core.fail_interrupted()
		self.assertEqual(frappe.db.get_value("Intake Message", lost["intake_message"], "status"), "Queued")
		self.assertEqual(frappe.db.get_value("Intake Message", fresh["intake_message"], "status"), "Queued")

	def test_wait_delivers_in_the_request(self):
		answered = self.accept("Hello", "m1", wait=True)
		self.assertEqual(answered["status"], "Processed")
		self.assertTrue(answered["created"])
		self.assertEqual(self.conversation_tickets(), [str(answered["ticket"])])

	def test_an_integration_reads_the_state_of_its_own_messages_only(self):
		answered = self.accept("Hello", "m1")
		frappe.set_user(integration_user())
		with self.assertRaises(frappe.DoesNotExistError):
			message_status(answered["intake_message"])
		frappe.set_user(make_user(["Support Team"]))
		with self.assertRaises(frappe.PermissionError):
			message_status(answered["intake_message"])


class TestAcknowledgementAndRateLimits(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		keep_settings(cls)
		super().setUpClass()

	def setUp(self):
		outgoing_account()
		frappe.db.set_single_value("Support Center Settings", "send_acknowledgement", 1)

	def tearDown(self):
		frappe.set_user("Administrator")

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		# The settings and the outgoing account are rolled back; Frappe's cached copies must go too.
		frappe.clear_document_cache("Support Center Settings", "Support Center Settings")
		frappe.local.outgoing_email_account = {}

	def post(self, user: str, **values):
		frappe.set_user(user)
		try:
			result = as_worker(
				receive_message(
					channel="Messenger",
					conversation_id=f"chat-{frappe.generate_hash(length=8)}",
					text="Hello",
					sender_name="Somebody",
					**values,
				)
			)
		finally:
			frappe.set_user("Administrator")
		return frappe.get_doc("Ticket", result["ticket"])

	def acknowledged_to(self, ticket) -> list[str]:
		return [recipient for recipients, _mail in queued(ticket) for recipient in recipients]

	def test_the_acknowledgement_goes_only_to_a_verified_address_of_a_known_contact(self):
		# Anyone's address, claimed through a plain integration: the site must not mail it.
		self.assertEqual(self.acknowledged_to(self.post(integration_user(), sender_email=new_email())), [])
		trusted = integration_user(trusted=True)
		# Vouched for, but an address the site first hears of: acknowledged in the channel, not by mail.
		self.assertEqual(self.acknowledged_to(self.post(trusted, sender_email=new_email())), [])
		known = new_email()
		make_contact(make_customer(), email=known)
		self.assertEqual(self.acknowledged_to(self.post(trusted, sender_email=known)), [known])
		# The portal's own user is mailed at their account's address.
		customer = portal_customer()
		frappe.set_user(customer.user)
		result = file_ticket("Refund please", "I returned the item")
		frappe.set_user("Administrator")
		self.assertEqual(self.acknowledged_to(frappe.get_doc("Ticket", result.ticket)), [customer.user])

	def low_limit(self, fieldname: str, value: int) -> None:
		"""A low limit for one test. Frappe commits while it mails assignment notices, so the limit could
		outlive the class's rollback and throttle every later test: keep_settings puts it back after the
		class, and the next test of this class starts from the site's value."""
		previous = frappe.db.get_single_value("Support Center Settings", fieldname)
		frappe.db.set_single_value("Support Center Settings", fieldname, value)
		self.addCleanup(frappe.db.set_single_value, "Support Center Settings", fieldname, previous)

	def test_the_webhook_is_rate_limited_per_integration_user(self):
		self.low_limit("webhook_messages_per_minute", 2)
		busy, other = integration_user(), integration_user()
		with http_request("/api/method/support_center.api.intake.receive_message"):
			self.post(busy, sender_email=new_email())
			self.post(busy, sender_email=new_email())
			before = frappe.db.count("Intake Message")
			with self.assertRaises(frappe.RateLimitExceededError) as caught:
				self.post(busy, sender_email=new_email())
			self.assertEqual(caught.exception.http_status_code, 429)
			self.assertEqual(frappe.db.count("Intake Message"), before)
			# Each integration has its own allowance.
			self.assertTrue(self.post(other, sender_email=new_email()).name)

	def test_the_portal_form_is_rate_limited_per_customer(self):
		self.low_limit("portal_requests_per_hour", 1)
		first, second = portal_customer(), portal_customer()
		with http_request("/support/tickets/new"):
			frappe.set_user(first.user)
			self.assertTrue(file_ticket("Refund please", "I returned the item").created)
			with self.assertRaises(frappe.RateLimitExceededError) as caught:
				file_ticket("Refund please", "Again")
			self.assertEqual(caught.exception.http_status_code, 429)
			frappe.set_user(second.user)
			self.assertTrue(file_ticket("Refund please", "Mine too").created)


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
		with site_country("Russian Federation"):
			self._call_from_a_known_number_in_another_format()

	def _call_from_a_known_number_in_another_format(self):
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

	def test_a_call_finds_only_the_contact_with_the_whole_number(self):
		digits = str(random.randint(1000000, 9999999))
		customer = make_customer()
		for number in (f"+44 206 {digits}", f"(206) {digits[:3]}-{digits[3:]}"):
			frappe.get_doc(
				{
					"doctype": "Contact",
					"first_name": unique("Caller"),
					"phone_nos": [{"phone": number, "is_primary_phone": 1}],
					"links": [{"link_doctype": "Customer", "link_name": customer}],
				}
			).insert()
		with site_country("United States"):
			# The same last ten digits in another country; the same last seven without the area code.
			for caller in (f"+7 206 {digits}", digits):
				ticket = frappe.get_doc("Ticket", int(self.ticket_of(self.call(caller))))
				self.assertIsNone(ticket.customer, caller)
			# The American number written internationally is the same number.
			ticket = frappe.get_doc("Ticket", int(self.ticket_of(self.call(f"+1206{digits}"))))
			self.assertEqual(ticket.customer, customer)

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
		# A number never seen: its new Contact must not make ERPNext take the call in a second time.
		call = self.call(f"+1 303 555 {random.randint(1000, 9999)}")
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

	def test_a_desk_ticket_with_only_the_senders_address_gets_their_contact_and_customer(self):
		colleague = make_user(["Customer"], "Website User")
		customer = make_customer(portal_users=(colleague,))
		email = new_email()
		contact = make_contact(customer, email=email)
		frappe.set_user(make_user(["Support Team"]))
		ticket = frappe.get_doc(
			{"doctype": "Ticket", "subject": unique("Printer"), "raised_by": email}
		).insert()
		frappe.set_user("Administrator")
		self.assertEqual((ticket.contact, ticket.customer), (contact, customer))
		self.assertEqual(ticket.customer_name, frappe.db.get_value("Customer", customer, "customer_name"))
		self.assertTrue(visible_to(colleague, ticket.name))
		# An address nobody knows becomes a new contact of no customer, as a new mail's sender does.
		stranger = new_email()
		other = make_ticket(raised_by=stranger)
		self.assertEqual(
			frappe.db.get_value("Contact Email", {"email_id": stranger, "parenttype": "Contact"}, "parent"),
			other.contact,
		)
		self.assertIsNone(other.customer)

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
