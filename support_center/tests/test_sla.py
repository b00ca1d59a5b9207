import json
from datetime import datetime, timedelta

import frappe
from frappe.desk.form.assign_to import add as assign
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from support_center.sla import monitor
from support_center.sla.calendar import add_business_time
from support_center.sla.service import calendar_for, to_aware, to_naive
from support_center.tests.factories import make_category, make_customer, make_ticket, make_user, unique

HOUR = 3600


def make_policy(targets=None, **values):
	"""A policy around the clock unless working hours are given, so deadlines are plain arithmetic."""
	targets = targets or [{"priority": None, "first_response_time": 4 * HOUR, "resolution_time": 24 * HOUR}]
	return frappe.get_doc(
		{
			"doctype": "SLA Policy",
			"policy_name": unique("SLA"),
			"targets": targets,
			"next_response_time": None,
			**values,
		}
	).insert()


def close_to(a, b, seconds=2):
	return abs((get_datetime(a) - get_datetime(b)).total_seconds()) <= seconds


def move_clock_back(ticket, hours: float):
	"""Pretend the ticket's clock started (and stopped) `hours` earlier: tests cannot wait for time to pass."""
	state = json.loads(ticket.sla_clock)

	def back(value):
		return (datetime.fromisoformat(value) - timedelta(hours=hours)).isoformat() if value else value

	state["resolution"]["start"] = back(state["resolution"]["start"])
	if state.get("response"):
		state["response"]["start"] = back(state["response"]["start"])
	state["stopped_since"] = back(state.get("stopped_since"))
	frappe.db.set_value("Ticket", ticket.name, "sla_clock", json.dumps(state))
	ticket.reload()


class TestSlaPolicyChoice(FrappeTestCase):
	def test_the_specific_policy_applies_and_the_ticket_records_why(self):
		category = make_category()
		policy = make_policy(category=category)
		ticket = make_ticket(category=category)
		self.assertEqual(ticket.sla_policy, policy.name)
		self.assertIn(category, ticket.sla_reason)

	def test_a_subcategory_inherits_its_parents_policy(self):
		parent = make_category(is_group=1)
		child = make_category(parent_support_category=parent)
		policy = make_policy(category=parent)
		self.assertEqual(make_ticket(category=child).sla_policy, policy.name)

	def test_the_policy_is_chosen_again_when_category_priority_or_customer_change(self):
		customer = make_customer()
		vip = make_policy(customer=customer)
		urgent = make_policy(priority="Urgent", customer=customer)
		ticket = make_ticket()
		self.assertNotIn(ticket.sla_policy, {vip.name, urgent.name})
		ticket.customer = customer
		ticket.save()
		self.assertEqual(ticket.sla_policy, vip.name)
		ticket.priority = "Urgent"
		ticket.save()
		self.assertEqual(ticket.sla_policy, urgent.name)

	def test_invalid_policies_are_refused_with_a_clear_message(self):
		with self.assertRaisesRegex(frappe.ValidationError, "not a ticket status"):
			make_policy(pause_statuses="Waiting for Godot")
		with self.assertRaisesRegex(frappe.ValidationError, "already a target"):
			make_policy(
				targets=[
					{"priority": "Low", "resolution_time": HOUR},
					{"priority": "Low", "resolution_time": HOUR},
				]
			)
		with self.assertRaisesRegex(frappe.ValidationError, "not valid"):
			make_policy(timezone="Mars/Olympus_Mons")
		with self.assertRaisesRegex(frappe.ValidationError, "Python expression"):
			make_policy(condition="doc.priority ==")


