"""The SLA monitor's figures. The data is made in SQL for the run and
removed afterwards; every measured step runs inside a transaction that is rolled back, so the steps
see the same rows and the site is left as it was.
"""

import frappe
from frappe.utils import add_to_date, now_datetime

from support_center.benchmarks import NAME_BASE, Figure, Scale, measure, register
from support_center.sla import monitor


def sla_monitor_figures(
	open_tickets: int = 100_000, at_risk: int = 5_000, breached: int = 1_000, repeats: int = 5
) -> list[Figure]:
	"""The scheduled SLA run against one UPDATE that touches exactly the rows the run changes."""
	now = now_datetime()
	_make_open_tickets(open_tickets, at_risk, breached, now)
	try:
		changing = (NAME_BASE + 1, NAME_BASE + at_risk + breached)

		def scheduled_run():
			moved = monitor.mark_transitions(now)
			monitor.pending_count()
			# At least the prepared rows; a live site's own due tickets may join them (and are rolled back).
			assert moved["breached"] >= breached and moved["at_risk"] >= at_risk, moved

		def single_update():
			# The reference is by definition one plain UPDATE statement over the changing rows.
			frappe.db.sql(  # nosemgrep
				"""update `tabTicket` set sla_status = if(sla_next_due <= %(now)s, 'Breached', 'At Risk')
				where name between %(first)s and %(last)s""",
				{"now": now, "first": changing[0], "last": changing[1]},
			)

		run_seconds, run_queries = measure(scheduled_run, repeats)
		update_seconds, update_queries = measure(single_update, repeats)
	finally:
		frappe.db.delete("Ticket", {"name": (">", NAME_BASE)})
		# The benchmark's rows must not outlive the command.
		frappe.db.commit()  # nosemgrep
	return [
		Figure("sla_open_tickets", open_tickets),
		Figure("sla_rows_changed_per_run", at_risk + breached),
		Figure("sla_monitor_run_seconds", run_seconds, update_seconds, max_ratio=3),
		Figure("sla_monitor_run_queries", run_queries, update_queries, "no per-ticket queries"),
	]


@register("sla")
def sla_area(scale: Scale) -> list[Figure]:
	return sla_monitor_figures(
		scale.tickets, max(1, scale.tickets // 20), max(1, scale.tickets // 100), scale.repeats
	)


def _make_open_tickets(total: int, at_risk: int, breached: int, now) -> None:
	"""Open tickets with running clocks: the first `breached` are past due, the next `at_risk` past their
	warning point, the rest comfortably on track."""
	frappe.db.delete("Ticket", {"name": (">", NAME_BASE)})
	past, soon, later = add_to_date(now, hours=-1), add_to_date(now, hours=2), add_to_date(now, days=3)
	# One INSERT ... SELECT over a generated sequence: 100,000 documents through the ORM would take minutes.
	frappe.db.sql("set session max_recursive_iterations = %s", total + 1)  # nosemgrep
	frappe.db.sql(  # nosemgrep
		"""insert into `tabTicket` (name, creation, modified, owner, modified_by, docstatus, idx,
			subject, status, channel, priority, sla_status, sla_warning_at, sla_next_due,
			response_due, resolution_due)
		select %(base)s + seq, %(past)s, %(past)s, 'Administrator', 'Administrator', 0, 0,
			concat('Benchmark ticket ', seq), 'Open', 'Email', 'Medium', 'On Track',
			case when seq <= %(changing)s then %(past)s else %(later)s end,
			case when seq <= %(breached)s then %(past)s when seq <= %(changing)s then %(soon)s else %(later)s end,
			case when seq <= %(breached)s then %(past)s when seq <= %(changing)s then %(soon)s else %(later)s end,
			%(later)s
		from (
			with recursive numbers(seq) as (select 1 union all select seq + 1 from numbers where seq < %(total)s)
			select seq from numbers
		) as numbers""",
		{
			"base": NAME_BASE,
			"past": past,
			"soon": soon,
			"later": later,
			"changing": at_risk + breached,
			"breached": breached,
			"total": total,
		},
	)
	# The measured steps roll back to this state again and again.
	frappe.db.commit()  # nosemgrep
