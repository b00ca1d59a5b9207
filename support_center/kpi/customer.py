"""What a Customer's form shows of its support: tickets, open tickets, average rating, last contact."""

from __future__ import annotations

import frappe
from frappe import _

from support_center.kpi import measures, queries
from support_center.kpi.replica import on_replica


@frappe.whitelist()
@on_replica
def customer_support_summary(customer: str) -> dict:
	"""Counts over the customer's tickets (merged duplicates left out), for staff who may read the customer."""
	if not isinstance(customer, str) or not customer:
		frappe.throw(_("Customer is required"))
	frappe.has_permission("Customer", "read", customer, throw=True)
	queries.require_access()
	# KPI aggregates (a conditional SUM, a ROUND()ed GROUP BY, a join on cast(name)), kept as parameterised
	# SQL like the other KPI queries in kpi/queries.py.
	rows = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""select count(*) as tickets,
			sum(status not in ('Resolved', 'Closed')) as open_tickets,
			max(creation) as last_ticket
		from `tabTicket` where customer = %(customer)s and merged_into is null""",
		{"customer": customer},
		as_dict=True,
	)[0]
	stars = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""select round(feedback_rating * 5) as stars, count(*) as n from `tabTicket`
		where customer = %(customer)s and merged_into is null and feedback_submitted_on is not null
		group by stars""",
		{"customer": customer},
		as_dict=True,
	)
	# The last contact: the newest message in either direction on any of its tickets, else its newest ticket.
	last_message = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""select max(c.communication_date) from `tabCommunication` c
		join `tabTicket` t on c.reference_doctype = 'Ticket' and c.reference_name = cast(t.name as char)
		where t.customer = %(customer)s and c.communication_type = 'Communication'""",
		{"customer": customer},
	)[0][0]
	satisfaction = measures.satisfaction({int(row.stars): int(row.n) for row in stars})
	last = max((when for when in (rows.last_ticket, last_message) if when), default=None)
	return {
		"tickets": int(rows.tickets or 0),
		"open_tickets": int(rows.open_tickets or 0),
		"average_rating": satisfaction.average,
		"ratings": satisfaction.ratings,
		"last_contact": last,
	}
