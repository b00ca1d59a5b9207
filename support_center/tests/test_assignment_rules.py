"""Assignment through the teams' real Frappe Assignment Rules."""

import frappe
from frappe.cache_manager import clear_doctype_map
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate

from support_center.routing.rules_sync import rule_name
from support_center.tests.factories import (
	assignees,
	keep_settings,
	make_agent,
	make_category,
	make_contact,
	make_customer,
	make_team,
	make_ticket,
	make_user,
)


class RoutingTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		keep_settings(cls)
		super().setUpClass()

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		# The rolled-back rules must not stay in Frappe's cached list of Ticket rules.
		clear_doctype_map("Assignment Rule", "Ticket")

	def tearDown(self):
		frappe.set_user("Administrator")

	def team_of(self, n: int, **category):
		agents = [make_agent() for _ in range(n)]
		team = make_team(agents)
		return agents, team, make_category(team, **category)

	def set_mode(self, team: str, mode: str, **values):
		rule = frappe.get_doc("Assignment Rule", rule_name(team))
		rule.rule = mode
		rule.update(values)
		rule.save()


class TestRuleSync(RoutingTestCase):
	def test_one_rule_per_team_from_its_members_and_categories(self):
		agents, team, first = self.team_of(2)
		second = make_category(team)
		rule = frappe.get_doc("Assignment Rule", rule_name(team))
		self.assertEqual(rule.document_type, "Ticket")
		self.assertEqual([row.user for row in rule.users], agents)
		self.assertEqual(
			rule.assign_condition, f"category in {sorted([first, second])!r} and not assignment_reason"
		)
		self.assertEqual(len(rule.assignment_days), 7)

	def test_members_and_category_moves_keep_the_rule_in_step(self):
		agents, team, category = self.team_of(2)
		newcomer = make_agent()
		group = frappe.get_doc("User Group", team)
		group.append("user_group_members", {"user": newcomer})
		group.save()
		rule = frappe.get_doc("Assignment Rule", rule_name(team))
		self.assertEqual([row.user for row in rule.users], [*agents, newcomer])

		other_team = make_team([make_agent()])
		doc = frappe.get_doc("Support Category", category)
		doc.team = other_team
		doc.save()
		self.assertEqual(frappe.db.get_value("Assignment Rule", rule_name(team), "assign_condition"), "False")
		self.assertIn(
			category, frappe.db.get_value("Assignment Rule", rule_name(other_team), "assign_condition")
		)

	def test_a_disabled_agent_leaves_the_rule_and_gets_no_tickets(self):
		agents, team, category = self.team_of(2)
		user = frappe.get_doc("User", agents[0])
		user.enabled = 0
		user.save()
		rule = frappe.get_doc("Assignment Rule", rule_name(team))
		self.assertEqual([row.user for row in rule.users], [agents[1]])
		for _ in range(3):
			self.assertEqual(assignees(make_ticket(category=category)), [agents[1]])

	def test_the_managers_choices_on_the_rule_survive_a_sync(self):
		_agents, team, _category = self.team_of(2)
		self.set_mode(team, "Load Balancing", priority=5)
		group = frappe.get_doc("User Group", team)
		group.append("user_group_members", {"user": make_agent()})
		group.save()
		rule = frappe.get_doc("Assignment Rule", rule_name(team))
		self.assertEqual((rule.rule, rule.priority, len(rule.users)), ("Load Balancing", 5, 3))


