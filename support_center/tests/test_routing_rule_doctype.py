"""Routing rules: the first matching rule routes a new ticket, the ticket shows which and why."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.intake.core import receive
from support_center.intake.rules import IncomingMessage
from support_center.routing import rules_apply
from support_center.tests.factories import (
	make_agent,
	make_category,
	make_customer,
	make_team,
	make_ticket,
	unique,
)
from support_center.tests.test_acknowledgement import outgoing_account
from support_center.tests.test_consult import take_in

MADE: list[str] = []


def make_rule(**values):
	rule = frappe.get_doc({"doctype": "Routing Rule", "rule_name": unique("Rule"), **values})
	MADE.append(rule.rule_name)
	return rule.insert()


class TestRoutingRules(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		# Registered before FrappeTestCase's rollback, so it runs after it (class cleanups run last-in
		# first-out) and its commit keeps nothing else the tests made.
		cls.addClassCleanup(cls.remove_rules)
		super().setUpClass()

	@classmethod
	def remove_rules(cls):
		# Frappe commits when it mails an assignment during a test; rules made here must not route the
		# tickets of other test modules.
		frappe.db.delete("Routing Rule", {"name": ("in", MADE or ["-"])})
		frappe.db.commit()  # nosemgrep: removes what a commit inside Frappe's mail sending kept
		rules_apply.forget_rules()

	def setUp(self):
		frappe.set_user("Administrator")
		# Rules of other tests in this class must not match: each test starts without any.
		frappe.db.delete("Routing Rule")
		rules_apply.forget_rules()

	def tearDown(self):
		rules_apply.forget_rules()

	def test_the_first_match_in_order_sets_category_team_priority_and_tag(self):
		agent = make_agent()
		billing_team = make_team([agent])
		billing = make_category(team=billing_team)
		make_rule(sequence=20, patterns="invoice", category=make_category(), priority="Low")
		rule = make_rule(
			sequence=10, patterns="/invoice|refund/", category=billing, priority="High", tag="billing"
		)
		result = receive(
			IncomingMessage(
				channel="Messenger",
				text="Where is my refund for the last invoice?",
				sender_name="Chat user",
				conversation_id=unique("chat"),
			)
		)
		ticket = frappe.get_doc("Ticket", result.ticket)
		self.assertEqual(ticket.routing_rule, rule.name)
		self.assertIn('text matches "/invoice|refund/"', ticket.routing_reason)
		self.assertEqual((ticket.category, ticket.team, ticket.priority), (billing, billing_team, "High"))
		self.assertIn("billing", ticket._user_tags or "")
		self.assertEqual(
			frappe.get_all(
				"ToDo", filters={"reference_name": str(ticket.name), "status": "Open"}, pluck="allocated_to"
			),
			[agent],
		)

	def test_a_disabled_rule_and_a_non_matching_rule_route_nothing(self):
		make_rule(patterns="refund", category=make_category(), enabled=0)
		make_rule(channel="Phone", category=make_category())
		ticket = make_ticket(subject="A refund please", channel="Portal")
		self.assertFalse(ticket.routing_rule)

	def test_a_category_someone_chose_is_kept_and_the_team_action_applies(self):
		chosen = make_category()
		other_team = make_team([make_agent()])
		rule = make_rule(from_customer=make_customer(), team=other_team)
		ticket = make_ticket(category=chosen, customer=rule.from_customer)
		self.assertEqual((ticket.category, ticket.team, ticket.routing_rule), (chosen, other_team, rule.name))

	def test_mail_is_routed_by_the_mailbox_it_came_in_on(self):
		account = outgoing_account()
		sales = make_category()
		rule = make_rule(email_account=account, channel="Email", category=sales)
		raw = (
			"From: Buyer <buyer@prospect.test>\r\nTo: desk@support-center.test\r\nSubject: Prices\r\n"
			f"Message-ID: <{unique('m').replace(' ', '')}@prospect.test>\r\n"
			"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
		)
		communication = take_in(raw, account)
		ticket = frappe.get_doc("Ticket", communication.reference_name)
		self.assertEqual(ticket.incoming_email_account, account)
		self.assertEqual((ticket.routing_rule, ticket.category), (rule.name, sales))

	def test_customer_group_and_language_conditions(self):
		group = frappe.get_doc(
			{
				"doctype": "Customer Group",
				"customer_group_name": unique("Group"),
				"parent_customer_group": "All Customer Groups",
			}
		).insert()
		customer = make_customer()
		frappe.db.set_value("Customer", customer, {"customer_group": group.name, "language": "de"})
		french = make_rule(sequence=1, customer_language="fr", category=make_category())
		german_group = make_rule(
			sequence=2, customer_language="de", from_customer_group=group.name, category=make_category()
		)
		ticket = make_ticket(customer=customer)
		self.assertEqual(ticket.routing_rule, german_group.name)
		self.assertNotEqual(ticket.routing_rule, french.name)

	def test_a_bad_pattern_or_a_rule_that_does_nothing_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			make_rule(patterns="/(unclosed/", category=make_category())
		with self.assertRaises(frappe.ValidationError):
			make_rule(patterns="hello")

	def test_the_rules_are_read_once_not_per_ticket(self):
		for index in range(5):
			make_rule(sequence=index, patterns=f"nomatch{index}", category=make_category())
		rules_apply.forget_rules()
		make_ticket(subject="warm up")
		reads = []
		original = frappe.db.sql

		def counting(query, *args, **kwargs):
			if "tabRouting Rule" in str(query):
				reads.append(query)
			return original(query, *args, **kwargs)

		frappe.db.sql = counting
		try:
			for _ in range(3):
				make_ticket(subject="nothing to see")
		finally:
			frappe.db.sql = original
		self.assertEqual(reads, [])
		# A changed rule is seen by the next ticket.
		rule = make_rule(sequence=0, patterns="see", category=make_category())
		self.assertEqual(make_ticket(subject="see this").routing_rule, rule.name)
