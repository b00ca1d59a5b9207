"""Count the public replies of the tickets that existed before ``Ticket.public_reply_count`` (kpi/replies.py).

One set-based UPDATE: the replies counted per ticket in one pass over the Communication index, joined to
the tickets; a ticket without any keeps the column's default, 0.
"""

import frappe

from support_center.conversation.visibility import ensure_internal_field
from support_center.kpi.replies import FIELD


def execute() -> None:
	if not frappe.db.has_column("Ticket", FIELD):
		frappe.reload_doc("support_center", "doctype", "ticket")
	ensure_internal_field()
	# A constant statement (table and column names are fixed here).
	frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		f"""update `tabTicket` t join (
			select c.reference_name as ticket, count(*) as replies from `tabCommunication` c
			where c.reference_doctype = 'Ticket' and c.sent_or_received = 'Sent'
				and c.communication_type = 'Communication' and ifnull(c.support_internal, 0) = 0
			group by c.reference_name
		) counted on counted.ticket = cast(t.name as char)
		set t.`{FIELD}` = counted.replies"""
	)
