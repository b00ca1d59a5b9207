"""After a load run: was every filed request, reply and bot message stored exactly once (the bot's once
the background worker has delivered what the webhook queued)? Prints a JSON report and exits 1 when
anything the simulated users were told succeeded was lost or doubled.

	cd <bench>/sites && ../env/bin/python <checkout>/scripts/load/verify.py SITE RUN_FILE SENT_FILE
"""

import json
import re
import sys
import time
from collections import Counter

import frappe


def main() -> None:
	site, run_file, sent_file = sys.argv[1:4]
	run = json.load(open(run_file))
	sent = json.load(open(sent_file))
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		report = verify(run, sent, wait_for_queue(run))
	finally:
		frappe.destroy()
	print(json.dumps(report, indent=1))
	sys.exit(0 if report["ok"] else 1)


def wait_for_queue(run: dict, seconds: int = 180) -> float:
	"""The webhook's messages are delivered by the background worker: wait until none of the run's is still
	queued (or give up, and let the check below count them). Returns the seconds waited."""
	started = time.monotonic()
	while time.monotonic() - started < seconds:
		frappe.db.rollback()  # a fresh snapshot
		if not frappe.db.count(
			"Intake Message", {"conversation_id": ("like", f"{run['marker']}%"), "status": "Queued"}
		):
			break
		time.sleep(1)
	return round(time.monotonic() - started, 1)


def verify(run: dict, sent: dict, waited: float = 0) -> dict:
	token = re.compile(re.escape(run["marker"]) + r"-(?:file|creply|areply|bot)-\d+")
	customers = [row["customer"] for row in run["customers"]]
	tickets = frappe.get_all(
		"Ticket", filters={"customer": ("in", customers or [""])}, fields=["name", "subject"]
	)
	stored_files = Counter(m for t in tickets for m in token.findall(t.subject or ""))
	messages = frappe.get_all(
		"Communication",
		filters={
			"reference_doctype": "Ticket",
			"reference_name": ("in", [str(t.name) for t in tickets] or [""]),
		},
		fields=["content", "sent_or_received"],
	)
	stored_messages = Counter(m for c in messages for m in set(token.findall(c.content or "")))
	intake = Counter(
		frappe.get_all(
			"Intake Message",
			filters={"ticket": ("in", [str(t.name) for t in tickets] or [""])},
			pluck="status",
		)
	)

	def check(kind: str, stored: Counter) -> dict:
		confirmed = [k for k, v in sent[kind].items() if v is not None]
		unconfirmed = [k for k, v in sent[kind].items() if v is None]
		return {
			"sent": len(sent[kind]),
			"confirmed": len(confirmed),
			"lost": sorted(k for k in confirmed if stored[k] == 0),
			"doubled": sorted(k for k in sent[kind] if stored[k] > 1),
			# Answered with an error: stored once or not at all, never twice.
			"errors_stored": sum(1 for k in unconfirmed if stored[k] == 1),
		}

	bot_tickets = frappe.get_all(
		"Ticket",
		filters={"external_conversation": ("like", f"{run['marker']}%")},
		fields=["name", "description", "external_conversation", "status"],
	)
	bot_messages = frappe.get_all(
		"Communication",
		filters={
			"reference_doctype": "Ticket",
			"reference_name": ("in", [str(t.name) for t in bot_tickets] or [""]),
		},
		pluck="content",
	)
	stored_bot = Counter(
		m
		for text in [t.description for t in bot_tickets] + bot_messages
		for m in set(token.findall(text or ""))
	)
	bot_intake = Counter(
		frappe.get_all(
			"Intake Message", filters={"conversation_id": ("like", f"{run['marker']}%")}, pluck="status"
		)
	)
	open_per_conversation = Counter(t.external_conversation for t in bot_tickets if t.status != "Closed")

	report = {
		"bot_messages": check("bot_messages", stored_bot),
		"bot_intake_messages": dict(bot_intake),
		"bot_conversations_with_more_than_one_open_ticket": sorted(
			c for c, n in open_per_conversation.items() if n > 1
		),
		"queue_drained_after_s": waited,
		"filed": check("filed", stored_files),
		"customer_replies": check("customer_replies", stored_messages),
		"agent_replies": check("agent_replies", stored_messages),
		"status_changes": sent["status_changes"],
		"conflicts_retried": sent["conflicts"],
		"tickets_stored": len(tickets),
		"messages_stored": len(messages),
		"intake_messages": dict(intake),
	}
	unknown_tickets = len(tickets) - sum(1 for t in tickets if token.search(t.subject or ""))
	report["tickets_not_sent_by_the_run"] = unknown_tickets
	report["ok"] = (
		not any(
			report[k]["lost"] or report[k]["doubled"] for k in ("filed", "customer_replies", "agent_replies")
		)
		and unknown_tickets == 0
		and set(intake) <= {"Processed"}
		and not report["bot_messages"]["lost"]
		and not report["bot_messages"]["doubled"]
		and set(bot_intake) <= {"Processed"}
		and not report["bot_conversations_with_more_than_one_open_ticket"]
	)
	return report


if __name__ == "__main__":
	main()