class TestAssignmentModes(RoutingTestCase):
	def test_round_robin_takes_turns_and_says_why(self):
		agents, team, category = self.team_of(3)
		tickets = [make_ticket(category=category) for _ in range(4)]
		self.assertEqual(
			[assignees(t) for t in tickets], [[agents[0]], [agents[1]], [agents[2]], [agents[0]]]
		)
		self.assertEqual(frappe.db.get_value("Assignment Rule", rule_name(team), "last_user"), agents[0])
		ticket = tickets[1]
		ticket.reload()
		self.assertIn(agents[1], ticket.assignment_reason)
		self.assertIn(team, ticket.assignment_reason)
		self.assertEqual(ticket.team, team)
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{"reference_doctype": "Ticket", "reference_name": str(ticket.name), "comment_type": "Info"},
			)
		)
		todo = frappe.get_all(
			"ToDo", filters={"reference_name": str(ticket.name)}, fields=["assignment_rule"], limit=1
		)
		self.assertEqual(todo[0].assignment_rule, rule_name(team))

	def test_away_agents_are_skipped_while_someone_is_available(self):
		agents, _team, category = self.team_of(3)
		frappe.db.set_value("User", agents[1], "support_availability", "Away")
		got = [assignees(make_ticket(category=category))[0] for _ in range(4)]
		self.assertEqual(got, [agents[0], agents[2], agents[0], agents[2]])

	def test_when_everyone_is_away_the_turn_goes_on_and_the_reason_says_so(self):
		agents, _team, category = self.team_of(2)
		for agent in agents:
			frappe.db.set_value("User", agent, "support_availability", "Away")
		ticket = make_ticket(category=category)
		self.assertEqual(assignees(ticket), [agents[0]])
		self.assertIn("away", ticket.assignment_reason)

	def test_load_balancing_gives_the_ticket_to_the_least_busy(self):
		agents, team, category = self.team_of(3)
		self.set_mode(team, "Load Balancing")
		frappe.db.set_value("User", agents[2], "support_availability", "Away")
		for _ in range(2):
			ticket = make_ticket()
			frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": agents[0],
					"reference_type": "Ticket",
					"reference_name": ticket.name,
					"description": "busy",
				}
			).insert()
		self.assertEqual(assignees(make_ticket(category=category)), [agents[1]])
		self.assertEqual(assignees(make_ticket(category=category)), [agents[1]])
		self.assertEqual(assignees(make_ticket(category=category)), [agents[0]])  # tie: rule order

	def test_based_on_field_gives_the_ticket_to_the_categorys_responsible(self):
		agents, team, _category = self.team_of(3)
		category = make_category(team, responsible=agents[2])
		self.set_mode(team, "Based on Field", field="responsible")
		ticket = make_ticket(category=category)
		self.assertEqual(ticket.responsible, agents[2])
		self.assertEqual(assignees(ticket), [agents[2]])
		frappe.db.set_value("User", agents[2], "support_availability", "Away")
		fallback = make_ticket(category=category)
		self.assertEqual(assignees(fallback), [agents[0]])
		self.assertIn(agents[2], fallback.assignment_reason)

	def test_agents_on_holiday_today_are_skipped(self):
		agents, _team, category = self.team_of(2)
		company = frappe.db.get_value("Company", {}, "name")
		holidays = frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": f"Off {frappe.generate_hash(length=6)}",
				"from_date": add_days(getdate(), -10),
				"to_date": add_days(getdate(), 10),
				"holidays": [{"holiday_date": getdate(), "description": "Day off"}],
			}
		).insert()
		frappe.get_doc(
			{
				"doctype": "Employee",
				"first_name": "Off",
				"gender": "Female",
				"date_of_birth": "1990-01-01",
				"date_of_joining": "2020-01-01",
				"company": company,
				"status": "Active",
				"user_id": agents[0],
				"holiday_list": holidays.name,
			}
		).insert()
		got = [assignees(make_ticket(category=category))[0] for _ in range(2)]
		self.assertEqual(got, [agents[1], agents[1]])

	def test_nobody_working_today_leaves_the_ticket_unassigned_even_for_frappes_own_runner(self):
		agents, team, category = self.team_of(1)
		rule = frappe.get_doc("Assignment Rule", rule_name(team))
		rule.set(
			"assignment_days", [{"day": d} for d in ("Monday", "Tuesday") if d != frappe.utils.get_weekday()]
		)
		if not rule.assignment_days:
			rule.append(
				"assignment_days", {"day": "Sunday" if frappe.utils.get_weekday() != "Sunday" else "Monday"}
			)
		rule.save()
		ticket = make_ticket(category=category)
		ticket.subject = "saved again"
		ticket.save()  # Frappe's own Assignment Rule runner runs on every save
		self.assertEqual(assignees(ticket), [])
		self.assertIn("not active today", ticket.reload().assignment_reason)
		self.assertTrue(agents)

	def test_a_ticket_without_a_team_waits_with_a_reason(self):
		ticket = make_ticket(category=make_category())
		self.assertEqual(assignees(ticket), [])
		self.assertIn("No team", ticket.reload().assignment_reason)