class TestSlaClock(FrappeTestCase):
	def setUp(self):
		self.category = make_category()
		self.policy = make_policy(
			category=self.category,
			targets=[
				{
					"priority": "Medium",
					"first_response_time": 4 * HOUR,
					"next_response_time": 2 * HOUR,
					"resolution_time": 24 * HOUR,
				},
				{
					"priority": "Urgent",
					"first_response_time": HOUR,
					"next_response_time": HOUR,
					"resolution_time": 4 * HOUR,
				},
			],
		)

	def ticket(self, **values):
		return make_ticket(category=self.category, priority="Medium", **values)

	def test_deadlines_follow_the_targets(self):
		ticket = self.ticket()
		self.assertEqual(ticket.sla_status, "On Track")
		self.assertTrue(close_to(ticket.response_due, add_to_date(ticket.creation, hours=4)))
		self.assertTrue(close_to(ticket.resolution_due, add_to_date(ticket.creation, hours=24)))
		self.assertTrue(close_to(ticket.sla_warning_at, add_to_date(ticket.creation, hours=3)))
		self.assertEqual(ticket.sla_next_due, ticket.response_due)

	def test_business_hours_and_holidays_of_the_policy_apply(self):
		holidays = frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": unique("Holidays"),
				"from_date": "2026-01-01",
				"to_date": "2027-12-31",
				"holidays": [
					{"holiday_date": now_datetime().date() + timedelta(days=d), "description": "Closed"}
					for d in (1, 2)
				],
			}
		).insert()
		self.policy.timezone = "Asia/Tokyo"
		self.policy.holiday_list = holidays.name
		for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
			self.policy.append(
				"working_hours", {"weekday": day, "start_time": "09:00:00", "end_time": "18:00:00"}
			)
		self.policy.save()
		ticket = self.ticket()
		calendar = calendar_for(self.policy)
		self.assertEqual(calendar.timezone, "Asia/Tokyo")
		expected = add_business_time(to_aware(get_datetime(ticket.creation)), 24 * HOUR, calendar)
		self.assertTrue(close_to(ticket.resolution_due, to_naive(expected)))
		# Two holidays and at least one night lie in the way: far more than 24 hours of wall time.
		self.assertGreater(
			get_datetime(ticket.resolution_due) - get_datetime(ticket.creation), timedelta(days=3)
		)

	def test_waiting_on_the_customer_pauses_and_resuming_adds_the_pause(self):
		ticket = self.ticket()
		due = get_datetime(ticket.resolution_due)
		ticket.status = "Waiting on Customer"
		ticket.save()
		self.assertEqual(ticket.sla_status, "Paused")
		move_clock_back(ticket, 2)  # the pause began two hours ago
		ticket.status = "Open"
		ticket.save()
		self.assertEqual(ticket.sla_status, "On Track")
		self.assertAlmostEqual(ticket.sla_paused_seconds, 2 * HOUR, delta=5)
		self.assertTrue(close_to(ticket.resolution_due, due, seconds=5))  # started 2 h earlier, paused 2 h

	def test_resolving_meets_the_promise_and_reopening_continues_the_clock(self):
		ticket = self.ticket()
		move_clock_back(ticket, 1)
		ticket.status = "Resolved"
		ticket.save()
		self.assertEqual(ticket.sla_status, "Met")
		self.assertAlmostEqual(ticket.resolution_time, HOUR, delta=5)
		ticket.status = "Open"
		ticket.save()
		self.assertIsNone(ticket.resolution_time)
		self.assertIn(ticket.sla_status, ("On Track", "At Risk"))

	def test_a_higher_priority_mid_flight_shortens_the_deadlines_from_the_same_start(self):
		ticket = self.ticket()
		ticket.priority = "Urgent"
		ticket.save()
		self.assertTrue(close_to(ticket.response_due, add_to_date(ticket.creation, hours=1)))
		self.assertTrue(close_to(ticket.resolution_due, add_to_date(ticket.creation, hours=4)))

	def test_replies_stop_the_response_clock_and_customer_messages_start_it_again(self):
		ticket = self.ticket(raised_by="someone@example.com")
		move_clock_back(ticket, 1)
		communicate(ticket, "Sent")
		ticket.reload()
		self.assertAlmostEqual(ticket.first_response_time, HOUR, delta=5)
		self.assertIsNone(ticket.response_due)
		self.assertEqual(ticket.sla_next_due, ticket.resolution_due)
		communicate(ticket, "Received")
		ticket.reload()
		self.assertTrue(close_to(ticket.response_due, add_to_date(now_datetime(), hours=2), seconds=10))

	def test_a_ticket_without_a_matching_target_has_no_deadline_and_says_so(self):
		ticket = make_ticket(category=self.category, priority="Low")
		self.assertEqual(ticket.sla_policy, self.policy.name)
		self.assertFalse(ticket.sla_status)
		self.assertIsNone(ticket.resolution_due)
		self.assertIn("Low", ticket.sla_reason)


def communicate(ticket, sent_or_received: str):
	return frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": sent_or_received,
			"subject": ticket.subject,
			"content": "Hello",
			"sender": "agent@example.com" if sent_or_received == "Sent" else ticket.raised_by,
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
			"communication_date": now_datetime(),
		}
	).insert(ignore_permissions=True)


