"""ERPNext's own Issue as the intake benchmark's yardstick, measured in the same run on the same site.

The same customer's message is made an Issue as ERPNext takes one in, with what a support desk on plain
ERPNext would have switched on: a default Service Level Agreement (Monday to Friday, 09:00 to 18:00) and a
round-robin Assignment Rule to the same agent. Its background jobs (Frappe's assignment notification) are run
as the intake's are, so both totals count the same kinds of work. What this module makes is removed by
``teardown``; a site's own default agreement is used as it is, and Support Settings are put back.
"""

import frappe
from frappe.utils import add_days, getdate

PRIORITIES = ("Low", "Medium", "High")
WORKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def setup(prefix: str, agent: str, contact: str, customer: str, email: str) -> frappe._dict:
	"""Everything made is named with `prefix`, which must be unique to the run."""
	made = frappe._dict(
		prefix=prefix,
		agent=agent,
		contact=contact,
		customer=customer,
		email=email,
		priorities=[],
		holiday_list=None,
		agreement=None,
		tracking_was=frappe.db.get_single_value("Support Settings", "track_service_level_agreement"),
		rule=None,
	)
	try:
		_make(made)
	except Exception:
		frappe.db.rollback()
		teardown(made)
		raise
	return made


def _make(made: frappe._dict) -> None:
	prefix = made.prefix
	if not made.tracking_was:
		frappe.db.set_single_value("Support Settings", "track_service_level_agreement", 1)
	for priority in PRIORITIES:
		if not frappe.db.exists("Issue Priority", priority):
			frappe.get_doc({"doctype": "Issue Priority", "name": priority}).insert(ignore_permissions=True)
			made.priorities.append(priority)
	if not frappe.db.exists(
		"Service Level Agreement",
		{"document_type": "Issue", "default_service_level_agreement": 1, "enabled": 1},
	):
		today = getdate()
		made.holiday_list = (
			frappe.get_doc(
				{
					"doctype": "Holiday List",
					"holiday_list_name": f"{prefix} Holidays",
					"from_date": add_days(today, -365),
					"to_date": add_days(today, 365),
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		made.agreement = (
			frappe.get_doc(
				{
					"doctype": "Service Level Agreement",
					"service_level": f"{prefix} Issue SLA",
					"document_type": "Issue",
					"enabled": 1,
					"default_service_level_agreement": 1,
					"default_priority": "Medium",
					"holiday_list": made.holiday_list,
					"apply_sla_for_resolution": 1,
					"priorities": [
						{
							"priority": priority,
							"response_time": 4 * 3600,
							"resolution_time": 24 * 3600,
							"default_priority": int(priority == "Medium"),
						}
						for priority in PRIORITIES
					],
					"sla_fulfilled_on": [{"status": "Resolved"}, {"status": "Closed"}],
					"pause_sla_on": [{"status": "Replied"}],
					"support_and_resolution": [
						{"workday": day, "start_time": "09:00:00", "end_time": "18:00:00"} for day in WORKDAYS
					],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	made.rule = (
		frappe.get_doc(
			{
				"doctype": "Assignment Rule",
				"name": f"{prefix} Issue",
				"document_type": "Issue",
				"priority": 100,
				"rule": "Round Robin",
				"assign_condition": 'status == "Open"',
				"users": [{"user": made.agent}],
				"assignment_days": [{"day": day} for day in (*WORKDAYS, "Saturday", "Sunday")],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def insert_issue(made: frappe._dict, index: int) -> None:
	frappe.get_doc(
		{
			"doctype": "Issue",
			"subject": f"{made.prefix} delivery note missing {index}",
			"description": "The delivery note for order 4711 is missing. Could you send it again?<br><br>Thanks",
			"raised_by": made.email,
			"customer": made.customer,
			"contact": made.contact,
		}
	).insert(ignore_permissions=True)


def teardown(made: frappe._dict) -> None:
	for issue in frappe.get_all("Issue", filters={"subject": ("like", f"{made.prefix}%")}, pluck="name"):
		frappe.delete_doc("Issue", issue, ignore_permissions=True, force=True)
	if made.rule:
		frappe.delete_doc("Assignment Rule", made.rule, ignore_permissions=True, force=True)
	if made.agreement:
		frappe.delete_doc("Service Level Agreement", made.agreement, ignore_permissions=True, force=True)
	if made.holiday_list:
		frappe.delete_doc("Holiday List", made.holiday_list, ignore_permissions=True, force=True)
	for priority in made.priorities:
		frappe.delete_doc("Issue Priority", priority, ignore_permissions=True, force=True)
	if not made.tracking_was:
		frappe.db.set_single_value("Support Settings", "track_service_level_agreement", 0)
