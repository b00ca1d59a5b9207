"""A background worker in a process of its own, for the concurrency and fault tests: it does one job the
way the scheduler's worker would (pull a mailbox, run the SLA monitor, take in one message), optionally
slowed down so a test can run two at once or kill it in the middle.

	python -m support_center.tests.worker_process SITE ACTION [ARG] [--delay S] [--start-at EPOCH]

Run from the bench's sites folder. It prints one line per step ("ready", "connection <id>", "done <n>"),
flushed, so the test can follow it.
"""

import argparse
import time


def say(*parts) -> None:
	print(*parts, flush=True)


def slow_down(target, attribute: str, delay: float) -> None:
	"""Make ``target.attribute`` (a function) sleep ``delay`` seconds after each call."""
	original = getattr(target, attribute)

	def slowed(*args, **kwargs):
		result = original(*args, **kwargs)
		say("step")
		time.sleep(delay)
		return result

	setattr(target, attribute, slowed)


def pull(account: str, delay: float) -> int:
	import frappe

	from support_center.intake import email

	if delay:
		slow_down(email.SupportInboundMail, "process", delay)
	doc = frappe.get_doc("Email Account", account)
	doc.receive()
	frappe.db.commit()
	return 0


def sla(delay: float) -> int:
	import frappe
	from frappe.utils import now_datetime

	from support_center.sla import monitor

	if delay:
		slow_down(monitor, "notify_ticket", delay)
	monitor.mark_transitions(now_datetime())
	frappe.db.commit()
	return monitor.notify_pending()


def slow_down_delivery(delay: float) -> None:
	"""The intake's delivery says "delivering" and waits ``delay`` seconds before it looks up the sender."""
	if not delay:
		return
	from support_center.intake import core

	original = core.sender_contact

	def slow_contact(*args, **kwargs):
		say("delivering")
		time.sleep(delay)
		return original(*args, **kwargs)

	core.sender_contact = slow_contact


def intake(conversation: str, delay: float) -> int:
	"""Take in one messenger message as the web endpoint does (durable), slowed inside the delivery."""
	import frappe

	from support_center.intake import core
	from support_center.intake.rules import IncomingMessage

	slow_down_delivery(delay)
	result = core.receive(
		IncomingMessage(
			channel="Messenger",
			text="Hello from a worker that may be killed",
			sender_name="Worker Test",
			message_id=f"{conversation}-m1",
			conversation_id=conversation,
		),
		durable=True,
	)
	frappe.db.commit()
	return int(result.ticket or 0)


def queued(conversation: str, delay: float) -> int:
	"""Take in one message as the web endpoint does by default (stored, its delivery queued), then run
	the delivery job as the background worker does, slowed inside the delivery."""
	import frappe

	from support_center.intake import core
	from support_center.intake.rules import IncomingMessage

	accepted = core.accept(
		IncomingMessage(
			channel="Messenger",
			text="Hello from a queue whose worker may be killed",
			sender_name="Worker Test",
			message_id=f"{conversation}-m1",
			conversation_id=conversation,
		)
	)
	frappe.db.commit()
	slow_down_delivery(delay)
	result = core.deliver_queued(accepted.intake_message)
	frappe.db.commit()
	return int(result.ticket or 0)


def deliver(name: str, delay: float) -> str:
	"""Send one Channel Delivery as its background job does ("due": the scheduler's retry_due), slowed
	right after the messenger took each part and before the part is recorded."""
	import frappe

	from support_center.channels import delivery

	if delay:
		original = delivery.connector_for

		def slow_connector(channel):
			connector = original(channel)
			send = connector.send

			def slow_send(*args, **kwargs):
				result = send(*args, **kwargs)
				say("sent")
				time.sleep(delay)
				return result

			connector.send = slow_send
			return connector

		delivery.connector_for = slow_connector
	if name == "due":
		result = ",".join(delivery.retry_due())
	else:
		result = delivery.attempt(name)
	frappe.db.commit()
	return result


def import_issues(since: str, delay: float) -> int:
	"""Import the Issues created since ``since`` one per batch, slowed inside each batch before its commit."""
	from frappe.utils import get_datetime

	from support_center.migration.importer import ImportOptions, import_records

	def slow_batch(batch: int, tickets: list[int]) -> None:
		say("batch", batch)
		time.sleep(delay)

	report = import_records(
		"Issue",
		ImportOptions(since=get_datetime(since), batch_size=1),
		on_batch=slow_batch if delay else None,
	)
	return report.imported


class Worker:
	"""The test's handle on a worker process: start it, follow its output, kill it."""

	def __init__(
		self,
		site: str,
		sites_path: str,
		action: str,
		arg: str | None = None,
		delay: float = 0,
		start_at: float = 0,
	):
		import subprocess
		import sys
		import threading

		command = [sys.executable, "-m", "support_center.tests.worker_process", site, action]
		command += [arg] if arg else []
		command += ["--delay", str(delay), "--start-at", str(start_at)]
		self.lines: list[str] = []
		self.process = subprocess.Popen(
			command, cwd=sites_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
		)
		self.reader = threading.Thread(target=self._read, daemon=True)
		self.reader.start()

	def _read(self) -> None:
		for line in self.process.stdout:
			self.lines.append(line.rstrip("\n"))

	def wait_for(self, prefix: str, count: int = 1, timeout: float = 90) -> str:
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			found = [line for line in self.lines if line.startswith(prefix)]
			if len(found) >= count:
				return found[count - 1]
			if self.process.poll() is not None and not self.reader.is_alive():
				break
			time.sleep(0.05)
		raise AssertionError(
			f"the worker did not print {prefix!r} x{count}; output:\n" + "\n".join(self.lines[-40:])
		)

	def connection_id(self) -> int:
		return int(self.wait_for("connection").split()[1])

	def finish(self, timeout: float = 180) -> int:
		code = self.process.wait(timeout=timeout)
		self.reader.join(timeout=5)
		return code

	def kill(self) -> None:
		self.process.kill()
		self.process.wait(timeout=30)
		self.reader.join(timeout=5)

	@property
	def output(self) -> str:
		return "\n".join(self.lines)


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("site")
	parser.add_argument("action", choices=("pull", "sla", "intake", "queued", "deliver", "import"))
	parser.add_argument("arg", nargs="?")
	parser.add_argument("--delay", type=float, default=0)
	parser.add_argument("--start-at", type=float, default=0)
	options = parser.parse_args()

	import frappe

	frappe.init(site=options.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	say("connection", frappe.db.sql("select connection_id()")[0][0])
	say("ready")
	if options.start_at:
		time.sleep(max(0, options.start_at - time.time()))
	try:
		if options.action == "pull":
			done = pull(options.arg, options.delay)
		elif options.action == "sla":
			done = sla(options.delay)
		elif options.action == "deliver":
			done = deliver(options.arg, options.delay)
		elif options.action == "import":
			done = import_issues(options.arg, options.delay)
		elif options.action == "queued":
			done = queued(options.arg, options.delay)
		else:
			done = intake(options.arg, options.delay)
		say("done", done)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