class TestStickyAgent(RoutingTestCase):
	def setUp(self):
		frappe.db.set_single_value("Support Center Settings", "sticky_agent_min_tickets", 3)

	def history(self, category, customer, count, agent):
		for _ in range(count):
			ticket = make_ticket(category=category, customer=customer)
			frappe.desk.form.assign_to.clear("Ticket", ticket.name, ignore_permissions=True)
			frappe.desk.form.assign_to.add(
				{"assign_to": [agent], "doctype": "Ticket", "name": ticket.name}, ignore_permissions=True
			)

	def test_below_the_threshold_the_rule_applies(self):
		agents, team, category = self.team_of(3)
		customer = make_customer()
		self.history(category, customer, 2, agents[2])
		frappe.db.set_value("Assignment Rule", rule_name(team), "last_user", agents[2])
		self.assertEqual(assignees(make_ticket(category=category, customer=customer)), [agents[0]])

	def test_at_the_threshold_the_customers_agent_gets_it(self):
		agents, team, category = self.team_of(3)
		customer = make_customer()
		self.history(category, customer, 3, agents[2])
		frappe.db.set_value("Assignment Rule", rule_name(team), "last_user", agents[2])
		ticket = make_ticket(category=category, customer=customer)
		self.assertEqual(assignees(ticket), [agents[2]])
		self.assertIn("Sticky", ticket.assignment_reason)
		# the sticky ticket did not take anyone's turn
		self.assertEqual(frappe.db.get_value("Assignment Rule", rule_name(team), "last_user"), agents[2])

	def test_the_threshold_comes_from_the_settings(self):
		agents, _team, category = self.team_of(2)
		customer = make_customer()
		self.history(category, customer, 1, agents[1])
		frappe.db.set_single_value("Support Center Settings", "sticky_agent_min_tickets", 1)
		self.assertEqual(assignees(make_ticket(category=category, customer=customer)), [agents[1]])
		frappe.db.set_single_value("Support Center Settings", "sticky_agent_min_tickets", 0)
		self.assertNotEqual(assignees(make_ticket(category=category, customer=customer)), [])

	def test_an_away_or_disabled_or_foreign_agent_is_not_sticky(self):
		agents, _team, category = self.team_of(2)
		outsider = make_agent()
		for blocker in ("away", "disabled", "outsider"):
			customer = make_customer()
			sticky = outsider if blocker == "outsider" else agents[1]
			self.history(category, customer, 3, sticky)
			if blocker == "away":
				frappe.db.set_value("User", agents[1], "support_availability", "Away")
			if blocker == "disabled":
				frappe.db.set_value("User", agents[1], "support_availability", "Available")
				user = frappe.get_doc("User", agents[1])
				user.enabled = 0
				user.save()
			ticket = make_ticket(category=category, customer=customer)
			self.assertNotEqual(assignees(ticket), [sticky], blocker)
			self.assertNotIn("Sticky", ticket.assignment_reason, blocker)

	def test_contacts_without_a_customer_are_sticky_too(self):
		agents, _team, category = self.team_of(2)
		contact = make_contact()
		for _ in range(3):
			ticket = make_ticket(category=category, contact=contact)
			frappe.desk.form.assign_to.clear("Ticket", ticket.name, ignore_permissions=True)
			frappe.desk.form.assign_to.add(
				{"assign_to": [agents[1]], "doctype": "Ticket", "name": ticket.name}, ignore_permissions=True
			)
		self.assertEqual(assignees(make_ticket(category=category, contact=contact)), [agents[1]])


class TestReassignAndEscalate(RoutingTestCase):
	def test_reassign_to_a_person_keeps_the_history(self):
		from support_center.api.ticket import reassign

		agents, team, category = self.team_of(2)
		ticket = make_ticket(category=category)
		self.assertEqual(assignees(ticket), [agents[0]])
		frappe.set_user(agents[0])
		reassign(ticket.name, user=agents[1], note="knows the customer")
		frappe.set_user("Administrator")
		self.assertEqual(assignees(ticket), [agents[1]])
		cancelled = frappe.get_all(
			"ToDo", filters={"reference_name": str(ticket.name), "status": "Cancelled"}, pluck="allocated_to"
		)
		self.assertEqual(cancelled, [agents[0]])
		self.assertIn("knows the customer", ticket.reload().assignment_reason)
		self.assertEqual(ticket.team, team)

	def test_escalation_moves_the_ticket_to_the_next_line_and_is_recorded(self):
		from support_center.api.ticket import escalate

		agents, team, category = self.team_of(1)
		second_line, next_team, _ = self.team_of(1)
		ticket = make_ticket(category=category)
		frappe.set_user(agents[0])
		escalate(ticket.name, next_team, note="needs a developer")
		frappe.set_user("Administrator")
		ticket.reload()
		self.assertEqual(ticket.team, next_team)
		self.assertEqual(assignees(ticket), second_line)
		self.assertIn("Escalated", ticket.assignment_reason)
		self.assertIn(team, ticket.assignment_reason)
		with self.assertRaises(frappe.ValidationError):
			escalate(ticket.name, next_team)

	def test_changing_the_category_to_another_teams_reroutes(self):
		agents, _team, category = self.team_of(1)
		others, _other_team, other_category = self.team_of(1)
		ticket = make_ticket(category=category)
		self.assertEqual(assignees(ticket), agents)
		ticket.category = other_category
		ticket.save()
		self.assertEqual(assignees(ticket), others)
		self.assertIn("Category changed", ticket.reload().assignment_reason)

	def test_only_staff_with_write_access_may_reassign(self):
		from support_center.api.ticket import bulk_reassign, reassign, set_my_availability

		agents, team, category = self.team_of(2)
		ticket = make_ticket(category=category)
		outsider = make_user(["Customer"], "Website User")
		frappe.set_user(outsider)
		with self.assertRaises(frappe.PermissionError):
			reassign(ticket.name, user=agents[1])
		with self.assertRaises(frappe.PermissionError):
			bulk_reassign(f"[{ticket.name}]", team=team)
		with self.assertRaises(frappe.PermissionError):
			set_my_availability("Away")
		frappe.set_user(agents[0])
		with self.assertRaises(frappe.ValidationError):
			reassign(ticket.name, user=outsider)
		self.assertEqual(set_my_availability("Away"), "Away")
		self.assertEqual(frappe.db.get_value("User", agents[0], "support_availability"), "Away")
		self.assertEqual(bulk_reassign(f"[{ticket.name}]", team=team), 1)
		self.assertEqual(assignees(ticket), [agents[1]])
