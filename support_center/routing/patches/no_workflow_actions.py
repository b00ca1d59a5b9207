"""Tickets need no Frappe "Workflow Action" records: mark the Ticket Workflow's states optional.

Workflow Actions are approval requests (a to-do for every user of the next transition's role, mailed when
the workflow sends alerts). Ticket statuses are not approvals: the records only filled every agent's
Workflow Action list and cost a dozen queries on each status change. Optional states get none. The open
actions already made for tickets are removed.
"""

import frappe

from support_center.routing.workflow import WORKFLOW_NAME


def execute() -> None:
	if not frappe.db.exists("Workflow", WORKFLOW_NAME):
		return
	frappe.db.set_value(
		"Workflow Document State", {"parent": WORKFLOW_NAME}, "is_optional_state", 1, update_modified=False
	)
	actions = frappe.get_all(
		"Workflow Action", filters={"reference_doctype": "Ticket", "status": "Open"}, pluck="name"
	)
	if actions:
		frappe.db.delete("Workflow Action Permitted Role", {"parent": ("in", actions)})
		frappe.db.delete("Workflow Action", {"name": ("in", actions)})
	frappe.clear_document_cache("Workflow", WORKFLOW_NAME)
