"""The import's figures: ``Scale.tickets`` ERPNext Issues with four Communications each, made in SQL,
imported by the real importer (committed batches of 500), then removed.

The goal: 100,000 Issues with 400,000 Communications in under 15 minutes on the project's 2-core machine.
A run at a smaller scale reports the same figures and extrapolates the time to 100,000 Issues
(``import_seconds_per_100k_issues``), which the import's linear, batch-by-batch work allows.
"""

import time
from itertools import count

import frappe
from frappe.utils import add_to_date, now_datetime

from support_center.benchmarks import NAME_BASE, Figure, Scale, register
from support_center.migration.importer import Importer, ImportOptions

PREFIX = "SCBENCH-"
GOAL_SECONDS_PER_100K = 15 * 60
MESSAGES_PER_ISSUE = 4
# History is mostly closed: 90 % Closed, 3 % Resolved, 4 % Open, 2 % Replied, 1 % On Hold.
STATUS_BY_PERCENT = "case when seq %% 100 < 90 then 'Closed' when seq %% 100 < 93 then 'Resolved' when seq %% 100 < 97 then 'Open' when seq %% 100 < 99 then 'Replied' else 'On Hold' end"


def import_figures(issues: int = 100_000, customers: int = 200, batch_size: int = 500) -> list[Figure]:
	issues = max(1, int(issues))
	customers = max(1, min(int(customers), issues))
	remove_benchmark_rows()
	try:
		_make_issues(issues, customers)
		names = count(NAME_BASE + 1)
		queries = [0]
		original_sql = frappe.db.sql

		def counting_sql(*args, **kwargs):
			queries[0] += 1
			return original_sql(*args, **kwargs)

		importer = Importer(
			"Issue",
			ImportOptions(batch_size=batch_size, name_prefix=PREFIX),
			# Far above any real ticket number, like every benchmark record.
			allocate_names=lambda n: [next(names) for _ in range(n)],
		)
		frappe.db.sql = counting_sql
		try:
			started = time.perf_counter()
			report = importer.run()
			seconds = time.perf_counter() - started
		finally:
			frappe.db.sql = original_sql
		moved = report.moved.get("Communication", 0)
	finally:
		remove_benchmark_rows()
	per_issue = seconds / max(report.imported, 1)
	return [
		Figure("import_issues", report.imported, issues, "every Issue imported", max_ratio=1),
		Figure("import_communications_relinked", moved, issues * MESSAGES_PER_ISSUE),
		Figure("import_total_seconds", seconds),
		Figure("import_seconds_per_issue", per_issue),
		Figure("import_queries_per_issue", queries[0] / max(report.imported, 1), goal="set-based: < 1"),
		Figure(
			"import_seconds_per_100k_issues",
			per_issue * 100_000,
			GOAL_SECONDS_PER_100K,
			"under 15 minutes",
			max_ratio=1,
		),
	]


@register("import")
def import_area(scale: Scale) -> list[Figure]:
	return import_figures(scale.tickets, min(scale.customers, 200))


