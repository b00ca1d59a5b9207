"""The site chat's endpoints (support_center/api/chat.py): a guest's conversation is a ticket of channel
Chat, reached only with its token; the agent's public reply reaches it, internal notes never; a logged-in
customer is known; a guest gets the transcript by email when the chat ends or the ticket closes."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import chat
from support_center.api.channels import reply
from support_center.channels import chat_session
from support_center.conversation.notes import add_note
from support_center.tests.factories import make_category, portal_customer, unique
from support_center.tests.test_acknowledgement import outgoing_account


def make_chat_channel(**values) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Support Channel",
				"channel_name": unique("Website Chat"),
				"channel_type": "Chat",
				"enabled": 1,
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


class TestLiveChat(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"
		# A default outgoing Email Account (never connected to in tests) for the transcript.
		outgoing_account()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"
		# Frappe caches the outgoing Email Account per process.
		frappe.local.outgoing_email_account = {}

	def guest_start(self, channel: str, text: str = "Hello, my order is late", **values):
		frappe.set_user("Guest")
		values = {"name": "Audrey Horne", "email": "audrey@example.com"} | values
		return chat.start(message=text, client_id=unique("c"), channel=channel, **values)

	def test_config_is_off_without_a_chat_channel_and_speaks_the_visitors_language(self):
		frappe.set_user("Guest")
		self.assertEqual(chat.config(channel="No such chat"), {"enabled": False})
		frappe.set_user("Administrator")
		channel = make_chat_channel()
		frappe.set_user("Guest")
		frappe.local.lang = "ru"
		config = chat.config(channel=channel)
		self.assertTrue(config["enabled"])
		self.assertEqual(config["strings"]["send"], "Отправить")
		self.assertEqual(config["direction"], "ltr")
		self.assertIsNone(config["user"])
		frappe.local.lang = "ar"
		self.assertEqual(chat.config(channel=channel)["direction"], "rtl")

	def test_a_guest_needs_a_name_and_an_email_or_phone(self):
		channel = make_chat_channel()
		with self.assertRaises(frappe.ValidationError):
			self.guest_start(channel, name="")
		with self.assertRaises(frappe.ValidationError):
			self.guest_start(channel, email="", phone="")
		with self.assertRaises(frappe.ValidationError):
			self.guest_start(channel, email="not-an-address")
		started = self.guest_start(channel, email="", phone="+44 20 7946 0958")
		self.assertTrue(started["token"])

	def test_a_guest_conversation_is_a_ticket_reached_only_with_its_token(self):
		category = make_category()
		channel = make_chat_channel(category=category)
		started = self.guest_start(channel)
		token = started["token"]
		frappe.set_user("Administrator")
		ticket = frappe.get_doc("Ticket", started["ticket"])
		self.assertEqual(
			(ticket.channel, ticket.support_channel, ticket.category), ("Chat", channel, category)
		)
		# The server keeps only the token's digest.
		self.assertNotIn(token, ticket.external_conversation)
		self.assertFalse(frappe.db.exists("Intake Message", {"conversation_id": ("like", f"%{token}%")}))
		# The guest's address is a claim: it finds no contact and gets no acknowledgement mail.
		self.assertFalse(ticket.raised_by)
		self.assertEqual([m["from"] for m in started["messages"]], ["visitor", "system"])
		self.assertIn(f"#{ticket.name}", started["messages"][1]["html"])

		frappe.set_user("Guest")
		chat.send(token=token, message="Order 1234", client_id="same-id", channel=channel)
		chat.send(token=token, message="Order 1234", client_id="same-id", channel=channel)
		frappe.set_user("Administrator")
		add_note(ticket.name, "INTERNAL: refund risk")
		reply(ticket.name, text="We found your parcel.")
		frappe.set_user("Guest")
		seen = chat.poll(token=token, channel=channel)
		texts = [m["html"] for m in seen["messages"]]
		self.assertEqual(sum("Order 1234" in t for t in texts), 1, "a retried send is one message")
		self.assertTrue(any("We found your parcel." in t for t in texts))
		self.assertFalse(any("INTERNAL" in t for t in texts))
		self.assertEqual(seen["messages"][-1]["from"], "agent")
		# Only new messages after the last one the browser has.
		self.assertEqual(
			chat.poll(token=token, after=seen["messages"][-1]["at"], channel=channel)["messages"], []
		)
		# Another visitor, with another token or none, gets nothing of it.
		other = self.guest_start(channel, name="Bobby", email="bobby@example.com")
		other_texts = " ".join(
			m["html"] for m in chat.poll(token=other["token"], channel=channel)["messages"]
		)
		self.assertNotIn("parcel", other_texts)
		self.assertEqual(chat.poll(token="", channel=channel)["messages"], [])
		self.assertEqual(chat.poll(token=token[:-1] + "x", channel=channel)["messages"], [])
		with self.assertRaises(frappe.DoesNotExistError):
			chat.send(token="guessed", message="hi", client_id="x", channel=channel)

	def test_the_guest_gets_the_transcript_when_the_chat_ends_once_an_agent_answered(self):
		channel = make_chat_channel()
		started = self.guest_start(channel, email="transcript-guest@example.com")
		frappe.set_user("Guest")
		self.assertFalse(chat.end(token=started["token"], channel=channel)["transcript_sent"])
		frappe.set_user("Administrator")
		reply(started["ticket"], text="Your refund is on its way.")
		frappe.set_user("Guest")
		self.assertTrue(chat.end(token=started["token"], channel=channel)["transcript_sent"])
		frappe.set_user("Administrator")
		mail = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Ticket", "reference_name": started["ticket"]},
			fields=["name", "message"],
		)
		self.assertEqual(len(mail), 1)
		self.assertIn("Your refund is on its way.", mail[0].message)
		self.assertIn(
			"transcript-guest@example.com",
			frappe.get_doc("Email Queue", mail[0].name).recipients[0].recipient,
		)
		# Closing the ticket afterwards does not send it again.
		ticket = frappe.get_doc("Ticket", started["ticket"])
		ticket.status = "Resolved"
		ticket.save(ignore_permissions=True)
		self.assertEqual(
			frappe.db.count(
				"Email Queue", {"reference_doctype": "Ticket", "reference_name": started["ticket"]}
			),
			1,
		)

	def test_closing_the_ticket_sends_the_transcript(self):
		channel = make_chat_channel()
		started = self.guest_start(channel, email="closer@example.com")
		frappe.set_user("Administrator")
		reply(started["ticket"], text="Done, anything else?")
		ticket = frappe.get_doc("Ticket", started["ticket"])
		ticket.status = "Resolved"
		ticket.save(ignore_permissions=True)
		self.assertTrue(chat_session.transcript_sent(ticket))

	def test_a_logged_in_customer_is_known_and_finds_their_chat_again(self):
		channel = make_chat_channel()
		customer = portal_customer()
		frappe.set_user(customer.user)
		config = chat.config(channel=channel)
		self.assertEqual(config["user"]["email"], frappe.db.get_value("User", customer.user, "email"))
		started = chat.start(message="Invoice question", client_id="c1", channel=channel)
		frappe.set_user("Administrator")
		ticket = frappe.get_doc("Ticket", started["ticket"])
		self.assertEqual(ticket.customer, customer.customer)
		self.assertEqual(ticket.raised_by, frappe.db.get_value("User", customer.user, "email"))
		# From another browser (no token): their open chat by their session.
		frappe.set_user(customer.user)
		seen = chat.poll(token="", channel=channel)
		self.assertEqual(seen["ticket"], ticket.name)
		chat.send(token="", message="Also: the VAT number", client_id="c2", channel=channel)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Ticket", {"support_channel": channel}), 1)
