"""After a load run: was every filed request and every reply stored exactly once? Prints a JSON report
and exits 1 when anything the simulated users were told succeeded was lost or doubled.

	cd <bench>/sites && ../env/bin/python <checkout>/scripts/load/verify.py SITE RUN_FILE SENT_FILE
"""

import json
import re
import sys
from collections import Counter

import frappe


def main() -> None:
	site, run_file, sent_file = sys.argv[1:4]
	run = json.load(open(run_file))
	sent = json.load(open(sent_file))
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		report = verify(run, sent)
	finally:
		frappe.destroy()
	print(json.dumps(report, indent=1))
	sys.exit(0 if report["ok"] else 1)


def verify(run: dict, sent: dict) -> dict:
	token = re.compile(re.escape(run["marker"]) + r"-(?:file|creply|areply)-\d+")
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

	report = {
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
	)
	return report


if __name__ == "__main__":
	main()