def _make_issues(issues: int, customers: int) -> None:
	"""Customers with one contact each, Issues spread over them, four messages per Issue: all in SQL."""
	opened = add_to_date(now_datetime(), days=-400)
	values = {"prefix": PREFIX, "opened": opened, "issues": issues, "customers": customers}
	# seq_1_to_N is MariaDB's sequence engine; N is an int computed here.
	frappe.db.sql(  # nosemgrep
		f"""insert into `tabCustomer` (name, creation, modified, owner, modified_by, customer_name,
			customer_type)
		select concat(%(prefix)s, 'CUST-', seq), %(opened)s, %(opened)s, 'Administrator', 'Administrator',
			concat('Benchmark customer ', seq), 'Company'
		from seq_1_to_{customers}""",
		values,
	)
	frappe.db.sql(  # nosemgrep
		f"""insert into `tabContact` (name, creation, modified, owner, modified_by, first_name, full_name,
			email_id, status)
		select concat(%(prefix)s, 'CONT-', seq), %(opened)s, %(opened)s, 'Administrator', 'Administrator',
			concat('Contact ', seq), concat('Contact ', seq), concat('contact', seq, '@bench.test'), 'Passive'
		from seq_1_to_{customers}""",
		values,
	)
	frappe.db.sql(  # nosemgrep
		f"""insert into `tabContact Email` (name, creation, modified, owner, modified_by, parent, parenttype,
			parentfield, email_id, is_primary)
		select concat(%(prefix)s, 'CE-', seq), %(opened)s, %(opened)s, 'Administrator', 'Administrator',
			concat(%(prefix)s, 'CONT-', seq), 'Contact', 'email_ids', concat('contact', seq, '@bench.test'), 1
		from seq_1_to_{customers}""",
		values,
	)
	frappe.db.sql(  # nosemgrep
		f"""insert into `tabDynamic Link` (name, creation, modified, owner, modified_by, parent, parenttype,
			parentfield, link_doctype, link_name)
		select concat(%(prefix)s, 'DL-', seq), %(opened)s, %(opened)s, 'Administrator', 'Administrator',
			concat(%(prefix)s, 'CONT-', seq), 'Contact', 'links', 'Customer', concat(%(prefix)s, 'CUST-', seq)
		from seq_1_to_{customers}""",
		values,
	)
	frappe.db.sql(  # nosemgrep
		f"""insert into `tabIssue` (name, creation, modified, owner, modified_by, naming_series, subject,
			description, status, priority, raised_by, contact, customer, opening_date, opening_time,
			first_responded_on, first_response_time, agreement_status, response_by, sla_resolution_by,
			sla_resolution_date, resolution_time, via_customer_portal)
		select concat(%(prefix)s, 'ISS-', lpad(seq, 8, '0')),
			%(opened)s + interval seq minute, %(opened)s + interval seq minute + interval 2 day,
			'Administrator', 'Administrator', 'ISS-.YYYY.-',
			concat('Benchmark issue ', seq), concat('<p>Something broke, case ', seq, '</p>'),
			{STATUS_BY_PERCENT}, 'Medium',
			concat('contact', seq %% %(customers)s + 1, '@bench.test'),
			concat(%(prefix)s, 'CONT-', seq %% %(customers)s + 1),
			concat(%(prefix)s, 'CUST-', seq %% %(customers)s + 1),
			date(%(opened)s + interval seq minute), time(%(opened)s + interval seq minute),
			%(opened)s + interval seq minute + interval 1 hour, 3600,
			if(seq %% 10 = 0, 'Failed', 'Fulfilled'),
			%(opened)s + interval seq minute + interval 4 hour,
			%(opened)s + interval seq minute + interval 1 day,
			%(opened)s + interval seq minute + interval 1 day + interval if(seq %% 10 = 0, 2, 0) day,
			86400, 0
		from seq_1_to_{issues}""",
		values,
	)
	frappe.db.sql(  # nosemgrep
		f"""insert into `tabCommunication` (name, creation, modified, owner, modified_by,
			communication_type, communication_medium, sent_or_received, subject, content, sender,
			message_id, reference_doctype, reference_name, communication_date, status)
		select concat(%(prefix)s, 'COM-', i.seq, '-', m.seq),
			%(opened)s + interval i.seq minute + interval m.seq hour,
			%(opened)s + interval i.seq minute + interval m.seq hour,
			'Administrator', 'Administrator', 'Communication', 'Email',
			if(m.seq %% 2 = 1, 'Received', 'Sent'), concat('Benchmark issue ', i.seq),
			concat('<p>Message ', m.seq, ' of case ', i.seq, '</p>'),
			if(m.seq %% 2 = 1, concat('contact', i.seq %% %(customers)s + 1, '@bench.test'), 'agent@bench.test'),
			concat('bench-', i.seq, '-', m.seq, '@bench.test'),
			'Issue', concat(%(prefix)s, 'ISS-', lpad(i.seq, 8, '0')),
			%(opened)s + interval i.seq minute + interval m.seq hour, 'Linked'
		from seq_1_to_{issues} i join seq_1_to_{MESSAGES_PER_ISSUE} m""",
		values,
	)
	# The import commits batch by batch, as it would on a live site.
	frappe.db.commit()  # nosemgrep


def remove_benchmark_rows() -> None:
	frappe.db.rollback()
	like = f"{PREFIX}%"
	frappe.db.delete("Ticket", {"name": (">", NAME_BASE)})
	for table in ("Communication", "Issue", "Contact", "Contact Email", "Dynamic Link", "Customer"):
		frappe.db.delete(table, {"name": ("like", like)})
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the benchmark's rows must not outlive the command
