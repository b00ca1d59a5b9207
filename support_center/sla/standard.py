"""The first day: a "Standard" SLA policy exists from the install on, so the acknowledgement promises a time.

Made once, in code, when the site has no SLA policy at all; a manager's edits (or deleting it) are never
undone by a migrate, like the Ticket Workflow.
"""

import frappe
from frappe.utils import get_system_timezone

STANDARD = "Standard"
WORKING_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
HOUR = 3600
# Business hours per priority: first response, next response, resolution.
TARGET_HOURS = {
	"Urgent": (1, 1, 8),
	"High": (2, 4, 16),
	"Medium": (4, 8, 40),
	"Low": (8, 24, 72),
}


def standard_policy() -> dict:
	return {
		"doctype": "SLA Policy",
		"policy_name": STANDARD,
		"enabled": 1,
		"default_policy": 1,
		"description": "Created with the app: Monday to Friday, 09:00 to 18:00 in the site's time zone. "
		"Adjust the hours, holidays and targets to your promise; open tickets follow at once.",
		"timezone": get_system_timezone(),
		"working_hours": [
			{"weekday": day, "start_time": "09:00:00", "end_time": "18:00:00"} for day in WORKING_DAYS
		],
		"targets": [
			{
				"priority": priority,
				"first_response_time": first * HOUR,
				"next_response_time": following * HOUR,
				"resolution_time": resolution * HOUR,
			}
			for priority, (first, following, resolution) in TARGET_HOURS.items()
			if frappe.db.exists("Issue Priority", priority)
		],
		"pause_statuses": "Waiting on Customer",
		"fulfil_statuses": "Resolved\nClosed",
		"warning_percent": 75,
		"warning_notify_assignee": 1,
		"breach_notify_assignee": 1,
		"breach_notify_responsible": 1,
	}


ONCE = "support_center_standard_sla_done"


def ensure_standard_policy() -> str | None:
	"""Create the Standard policy once, on a site without any SLA policy; returns its name when made."""
	if frappe.db.get_default(ONCE):
		return None
	if frappe.db.count("SLA Policy"):
		frappe.db.set_default(ONCE, "1")
		return None
	policy = frappe.get_doc(standard_policy())
	if not policy.targets:
		# No Issue Priority yet: try again on the next migrate.
		return None
	policy.insert(ignore_permissions=True)
	frappe.db.set_default(ONCE, "1")
	return policy.name


def forget_standard_policy() -> None:
	"""On uninstall: the policies go with the app's tables, so a later install makes the Standard one again."""
	frappe.db.set_default(ONCE, "")
