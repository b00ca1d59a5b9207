"""The shipped Ticket Workflow, the app's own status changes, auto-close and reopen by reply."""

import frappe
from frappe.model.workflow import WorkflowPermissionError, apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime

from support_center.routing import status as rules
from support_center.routing.workflow import WORKFLOW_NAME, auto_close_resolved_tickets
from support_center.tests.factories import keep_settings, make_agent, make_ticket, make_user


def message(ticket, sent: bool, sender: str):
	return frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Sent" if sent else "Received",
			"subject": f"Re: {ticket.subject}",
			"content": "<p>Hello</p>",
			"sender": sender,
			# an agent's reply goes to the customer; mail to anyone else is internal (conversation/visibility)
			"recipients": ticket.raised_by or "someone@example.com",
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
		}
	).insert(ignore_permissions=True)


def forced(ticket, status: str):
	"""Put a ticket into a state for a test, as the app does."""
	ticket.status = status
	ticket.flags.status_set_by_app = True
	ticket.save()
	ticket.flags.status_set_by_app = False
	return ticket


class WorkflowTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		keep_settings(cls)
		super().setUpClass()

	def tearDown(self):
		frappe.set_user("Administrator")
		# an edited workflow is rolled back with the class; its cached copy must go too
		frappe.clear_document_cache("Workflow", WORKFLOW_NAME)
		frappe.cache.hdel("workflow", "Ticket")


class TestShippedWorkflow(WorkflowTestCase):
	def test_the_workflow_uses_the_status_field_and_every_status(self):
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		self.assertTrue(workflow.is_active)
		self.assertEqual((workflow.document_type, workflow.workflow_state_field), ("Ticket", "status"))
		self.assertEqual([s.state for s in workflow.states], list(rules.STATUSES))
		shipped = {(t.state, t.action, t.next_state, t.allowed) for t in workflow.transitions}
		expected = {(f, a, t, role) for f, a, t, roles in rules.TRANSITIONS for role in roles}
		self.assertEqual(shipped, expected)

	def test_every_transition_by_role(self):
		agent, manager = make_agent(), make_agent(("Support Manager",))
		for frm, _action, to, roles in rules.TRANSITIONS:
			for user, role in ((agent, rules.AGENT), (manager, rules.MANAGER)):
				ticket = forced(make_ticket(), frm) if frm != rules.OPEN else make_ticket()
				frappe.set_user(user)
				ticket = frappe.get_doc("Ticket", ticket.name)
				ticket.status = to
				if role in roles:
					ticket.save()
					self.assertEqual(ticket.reload().status, to, (frm, to, role))
				else:
					with self.assertRaises(WorkflowPermissionError, msg=(frm, to, role)) as caught:
						ticket.save()
					self.assertIn("not allowed", str(caught.exception))
				frappe.set_user("Administrator")

	def test_forbidden_transitions_are_refused_with_a_clear_message(self):
		agent = make_agent()
		frappe.set_user(agent)
		ticket = make_ticket()
		ticket = frappe.get_doc("Ticket", ticket.name)
		ticket.status = rules.CLOSED
		with self.assertRaisesRegex(
			WorkflowPermissionError, "transition not allowed from .*Open.* to .*Closed"
		):
			ticket.save()
		with self.assertRaises(WorkflowPermissionError):
			make_ticket(status=rules.RESOLVED)  # new tickets start Open

	def test_workflow_actions_from_the_desk(self):
		agent = make_agent()
		ticket = make_ticket()
		frappe.set_user(agent)
		ticket = apply_workflow(ticket.as_dict(), "Resolve")
		self.assertEqual(ticket.status, rules.RESOLVED)
		self.assertIsNotNone(ticket.resolved_on)
		ticket = apply_workflow(ticket.as_dict(), "Reopen")
		self.assertEqual((ticket.status, ticket.resolved_on, ticket.reopen_count), (rules.OPEN, None, 1))