class TestSlaMonitor(FrappeTestCase):
	def setUp(self):
		self.agent = make_user(["Support Team"])
		self.lead = make_user(["Support Manager"])
		self.team = frappe.get_doc(
			{
				"doctype": "User Group",
				"name": unique("Escalations"),
				"user_group_members": [{"user": self.lead}],
			}
		).insert()
		self.category = make_category(responsible=self.agent)
		self.policy = make_policy(
			category=self.category,
			targets=[{"priority": None, "first_response_time": 4 * HOUR, "resolution_time": 8 * HOUR}],
			breach_raise_priority_to="Urgent",
			breach_reassign_to_team=self.team.name,
		)

	def ticket(self):
		ticket = make_ticket(category=self.category, priority="Medium")
		assign(
			{"doctype": "Ticket", "name": str(ticket.name), "assign_to": [self.agent]},
			ignore_permissions=True,
		)
		return ticket

	def notifications(self, ticket, user):
		return frappe.get_all(
			"Notification Log",
			filters={
				"document_type": "Ticket",
				"document_name": str(ticket.name),
				"for_user": user,
				"type": "Alert",
			},
			pluck="subject",
		)

	def test_a_warning_is_noticed_by_the_scheduler_and_announced_exactly_once(self):
		ticket = self.ticket()
		monitor.mark_transitions(add_to_date(ticket.creation, hours=3, minutes=1))
		monitor.mark_transitions(add_to_date(ticket.creation, hours=3, minutes=2))
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "sla_status"), "At Risk")
		self.assertTrue(monitor.notify_ticket(ticket.name))
		self.assertFalse(monitor.notify_ticket(ticket.name))
		notified = self.notifications(ticket, self.agent)
		self.assertEqual(len(notified), 1)
		self.assertIn("at risk", notified[0])

	def test_a_breach_is_noticed_escalated_and_announced_once_even_after_a_lost_run(self):
		ticket = self.ticket()
		# The breach is marked, then the process dies before notifying: the next run still announces it.
		monitor.mark_transitions(add_to_date(ticket.creation, hours=5))
		row = frappe.db.get_value("Ticket", ticket.name, ["sla_status", "sla_breached_on"], as_dict=True)
		self.assertEqual(row.sla_status, "Breached")
		self.assertTrue(close_to(row.sla_breached_on, add_to_date(ticket.creation, hours=4)))
		self.assertGreaterEqual(monitor.pending_count(), 1)
		self.assertTrue(monitor.notify_ticket(ticket.name))
		self.assertFalse(monitor.notify_ticket(ticket.name))
		self.assertEqual(len(self.notifications(ticket, self.agent)), 1)  # the assignee
		ticket.reload()
		self.assertEqual(ticket.priority, "Urgent")
		self.assertIn(self.lead, monitor.assignees(ticket))
		# A breach stays a breach: saving later, even resolving, does not turn it into a success.
		ticket.status = "Resolved"
		ticket.save()
		self.assertEqual(ticket.sla_status, "Breached")

	def test_a_warning_then_a_breach_are_two_announcements(self):
		ticket = self.ticket()
		monitor.mark_transitions(add_to_date(ticket.creation, hours=3, minutes=30))
		monitor.notify_ticket(ticket.name)
		monitor.mark_transitions(add_to_date(ticket.creation, hours=4, minutes=1))
		monitor.notify_ticket(ticket.name)
		monitor.notify_ticket(ticket.name)
		subjects = self.notifications(ticket, self.agent)
		self.assertEqual(len(subjects), 2)

	def test_paused_and_met_tickets_are_left_alone(self):
		paused, met = self.ticket(), self.ticket()
		paused.status = "Waiting on Customer"
		paused.save()
		met.status = "Resolved"
		met.save()
		monitor.mark_transitions(add_to_date(now_datetime(), days=30))
		self.assertEqual(frappe.db.get_value("Ticket", paused.name, "sla_status"), "Paused")
		self.assertEqual(frappe.db.get_value("Ticket", met.name, "sla_status"), "Met")

	def test_the_job_is_scheduled_every_minute(self):
		self.assertIn(
			"support_center.sla.monitor.run", frappe.get_hooks("scheduler_events")["cron"]["* * * * *"]
		)
		self.assertTrue(frappe.db.exists("Scheduled Job Type", {"method": "support_center.sla.monitor.run"}))
