"""Faults: a worker killed in the middle of an email pull or of the SLA monitor, and the database
connection dropping in the middle of an intake. After a restart nothing is lost and nothing is taken in
or announced twice; an interrupted message is a ticket or a Failed Intake Message, never neither."""

import os
import time

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.intake import core
from support_center.tests.live_data import remove_conversations, run_queued_deliveries
from support_center.tests.mailbox import Mailbox
from support_center.tests.test_concurrency_sla import announcements, breached_tickets, remove_sla_records
from support_center.tests.worker_process import Worker

MAILS = 12


def sites_path() -> str:
	return os.path.abspath(frappe.local.sites_path)


class TestKilledEmailPull(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.mailbox = Mailbox()

	@classmethod
	def tearDownClass(cls):
		cls.mailbox.stop()
		super().tearDownClass()

	def test_a_worker_killed_mid_pull_loses_nothing_and_the_next_pull_doubles_nothing(self):
		ids = self.mailbox.deliver(MAILS, "killed")
		worker = Worker(frappe.local.site, sites_path(), "pull", self.mailbox.account, delay=0.4)
		worker.wait_for("step", 4)
		worker.kill()
		taken = self.mailbox.taken_in(ids)
		self.assertTrue(0 < sum(taken.values()) < MAILS, taken)
		self.assertLessEqual(max(taken.values()), 1)
		# What was not taken in is still unseen (Frappe marked the whole batch seen as it downloaded it,
		# so a killed worker lost the rest of the batch for good).
		self.assertGreater(self.mailbox.dovecot.unseen_count(), 0)
		self.mailbox.pull()  # the restarted worker's next run
		self.assertEqual(self.mailbox.taken_in(ids), dict.fromkeys(ids, 1))
		self.assertEqual(self.mailbox.tickets(), MAILS)
		self.assertEqual(self.mailbox.dovecot.unseen_count(), 0)


class TestKilledSlaMonitor(FrappeTestCase):
	def test_a_monitor_killed_mid_run_announces_the_rest_after_restart_and_nothing_twice(self):
		names = breached_tickets(self, MAILS)
		try:
			worker = Worker(frappe.local.site, sites_path(), "sla", delay=0.4)
			worker.wait_for("step", 4)
			worker.kill()
			before = announcements(self, names)
			announced = [name for name, (logs, *_rest) in before.items() if logs]
			self.assertTrue(0 < len(announced) < MAILS, before)
			self.assertTrue(all(counts[0] <= 1 and counts[1] <= 1 for counts in before.values()), before)
			# The next minute's run.
			rerun = Worker(frappe.local.site, sites_path(), "sla")
			self.assertEqual(rerun.finish(), 0, rerun.output[-3000:])
			expected = {str(name): (1, 1, "Breached", "Urgent") for name in names}
			self.assertEqual(announcements(self, names), expected)
			self.assertIn(f"done {MAILS - len(announced)}", rerun.lines)
		finally:
			remove_sla_records(self, names)


class TestConnectionDroppedMidIntake(FrappeTestCase):
	def setUp(self):
		self.conversation = f"fault-{frappe.generate_hash(length=8)}"

	def tearDown(self):
		remove_conversations(f"{self.conversation}%")

	def record(self):
		frappe.db.commit()  # a fresh snapshot
		return frappe.db.get_value(
			"Intake Message",
			{"conversation_id": self.conversation},
			["name", "status", "ticket", "error"],
			as_dict=True,
		)

	def test_a_worker_killed_mid_queued_delivery_loses_nothing_and_the_message_goes_in_once(self):
		worker = Worker(frappe.local.site, sites_path(), "queued", self.conversation, delay=3)
		worker.wait_for("delivering")
		worker.kill()
		frappe.db.commit()  # a fresh snapshot
		record = self.record()
		# Stored and committed when the endpoint answered; the killed delivery left it waiting.
		self.assertIsNotNone(record, "the message was lost with the worker")
		self.assertEqual(record.status, "Queued")
		self.assertFalse(frappe.db.exists("Ticket", {"external_conversation": self.conversation}))
		# Not an interrupted request: the sweeper leaves it to its job, queued again once it has stalled.
		core.fail_interrupted(minutes=0)
		self.assertEqual(self.record().status, "Queued")
		self.assertGreaterEqual(core.requeue_stalled(minutes=0), 1)
		# The endpoint's own job and the requeued one: the message goes in once between them.
		self.assertGreaterEqual(run_queued_deliveries(), 1)
		frappe.db.commit()
		self.assertEqual(self.record().status, "Processed")
		self.assertEqual(frappe.db.count("Ticket", {"external_conversation": self.conversation}), 1)

	def test_a_message_whose_connection_is_killed_mid_delivery_is_kept_and_delivered_on_retry(self):
		from support_center.api.intake import retry

		worker = Worker(frappe.local.site, sites_path(), "intake", self.conversation, delay=3)
		connection = worker.connection_id()
		worker.wait_for("delivering")
		# The database drops the worker's connection while it is creating the ticket.
		frappe.db.sql(f"KILL {int(connection)}")
		self.assertNotEqual(worker.finish(), 0, worker.output[-2000:])
		self.assertTrue(
			any(
				sign in worker.output
				for sign in ("Lost connection", "server has gone away", "InterfaceError")
			),
			worker.output[-2000:],
		)
		record = self.record()
		# Stored and committed before delivery: the message survived the connection.
		self.assertIsNotNone(record, "the message was lost with the connection")
		self.assertFalse(frappe.db.exists("Ticket", {"external_conversation": self.conversation}))
		self.assertIn(record.status, ("Pending", "Failed"))
		# The sweeper turns an interrupted delivery into a Failed message, listed with a Retry.
		self.assertGreaterEqual(core.fail_interrupted(minutes=0), 1 if record.status == "Pending" else 0)
		frappe.db.commit()
		record = self.record()
		self.assertEqual(record.status, "Failed")
		self.assertIn("Interrupted", record.error)
		result = retry(record.name)
		frappe.db.commit()
		record = self.record()
		self.assertEqual(record.status, "Processed")
		self.assertEqual(int(record.ticket), int(result["ticket"]))
		self.assertEqual(frappe.db.count("Ticket", {"external_conversation": self.conversation}), 1)
