# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt
"""Website Comments: the site's recent comments under blog posts and web pages, with the ticket each became
(support_center/channels/website_comments.py); the JS adds a Make Ticket button to the others."""

import frappe
from frappe import _
from frappe.utils import add_days, cint, nowdate

from support_center.api.website_comments import comments_with_tickets


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	days = cint(filters.get("days")) or 30
	rows = comments_with_tickets(
		since=add_days(nowdate(), -days), only_without_ticket=bool(filters.get("open_only"))
	)
	columns = [
		{"fieldname": "creation", "label": _("Posted On"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "page", "label": _("Page"), "fieldtype": "Data", "width": 220},
		{"fieldname": "comment_by", "label": _("Author"), "fieldtype": "Data", "width": 140},
		{"fieldname": "content", "label": _("Comment"), "fieldtype": "Data", "width": 360},
		{"fieldname": "ticket", "label": _("Ticket"), "fieldtype": "Link", "options": "Ticket", "width": 90},
		{"fieldname": "name", "label": _("Make Ticket"), "fieldtype": "Data", "width": 120},
	]
	return columns, rows
