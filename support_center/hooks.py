app_name = "support_center"
app_title = "Support Center"
app_publisher = "Support Center Contributors"
app_description = (
	"Customer support desk for ERPNext: tickets from every channel, routing, SLA, canned replies "
	"and a knowledge base"
)
app_email = "support@example.com"
app_license = "mit"

# The org/repo form: a bare "erpnext" makes Frappe's installer ask GitHub who owns the app,
# which fails on an offline server.
required_apps = ["frappe/erpnext"]

# Installation
# ------------

before_install = "support_center.install.before_install"
after_install = "support_center.install.after_install"
after_migrate = "support_center.install.after_migrate"
after_uninstall = "support_center.install.after_uninstall"

# Testing
# -------

before_tests = "support_center.testing.before_tests"

# Permissions
# -----------
# The desk list, reports, the REST API and the portal all go through these, so they agree.

permission_query_conditions = {
	"Ticket": "support_center.permissions.ticket.ticket_query_conditions",
}

has_permission = {
	"Ticket": "support_center.permissions.ticket.ticket_has_permission",
}

has_website_permission = {
	"Ticket": "support_center.permissions.ticket.ticket_has_website_permission",
}

# Documents and scheduler
# -----------------------

doc_events = {
	"Communication": {
		"after_insert": "support_center.sla.service.on_communication",
	},
	# Routing, assignment and workflow (support_center/routing)
	"Ticket": {
		"validate": [
			"support_center.routing.assign.on_ticket_validate",
			"support_center.routing.workflow.on_ticket_validate",
		],
		"after_insert": "support_center.routing.assign.on_ticket_after_insert",
		"on_update": "support_center.routing.assign.on_ticket_update",
	},
	"User Group": {
		"after_insert": "support_center.routing.rules_sync.on_user_group_change",
		"on_update": "support_center.routing.rules_sync.on_user_group_change",
		"on_trash": "support_center.routing.rules_sync.on_user_group_trash",
	},
	"Support Category": {
		"after_insert": "support_center.routing.rules_sync.on_category_change",
		"on_update": "support_center.routing.rules_sync.on_category_change",
		"after_delete": "support_center.routing.rules_sync.on_category_change",
	},
	"User": {
		"on_update": "support_center.routing.rules_sync.on_user_change",
	},
}

scheduler_events = {
	"cron": {
		# Breaches are noticed within a minute, not when someone next saves the ticket.
		"* * * * *": ["support_center.sla.monitor.run"],
	},
	# Routing, assignment and workflow: Resolved tickets close after the settings' number of days.
	"daily": ["support_center.routing.workflow.auto_close_resolved_tickets"],
}

# Portal
# ------

portal_menu_items = [
	{
		"title": "Support Tickets",
		"route": "/support/tickets",
		"reference_doctype": "Ticket",
		"role": "Customer",
	},
]

website_route_rules = [
	{"from_route": "/support/tickets/<name>", "to_route": "support/tickets/ticket"},
]