class TestAppDrivenStatus(WorkflowTestCase):
	def test_an_agents_first_reply_answers_the_ticket(self):
		agent = make_agent()
		ticket = make_ticket()
		frappe.set_user(agent)
		message(ticket, True, agent)
		frappe.set_user("Administrator")
		ticket.reload()
		self.assertEqual(ticket.status, rules.REPLIED)
		first = ticket.first_responded_on
		self.assertIsNotNone(first)
		message(ticket, True, agent)
		self.assertEqual(ticket.reload().first_responded_on, first)

	def test_a_customers_reply_reopens_a_resolved_ticket_and_keeps_count(self):
		ticket = forced(make_ticket(raised_by="c@example.com"), rules.RESOLVED)
		message(ticket, False, "c@example.com")
		ticket.reload()
		self.assertEqual((ticket.status, ticket.resolved_on, ticket.reopen_count), (rules.OPEN, None, 1))
		comments = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Ticket",
				"reference_name": str(ticket.name),
				"comment_type": "Info",
			},
			pluck="content",
		)
		self.assertIn("The customer replied.", comments)

	def test_a_closed_ticket_stays_closed_and_waiting_goes_back_to_the_desk(self):
		closed = forced(make_ticket(), rules.CLOSED)
		message(closed, False, "c@example.com")
		self.assertEqual(closed.reload().status, rules.CLOSED)
		waiting = forced(make_ticket(), rules.WAITING)
		message(waiting, False, "c@example.com")
		self.assertEqual(waiting.reload().status, rules.OPEN)

	def test_a_message_from_outside_the_staff_does_not_count_as_a_reply(self):
		outsider = make_user(["Customer"], "Website User")
		ticket = make_ticket()
		message(ticket, True, outsider)
		ticket.reload()
		self.assertEqual((ticket.status, ticket.first_responded_on), (rules.OPEN, None))

	def test_app_changes_still_work_when_a_manager_edits_the_workflow(self):
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		# no manual reopening at all, and no "Replied" state
		workflow.transitions = [
			t
			for t in workflow.transitions
			if t.action != "Reopen" and rules.REPLIED not in (t.state, t.next_state)
		]
		workflow.states = [s for s in workflow.states if s.state != rules.REPLIED]
		workflow.save()
		agent = make_agent()
		ticket = forced(make_ticket(raised_by="c@example.com"), rules.RESOLVED)
		message(ticket, False, "c@example.com")
		self.assertEqual(ticket.reload().status, rules.OPEN)
		message(ticket, True, agent)
		ticket.reload()
		self.assertEqual(ticket.status, rules.OPEN)  # Replied is gone: the app does not force it
		self.assertIsNotNone(ticket.first_responded_on)
		frappe.set_user(agent)
		ticket = forced(frappe.get_doc("Ticket", ticket.name), rules.RESOLVED)
		ticket.status = rules.OPEN
		with self.assertRaises(WorkflowPermissionError):
			ticket.save()  # people follow the edited workflow


class TestAutoClose(WorkflowTestCase):
	def resolved_days_ago(self, days: int):
		ticket = forced(make_ticket(), rules.RESOLVED)
		frappe.db.set_value("Ticket", ticket.name, "resolved_on", add_days(now_datetime(), -days))
		return ticket

	def test_resolved_tickets_close_after_the_configured_days(self):
		frappe.db.set_single_value("Support Center Settings", "auto_close_after_days", 5)
		old, recent = self.resolved_days_ago(6), self.resolved_days_ago(2)
		answered = self.resolved_days_ago(8)
		frappe.db.set_value("Ticket", answered.name, "status", rules.RESOLVED)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"subject": "still broken",
				"sender": "c@example.com",
				"reference_doctype": "Ticket",
				"reference_name": answered.name,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Ticket", answered.name, "status", rules.RESOLVED)  # as if not reopened
		open_ticket = make_ticket()
		closed = auto_close_resolved_tickets()
		self.assertGreaterEqual(closed, 1)
		self.assertEqual(frappe.db.get_value("Ticket", old.name, "status"), rules.CLOSED)
		self.assertEqual(frappe.db.get_value("Ticket", recent.name, "status"), rules.RESOLVED)
		self.assertEqual(frappe.db.get_value("Ticket", answered.name, "status"), rules.RESOLVED)
		self.assertEqual(frappe.db.get_value("Ticket", open_ticket.name, "status"), rules.OPEN)
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": "Ticket",
					"reference_name": str(old.name),
					"comment_type": "Info",
					"content": ("like", "Closed automatically after 5 days%"),
				},
			)
		)
		self.assertEqual(auto_close_resolved_tickets(), 0)

	def test_zero_days_turns_auto_close_off(self):
		frappe.db.set_single_value("Support Center Settings", "auto_close_after_days", 0)
		ticket = self.resolved_days_ago(30)
		self.assertEqual(auto_close_resolved_tickets(), 0)
		self.assertEqual(frappe.db.get_value("Ticket", ticket.name, "status"), rules.RESOLVED)

	def test_the_job_is_scheduled(self):
		daily = frappe.get_hooks("scheduler_events").get("daily", [])
		self.assertIn("support_center.routing.workflow.auto_close_resolved_tickets", daily)


class TestNewerReply(WorkflowTestCase):
	def test_a_newer_reply_by_another_agent_is_reported_to_staff_only(self):
		from support_center.api.ticket import newer_reply_exists

		me, colleague = make_agent(), make_agent()
		ticket = make_ticket()
		opened = str(now_datetime())
		frappe.set_user(me)
		self.assertFalse(newer_reply_exists(ticket.name, opened))
		message(ticket, True, me)
		self.assertFalse(newer_reply_exists(ticket.name, opened))  # my own reply
		message(ticket, True, colleague)
		self.assertTrue(newer_reply_exists(ticket.name, opened))
		self.assertFalse(newer_reply_exists(ticket.name, str(add_days(now_datetime(), 1))))
		frappe.set_user(make_user(["Customer"], "Website User"))
		with self.assertRaises(frappe.PermissionError):
			newer_reply_exists(ticket.name, opened)
