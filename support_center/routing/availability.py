"""Agents' availability (Available / Away) and working days.

Availability is a Custom Field on User (``support_availability``), made by ``ensure_availability_field``
from ``install.ensure_masters``, rather than a doctype of its own: it is one value per user with no
history worth keeping, it belongs to the person (it shows on their User form, where they already set
their language and time zone), it needs no extra permission rules, and the assignment query reads it
with the user's ``enabled`` flag in one lookup. A doctype would add a record to create for every agent
and a join, for nothing more.

Working days come from ERPNext: an agent linked to an active Employee (``Employee.user_id``) is off on the
dates of that Employee's Holiday List (or the company's default list), weekly offs included.
"""

import frappe
from frappe.query_builder import DocType

from support_center.routing.assignment import AVAILABLE, AWAY

FIELD = "support_availability"


def ensure_availability_field() -> None:
	from frappe.custom.doctype.custom_field.custom_field import create_custom_field

	if frappe.db.exists("Custom Field", {"dt": "User", "fieldname": FIELD}):
		return
	create_custom_field(
		"User",
		{
			"fieldname": FIELD,
			"label": "Support Availability",
			"fieldtype": "Select",
			"options": f"{AVAILABLE}\n{AWAY}",
			"default": AVAILABLE,
			"insert_after": "enabled",
			"description": "Away agents get new tickets only when no one in their team is available.",
		},
	)


def away_users(users: list[str]) -> set[str]:
	if not users:
		return set()
	return set(frappe.get_all("User", filters={"name": ("in", users), FIELD: AWAY}, pluck="name"))


def off_today(users: list[str], day) -> set[str]:
	"""Users whose holiday list (through their active Employee) has ``day`` as a holiday."""
	if not users or not frappe.db.table_exists("Employee"):
		return set()
	employee, company, holiday = DocType("Employee"), DocType("Company"), DocType("Holiday")
	rows = (
		frappe.qb.from_(employee)
		.left_join(company)
		.on(company.name == employee.company)
		.select(employee.user_id, employee.holiday_list, company.default_holiday_list)
		.where((employee.user_id.isin(users)) & (employee.status == "Active"))
		.run(as_dict=True)
	)
	list_of = {row.user_id: row.holiday_list or row.default_holiday_list for row in rows}
	lists = {name for name in list_of.values() if name}
	if not lists:
		return set()
	lists_off = set(
		frappe.qb.from_(holiday)
		.select(holiday.parent)
		.where((holiday.parent.isin(list(lists))) & (holiday.holiday_date == day))
		.run(pluck=True)
	)
	return {user for user, name in list_of.items() if name in lists_off}
