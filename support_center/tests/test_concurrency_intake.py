"""More than one web server: the same messenger message posted to two servers (separate processes) at the
same moment is one Intake Message and one ticket or message; two agents replying at once both land."""

import threading

import frappe
import requests
from frappe.tests.utils import FrappeTestCase

from support_center.tests.http_site import LiveSite
from support_center.tests.live_data import (
	api_user,
	remove_conversations,
	remove_users,
	run_queued_deliveries,
)

ROUNDS = 4
ENDPOINT = "/api/method/support_center.api.intake.receive_message"


def post_at_once(targets: list[tuple[str, dict, dict]]) -> list:
	"""POST every (url, headers, json) at the same moment from its own thread; answers in order."""
	barrier = threading.Barrier(len(targets))
	answers: list = [None] * len(targets)

	def send(index, url, headers, payload):
		barrier.wait(timeout=30)
		try:
			answers[index] = requests.post(url, json=payload, headers=headers, timeout=120)
		except Exception as error:
			answers[index] = error

	threads = [threading.Thread(target=send, args=(i, *target)) for i, target in enumerate(targets)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=180)
	return answers


class TestTwoWebServers(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.prefix = f"conc-{frappe.generate_hash(length=8)}"
		cls.user, cls.auth = api_user()
		cls.saved_limit = frappe.db.get_single_value("Support Center Settings", "webhook_messages_per_minute")
		frappe.db.set_single_value("Support Center Settings", "webhook_messages_per_minute", 100000)
		frappe.db.commit()
		cls.sites = []
		try:
			cls.sites = [LiveSite(), LiveSite()]
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		for site in cls.sites:
			site.stop()
		remove_conversations(f"{cls.prefix}%")
		remove_users([cls.user])
		frappe.db.set_single_value("Support Center Settings", "webhook_messages_per_minute", cls.saved_limit)
		frappe.db.commit()
		super().tearDownClass()

	def payload(self, conversation: str, message_id: str, text: str, wait: bool = True) -> dict:
		# wait: delivered in the request, so both servers deliver at the same moment.
		return {
			"channel": "Messenger",
			"conversation_id": conversation,
			"message_id": message_id,
			"sender_name": "Olga",
			"text": text,
			"wait": int(wait),
		}

	def test_the_same_message_on_two_servers_at_once_is_taken_in_once(self):
		headers = {"Authorization": self.auth, "Accept": "application/json"}
		for round_ in range(ROUNDS):
			conversation = f"{self.prefix}-a{round_}"
			payload = self.payload(conversation, f"{conversation}-m1", f"Hello {round_}")
			answers = post_at_once([(f"{site.url}{ENDPOINT}", headers, payload) for site in self.sites])
			for answer in answers:
				self.assertIsInstance(answer, requests.Response, answer)
				self.assertEqual(answer.status_code, 200, answer.text[:6000])
			results = [answer.json()["message"] for answer in answers]
			# Both servers answer with the one ticket; exactly one of them made it.
			self.assertEqual(len({r["ticket"] for r in results}), 1, results)
			self.assertEqual(sorted(r["duplicate"] for r in results), [False, True], results)
			self.assertEqual(sum(r["created"] for r in results), 1, results)
			frappe.db.commit()  # a fresh snapshot
			self.assertEqual(frappe.db.count("Intake Message", {"conversation_id": conversation}), 1)
			self.assertEqual(frappe.db.count("Ticket", {"external_conversation": conversation}), 1)

	def test_the_same_message_queued_on_two_servers_at_once_is_one_message_and_one_ticket(self):
		headers = {"Authorization": self.auth, "Accept": "application/json"}
		for round_ in range(ROUNDS):
			conversation = f"{self.prefix}-q{round_}"
			payload = self.payload(conversation, f"{conversation}-m1", f"Hello {round_}", wait=False)
			answers = post_at_once([(f"{site.url}{ENDPOINT}", headers, payload) for site in self.sites])
			for answer in answers:
				self.assertIsInstance(answer, requests.Response, answer)
				self.assertEqual(answer.status_code, 200, answer.text[:6000])
			results = [answer.json()["message"] for answer in answers]
			self.assertEqual({r["status"] for r in results}, {"Queued"}, results)
			self.assertEqual(len({r["intake_message"] for r in results}), 1, results)
			self.assertEqual(sorted(r["duplicate"] for r in results), [False, True], results)
			frappe.db.commit()
			# Two jobs at most (the second server may have queued one too); one delivery between them.
			self.assertIn(run_queued_deliveries(), (1, 2))
			frappe.db.commit()
			self.assertEqual(frappe.db.count("Intake Message", {"conversation_id": conversation}), 1)
			self.assertEqual(frappe.db.count("Ticket", {"external_conversation": conversation}), 1)
			self.assertEqual(
				frappe.db.get_value("Intake Message", results[0]["intake_message"], "status"), "Processed"
			)

	def test_a_follow_up_on_two_servers_at_once_is_one_message_on_the_ticket(self):
		headers = {"Authorization": self.auth, "Accept": "application/json"}
		conversation = f"{self.prefix}-b"
		first = requests.post(
			f"{self.sites[0].url}{ENDPOINT}",
			json=self.payload(conversation, f"{conversation}-m0", "First"),
			headers=headers,
			timeout=60,
		)
		self.assertEqual(first.status_code, 200, first.text[:500])
		ticket = first.json()["message"]["ticket"]
		for round_ in range(ROUNDS):
			payload = self.payload(conversation, f"{conversation}-m{round_ + 1}", f"More {round_}")
			answers = post_at_once([(f"{site.url}{ENDPOINT}", headers, payload) for site in self.sites])
			for answer in answers:
				self.assertEqual(answer.status_code, 200, answer.text[:6000])
				self.assertEqual(answer.json()["message"]["ticket"], ticket)
		frappe.db.commit()
		received = frappe.get_all(
			"Communication",
			filters={
				"reference_doctype": "Ticket",
				"reference_name": str(ticket),
				"sent_or_received": "Received",
			},
			pluck="content",
		)
		self.assertEqual(len(received), ROUNDS, received)
		self.assertEqual(len(set(received)), ROUNDS)
		self.assertEqual(frappe.db.count("Intake Message", {"conversation_id": conversation}), ROUNDS + 1)

	def test_two_first_messages_of_a_chat_on_two_servers_at_once_make_one_ticket(self):
		headers = {"Authorization": self.auth, "Accept": "application/json"}
		for round_ in range(ROUNDS):
			conversation = f"{self.prefix}-c{round_}"
			answers = post_at_once(
				[
					(
						f"{site.url}{ENDPOINT}",
						headers,
						self.payload(conversation, f"{conversation}-{i}", f"Part {i}"),
					)
					for i, site in enumerate(self.sites)
				]
			)
			for answer in answers:
				self.assertEqual(answer.status_code, 200, answer.text[:6000])
			results = [answer.json()["message"] for answer in answers]
			self.assertEqual(len({r["ticket"] for r in results}), 1, results)
			self.assertEqual(sum(r["created"] for r in results), 1, results)
			frappe.db.commit()
			self.assertEqual(frappe.db.count("Ticket", {"external_conversation": conversation}), 1)
			ticket = results[0]["ticket"]
			# One message opened the ticket, the other is on it: nothing lost.
			self.assertEqual(
				frappe.db.count(
					"Communication",
					{
						"reference_doctype": "Ticket",
						"reference_name": str(ticket),
						"sent_or_received": "Received",
					},
				),
				1,
			)


class TestAgentsReplyingAtOnce(FrappeTestCase):
	"""Two agents (and the customer) answering one ticket at the same moment, on two web servers."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from support_center.tests.factories import make_contact, make_customer, make_ticket
		from support_center.tests.live_data import password_user

		cls.password = "Agents-at-once-1!"
		cls.agents = [password_user(["Support Team"], password=cls.password) for _ in range(2)]
		cls.customer_user = password_user(["Customer"], "Website User", cls.password)
		cls.customer = make_customer(portal_users=(cls.customer_user,))
		contact = make_contact(cls.customer, user=cls.customer_user, email=cls.customer_user)
		cls.ticket = make_ticket(customer=cls.customer, contact=contact, raised_by=cls.customer_user).name
		frappe.db.commit()
		cls.sites = []
		try:
			cls.sites = [LiveSite(), LiveSite()]
			cls.sessions = [
				site.session(agent, cls.password) for site, agent in zip(cls.sites, cls.agents, strict=True)
			]
			cls.portal = cls.sites[0].session(cls.customer_user, cls.password)
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		from support_center.tests.live_data import remove_tickets

		for site in cls.sites:
			site.stop()
		remove_tickets([cls.ticket])
		frappe.delete_doc("Customer", cls.customer, force=True, ignore_permissions=True)
		remove_users([*cls.agents, cls.customer_user])
		super().tearDownClass()

	def test_every_reply_lands_once(self):
		sent = []
		for round_ in range(ROUNDS):
			barrier = threading.Barrier(3)
			answers = [None] * 3

			def agent_reply(index):
				text = f"Agent {index} answer {round_} {frappe.generate_hash(length=6)}"
				sent.append(text)
				barrier.wait(timeout=30)
				answers[index] = self.sessions[index].post(
					f"{self.sites[index].url}/api/method/frappe.core.doctype.communication.email.make",
					data={
						"doctype": "Ticket",
						"name": self.ticket,
						"content": f"<p>{text}</p>",
						"subject": f"Re: #{self.ticket}",
						"send_email": 0,
						"communication_medium": "Email",
						"sent_or_received": "Sent",
					},
					headers={"Accept": "application/json"},
					timeout=120,
				)

			def customer_reply():
				text = f"Customer message {round_} {frappe.generate_hash(length=6)}"
				sent.append(text)
				barrier.wait(timeout=30)
				answers[2] = self.portal.post(
					f"{self.sites[0].url}/api/method/support_center.api.portal.reply",
					data={"ticket": self.ticket, "message": text},
					headers={"Accept": "application/json"},
					timeout=120,
				)

			threads = [threading.Thread(target=agent_reply, args=(i,)) for i in range(2)]
			threads.append(threading.Thread(target=customer_reply))
			for thread in threads:
				thread.start()
			for thread in threads:
				thread.join(timeout=180)
			for answer in answers:
				self.assertEqual(answer.status_code, 200, answer.text[:3000])
		frappe.db.commit()
		stored = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": str(self.ticket)},
			pluck="content",
		)
		for text in sent:
			self.assertEqual(sum(text in (content or "") for content in stored), 1, text)
		self.assertIn(frappe.db.get_value("Ticket", self.ticket, "status"), ("Open", "Replied"))
