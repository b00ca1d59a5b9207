"""Two workers pull the same mailbox at the same moment (a slow pull overlapping the next one, or two
worker machines): every mail is taken in exactly once."""

import os
import time

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.tests.mailbox import Mailbox
from support_center.tests.worker_process import Worker

MAILS = 12


class TestTwoWorkersOneMailbox(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.mailbox = Mailbox()

	@classmethod
	def tearDownClass(cls):
		cls.mailbox.stop()
		super().tearDownClass()

	def test_two_workers_pulling_at_once_take_each_mail_in_once(self):
		ids = self.mailbox.deliver(MAILS, "twice")
		sites_path = os.path.abspath(frappe.local.sites_path)
		start_at = time.time() + 6
		workers = [
			Worker(frappe.local.site, sites_path, "pull", self.mailbox.account, delay=0.05, start_at=start_at)
			for _ in range(2)
		]
		for worker in workers:
			self.assertEqual(worker.finish(), 0, worker.output[-3000:])
		self.assertEqual(self.mailbox.taken_in(ids), dict.fromkeys(ids, 1))
		self.assertEqual(self.mailbox.tickets(), MAILS)
		self.assertEqual(self.mailbox.dovecot.unseen_count(), 0)
		# One of them did the work; the other found the mailbox taken and left it (it is not an error).
		self.assertEqual(sum("step" in worker.lines for worker in workers), 1)
