"""KB Gap Report: what the tickets and portal searches say the knowledge base is missing
(support_center/knowledge_base/gaps.py)."""

import frappe
from frappe import _
from frappe.utils import add_days, get_datetime, getdate, nowdate

from support_center.knowledge_base.gaps import gap_rows


def execute(filters=None):
	filters = frappe._dict(filters or {})
	to_date = getdate(filters.get("to_date") or nowdate())
	from_date = getdate(filters.get("from_date") or add_days(to_date, -90))
	if from_date > to_date:
		frappe.throw(_("From Date must be before To Date."))
	minimum = max(1, int(filters.get("min_volume") or 2))
	rows = gap_rows(get_datetime(from_date), get_datetime(f"{to_date} 23:59:59.999999"), minimum)
	kinds = {
		"Category": _("Category"),
		"Subject": _("Frequent subject"),
		"Search": _("Search without results"),
	}
	data = [dict(row, kind=kinds.get(row["kind"], row["kind"])) for row in rows]
	columns = [
		{"fieldname": "kind", "label": _("Kind"), "fieldtype": "Data", "width": 180},
		{"fieldname": "item", "label": _("Category, Subject Or Search"), "fieldtype": "Data", "width": 300},
		{"fieldname": "volume", "label": _("Unanswered Volume"), "fieldtype": "Int", "width": 150},
		{"fieldname": "tickets", "label": _("Tickets"), "fieldtype": "Int", "width": 100},
		{"fieldname": "answered", "label": _("Answered By Article"), "fieldtype": "Int", "width": 160},
		{"fieldname": "example", "label": _("Example"), "fieldtype": "Data", "width": 200},
	]
	return columns, data
