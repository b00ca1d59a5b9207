"""Install, migrate and uninstall: make the masters the desk needs, on any ERPNext site.

A site whose setup wizard has not run has no Issue Priority records yet; the app must not fail there.
"""

import os

import frappe

ISSUE_PRIORITIES = ("Low", "Medium", "High", "Urgent")
DEFAULT_PRIORITY = "Medium"
ROLES = {
	"Support Manager": "Configures the support desk: categories, teams, SLA policies, canned replies.",
	"Support Team": "Works tickets.",
	"Customer": "A customer's portal user.",
	"Support Integration": "A messenger bot or another system that posts customer messages.",
	"Support Trusted Integration": "An integration that verifies its users' email and phone: they find "
	"existing customers and receive the acknowledgement.",
}


def ensure_portal():
	from support_center.portal.setup import ensure_portal as ensure

	ensure()


def remove_navbar_link():
	from support_center.portal.setup import remove_navbar_link as remove

	remove()


def before_install():
	ensure_roles()


def after_install():
	ensure_masters()


def after_migrate():
	ensure_masters()


def after_uninstall():
	from support_center.sla.standard import forget_standard_policy

	restore_erpnext_support_workspace()
	remove_navbar_link()
	forget_standard_policy()
	# Frappe commits nothing after the after_uninstall hooks.
	frappe.db.commit()  # nosemgrep


def ensure_masters():
	ensure_roles()
	ensure_issue_priorities()
	ensure_tree_roots()
	ensure_settings()
	ensure_routing_masters()
	ensure_conversation_settings()
	ensure_agents_can_write_email()
	# The KPI queries' composite indexes (support_center/kpi/indexes.py).
	from support_center.kpi.indexes import ensure_kpi_indexes

	ensure_kpi_indexes()
	ensure_first_day()
	ensure_migration_fields()
	ensure_portal()


def ensure_agents_can_write_email():
	"""Frappe's email composer reads the outgoing Email Account (for its signature) with the user's own
	permissions; without read access an agent gets "Not permitted" each time they open it."""
	from frappe.permissions import add_permission

	if not frappe.db.exists("Custom DocPerm", {"parent": "Email Account", "role": "Support Team"}):
		add_permission("Email Account", "Support Team", 0)


def ensure_roles():
	for role_name in ROLES:
		if not frappe.db.exists("Role", role_name):
			frappe.get_doc(
				{
					"doctype": "Role",
					"role_name": role_name,
					"desk_access": 0
					if role_name in ("Customer", "Support Integration", "Support Trusted Integration")
					else 1,
				}
			).insert(ignore_permissions=True)


def ensure_issue_priorities():
	for priority in ISSUE_PRIORITIES:
		if not frappe.db.exists("Issue Priority", priority):
			frappe.get_doc({"doctype": "Issue Priority", "name": priority}).insert(ignore_permissions=True)


def ensure_tree_roots():
	"""Trees need one root to hang everything else on."""
	for doctype, title in (("Support Category", "All Topics"), ("KB Category", "All Articles")):
		if not frappe.db.exists(doctype, title):
			frappe.get_doc({"doctype": doctype, "title": title, "is_group": 1}).insert(
				ignore_permissions=True
			)


def ensure_settings():
	settings = frappe.get_single("Support Center Settings")
	if not settings.default_priority:
		settings.default_priority = DEFAULT_PRIORITY
		settings.save(ignore_permissions=True)


def restore_erpnext_support_workspace():
	"""Our "Support" workspace replaced ERPNext's; give ERPNext its own back when we leave."""
	if "erpnext" not in frappe.get_installed_apps():
		return
	from frappe.modules.import_file import import_file_by_path

	path = frappe.get_app_path("erpnext", "support", "workspace", "support", "support.json")
	if os.path.exists(path):
		import_file_by_path(path, force=True)


def ensure_routing_masters():
	"""Routing, assignment and workflow: the availability field, the Ticket Workflow, the team rules."""
	from support_center.routing.availability import ensure_availability_field
	from support_center.routing.rules_sync import sync_all_team_rules
	from support_center.routing.workflow import ensure_routing_settings, ensure_ticket_workflow

	ensure_availability_field()
	ensure_routing_settings()
	ensure_ticket_workflow()
	sync_all_team_rules()


def ensure_conversation_settings():
	"""Conversation: the acknowledgement's defaults (a Single's fields read empty until stored), and the
	Communication field that keeps mail with third parties internal."""
	from support_center.conversation.acknowledgement import ensure_acknowledgement_settings
	from support_center.conversation.visibility import ensure_internal_field

	ensure_acknowledgement_settings()
	ensure_internal_field()


def ensure_first_day():
	"""The agent's day (issue 13): a "Standard" SLA policy on a site that has none (acknowledgements promise
	a time at once), the follow-up fields (callbacks, consult reminders), the ticket search index."""
	from support_center.followups import ensure_followup_fields
	from support_center.search.tickets import ensure_fulltext_index
	from support_center.sla.standard import ensure_standard_policy

	ensure_standard_policy()
	ensure_followup_fields()
	ensure_fulltext_index()


def ensure_migration_fields():
	"""Moving in from ERPNext: each Issue names the Ticket it was imported into (support_center/migration)."""
	from support_center.migration.sources import ensure_issue_field

	ensure_issue_field()
