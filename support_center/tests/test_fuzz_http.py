"""Hostile requests over real HTTP: the messenger endpoint and the portal's filing and reply forms answer
every body with a ticket or a clear 4xx error, never a server error, and store nothing that runs as script.
"""

import frappe
import requests
from frappe.tests.utils import FrappeTestCase
from hypothesis import given
from hypothesis import strategies as st

from support_center.tests.factories import make_contact, make_customer
from support_center.tests.hostile_input import fuzz_settings, hostile_text, text
from support_center.tests.http_site import LiveSite
from support_center.tests.live_data import (
	active_markup,
	api_user,
	password_user,
	remove_conversations,
	remove_tickets,
	remove_users,
	run_queued_deliveries,
)

ENDPOINT = "/api/method/support_center.api.intake.receive_message"
PASSWORD = "Fuzz-portal-1!"

json_value = st.recursive(
	st.one_of(
		st.none(),
		st.booleans(),
		st.integers(),
		st.floats(allow_nan=False, allow_infinity=False),
		hostile_text,
	),
	lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(text, children, max_size=3)),
	max_leaves=6,
)
attachment = st.one_of(
	st.fixed_dictionaries(
		{
			"filename": st.one_of(text, st.sampled_from(("../x.pdf", "a\x00b", "<b>.pdf", "ok.txt"))),
			"content_base64": st.one_of(st.just("aGVsbG8="), text),
		}
	),
	json_value,
)


def check_answer(test, answer: requests.Response) -> dict | None:
	"""A ticket (the JSON answer) or a clear client error; never a server error."""
	test.assertLess(answer.status_code, 500, answer.text[:2000])
	body = answer.json()
	if answer.status_code == 200:
		return body.get("message")
	test.assertIn(answer.status_code, (400, 403, 404, 409, 413, 417, 422, 429), answer.text[:500])
	test.assertTrue(body.get("_server_messages") or body.get("exception") or body.get("exc_type"), body)
	return None


def stored_markup(ticket) -> list[str]:
	frappe.db.commit()  # a fresh snapshot: the server committed
	found = []
	for value in frappe.db.get_value("Ticket", ticket, ["subject", "description", "raised_by_name"]) or ():
		found += active_markup(value)
	for content in frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Ticket", "reference_name": str(ticket)},
		pluck="content",
	):
		found += active_markup(content)
	return found


class TestFuzzOverHttp(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.prefix = f"fuzzhttp-{frappe.generate_hash(length=8)}"
		cls.integration, cls.auth = api_user()
		cls.customer_user = password_user(["Customer"], "Website User", PASSWORD)
		cls.customer = make_customer(portal_users=(cls.customer_user,))
		make_contact(cls.customer, user=cls.customer_user, email=cls.customer_user)
		cls.saved = {
			field: frappe.db.get_single_value("Support Center Settings", field)
			for field in ("webhook_messages_per_minute", "portal_requests_per_hour")
		}
		for field in cls.saved:
			frappe.db.set_single_value("Support Center Settings", field, 100000)
		frappe.db.commit()
		cls.site = None
		try:
			cls.site = LiveSite()
			cls.portal = cls.site.session(cls.customer_user, PASSWORD)
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		if cls.site:
			cls.site.stop()
		remove_conversations(f"{cls.prefix}%")
		remove_tickets(frappe.get_all("Ticket", filters={"customer": cls.customer}, pluck="name"))
		for field, value in cls.saved.items():
			frappe.db.set_single_value("Support Center Settings", field, value)
		frappe.delete_doc("Customer", cls.customer, force=True, ignore_permissions=True)
		remove_users([cls.integration, cls.customer_user])
		super().tearDownClass()

	@fuzz_settings(20)
	@given(
		fields=st.fixed_dictionaries(
			{"conversation_id": st.just("")},
			optional={
				"channel": st.one_of(st.sampled_from(("Messenger", "API", "Nope")), json_value),
				"text": st.one_of(hostile_text, json_value),
				"sender_name": st.one_of(hostile_text, json_value),
				"sender_email": st.one_of(st.sampled_from(("a@example.com", "bad", '"x"@y.io')), json_value),
				"sender_phone": st.one_of(st.sampled_from(("+44 20 7946 0958", "12")), json_value),
				"subject": st.one_of(hostile_text, json_value),
				"sent_at": st.one_of(st.sampled_from(("2026-01-01 10:00:00", "yesterday", "")), json_value),
				"attachments": st.one_of(st.lists(attachment, max_size=2), text, json_value),
				"unexpected": json_value,
			},
		),
		as_form=st.booleans(),
		wait=st.booleans(),
	)
	def test_the_messenger_endpoint_answers_every_body_with_a_ticket_or_a_clear_error(
		self, fields, as_form, wait
	):
		conversation = f"{self.prefix}-{frappe.generate_hash(length=8)}"
		fields["conversation_id"] = conversation
		fields.setdefault("channel", "Messenger")
		# Delivered in the request, or queued and delivered by the job, as a worker runs it.
		fields["wait"] = int(wait)
		headers = {"Authorization": self.auth, "Accept": "application/json"}
		if as_form:
			data = {k: v if isinstance(v, str) else frappe.as_json(v) for k, v in fields.items()}
			answer = requests.post(f"{self.site.url}{ENDPOINT}", data=data, headers=headers, timeout=60)
		else:
			answer = requests.post(f"{self.site.url}{ENDPOINT}", json=fields, headers=headers, timeout=60)
		result = check_answer(self, answer)
		frappe.db.commit()
		if result is None:
			self.assertFalse(
				frappe.db.exists("Intake Message", {"conversation_id": conversation}), answer.text[:500]
			)
			return
		if not wait:
			self.assertEqual((result["status"], result["ticket"]), ("Queued", None))
			self.assertEqual(run_queued_deliveries(), 1)
			frappe.db.commit()
			result["ticket"] = frappe.db.get_value("Intake Message", result["intake_message"], "ticket")
		self.assertTrue(result["ticket"])
		self.assertEqual(stored_markup(result["ticket"]), [])

	@fuzz_settings(15)
	@given(
		subject=st.one_of(hostile_text, json_value),
		description=st.one_of(hostile_text, json_value),
		reply=hostile_text,
	)
	def test_the_portal_forms_answer_every_body_with_a_ticket_or_a_clear_error(
		self, subject, description, reply
	):
		data = {
			"subject": subject if isinstance(subject, str) else frappe.as_json(subject),
			"description": description if isinstance(description, str) else frappe.as_json(description),
		}
		answer = self.portal.post(
			f"{self.site.url}/api/method/support_center.api.portal.file_request",
			data=data,
			headers={"Accept": "application/json"},
			timeout=60,
		)
		result = check_answer(self, answer)
		if result is None:
			return
		ticket = result["ticket"]
		self.assertEqual(stored_markup(ticket), [])
		answer = self.portal.post(
			f"{self.site.url}/api/method/support_center.api.portal.reply",
			data={"ticket": ticket, "message": reply},
			headers={"Accept": "application/json"},
			timeout=60,
		)
		check_answer(self, answer)
		self.assertEqual(stored_markup(ticket), [])
