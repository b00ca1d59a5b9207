"""A policy edit moves the deadlines of its open tickets at once, not when each is next saved.

``on_policy_update`` (SLA Policy on_update) notices a change of what the clock depends on (hours, time zone,
holidays, targets, pause and fulfil statuses, warning point) and queues ``recompute``. That job reads the
policy's open tickets in one query, runs each ticket's stored clock against the new rules (the pure engine:
the clock's start and stopped time stay, only the targets and the calendar change), writes the changed
fields with ``frappe.db.bulk_update`` (one UPDATE per 500 tickets) and records the reason on each ticket with
one bulk insert of Info comments. A breach stays a breach; a deadline that has passed under the new rules
is left for the SLA monitor to announce within a minute.
"""

import json

import frappe
from frappe import _
from frappe.utils import now_datetime

from support_center.sla.service import (
	load_state,
	record_breach,
	rules_for,
	statuses,
	to_aware,
	write_state,
)

# What the clock depends on: an edit of anything else (a description, the notification options) keeps
# the deadlines.
CLOCK_FIELDS = ("timezone", "holiday_list", "pause_statuses", "fulfil_statuses", "warning_percent")
CLOCK_TABLES = {
	"working_hours": ("weekday", "start_time", "end_time"),
	"targets": ("priority", "first_response_time", "next_response_time", "resolution_time"),
}
WRITTEN = (
	"response_due",
	"resolution_due",
	"sla_warning_at",
	"sla_next_due",
	"sla_breached_on",
	"sla_status",
	"sla_notified_status",
	"sla_clock",
	"first_response_time",
	"resolution_time",
	"sla_paused_seconds",
)
CHUNK = 500


def clock_signature(policy) -> str:
	values = {field: str(policy.get(field) or "") for field in CLOCK_FIELDS}
	for table, columns in CLOCK_TABLES.items():
		values[table] = sorted(
			tuple(str(row.get(column) or "") for column in columns) for row in policy.get(table) or []
		)
	return json.dumps(values, sort_keys=True)


def on_policy_update(doc, method=None) -> None:
	before = doc.get_doc_before_save()
	if not before or not doc.enabled or clock_signature(before) == clock_signature(doc):
		return
	reason = _("SLA deadlines recomputed: policy {0} was edited by {1}.").format(
		doc.name, frappe.session.user
	)
	frappe.enqueue(
		"support_center.sla.recompute.recompute",
		queue="long",
		policy=doc.name,
		reason=reason,
		job_id=f"support_center_sla_recompute::{doc.name}",
		deduplicate=True,
		enqueue_after_commit=True,
		now=frappe.flags.in_test,
	)


def recompute(policy: str, reason: str, now=None) -> int:
	"""New deadlines for the policy's open tickets; returns how many tickets changed."""
	# The save that queued this clears the cached policy only after its on_update hooks.
	frappe.clear_document_cache("SLA Policy", policy)
	doc = frappe.get_doc("SLA Policy", policy)
	fulfilled = statuses(doc.fulfil_statuses) or ["Resolved", "Closed"]
	tickets = frappe.get_all(
		"Ticket",
		filters={"sla_policy": policy, "status": ("not in", fulfilled)},
		fields=["name", "creation", "priority", "status", "sla_policy", "sla_reason", *WRITTEN],
	)
	now_aware = to_aware(now or now_datetime())
	rules_by_priority = {}
	updates = {}
	for ticket in tickets:
		if ticket.priority not in rules_by_priority:
			rules_by_priority[ticket.priority] = rules_for(ticket)
		rules = rules_by_priority[ticket.priority]
		if not rules:
			continue
		before = {field: ticket.get(field) for field in WRITTEN}
		write_state(ticket, record_breach(load_state(ticket), now_aware, rules), rules, now_aware)
		changed = {field: ticket.get(field) for field in WRITTEN if ticket.get(field) != before[field]}
		if changed:
			updates[ticket.name] = changed
	if not updates:
		return 0
	frappe.db.bulk_update("Ticket", updates, chunk_size=CHUNK, update_modified=False)
	stamp = now_datetime()
	user = frappe.session.user
	fields = ["name", "creation", "modified", "owner", "modified_by", "comment_type"]
	fields += ["reference_doctype", "reference_name", "content", "comment_email"]
	rows = [
		(frappe.generate_hash(length=10), stamp, stamp, user, user, "Info", "Ticket", str(name), reason, user)
		for name in updates
	]
	frappe.db.bulk_insert("Comment", fields, rows, chunk_size=CHUNK)
	return len(updates)
