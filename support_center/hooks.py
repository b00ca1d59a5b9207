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

# Records every migrate keeps in step with the code. The app's own roles are also made in before_install,
# since the doctypes' permissions name them before Frappe syncs fixtures. Custom fields on core doctypes
# stay in code (install.ensure_masters): the after_install hooks already query them, and Frappe syncs
# fixtures only after those hooks. Records a manager edits afterwards (Ticket Workflow, SLA policies)
# are made once, in code, so a migrate never overwrites their edits.
fixtures = [
	{
		"dt": "Role",
		"filters": [
			["name", "in", ["Support Manager", "Support Integration", "Support Trusted Integration"]]
		],
	},
]

before_install = "support_center.install.before_install"
after_install = "support_center.install.after_install"
after_migrate = "support_center.install.after_migrate"
after_uninstall = "support_center.install.after_uninstall"

# Testing
# -------

before_tests = "support_center.testing.before_tests"

# Permissions
# -----------
# The desk list, reports, the REST API and the portal all go through these, so they agree. Internal notes
# (Comments on tickets) and canned replies outside the agent's scope are hidden the same way.

permission_query_conditions = {
	"Ticket": "support_center.permissions.ticket.ticket_query_conditions",
	"Comment": "support_center.conversation.notes.comment_query_conditions",
	"Canned Reply": "support_center.conversation.canned.canned_reply_query_conditions",
	# A ticket's internal mail (consults, mail with third parties) is for staff only.
	"Communication": "support_center.conversation.visibility.communication_query_conditions",
	"Support Category": "support_center.permissions.ticket.support_category_query_conditions",
}

has_permission = {
	"Ticket": "support_center.permissions.ticket.ticket_has_permission",
	"Comment": "support_center.conversation.notes.comment_has_permission",
	"Canned Reply": "support_center.conversation.canned.canned_reply_has_permission",
	"Communication": "support_center.conversation.visibility.communication_has_permission",
	"Support Category": "support_center.permissions.ticket.support_category_has_permission",
	# A ticket's private files follow the ticket, never the ownership of a File record.
	"File": "support_center.permissions.files.file_has_permission",
}

has_website_permission = {
	"Ticket": "support_center.permissions.ticket.ticket_has_website_permission",
}

# The form loader returns a document's comments to anyone who can read it; customers who can read their
# ticket must not get its internal notes (support_center/conversation/notes.py).
override_whitelisted_methods = {
	"frappe.desk.form.load.getdoc": "support_center.conversation.notes.getdoc",
	"frappe.desk.form.load.get_docinfo": "support_center.conversation.notes.get_docinfo",
	"frappe.realtime.can_subscribe_doc": "support_center.conversation.notes.can_subscribe_doc",
	"frappe.desk.form.load.get_communications": "support_center.conversation.visibility.get_communications",
	# Frappe's generic methods that skip the permission hooks (support_center/permissions/generic_endpoints.py).
	"frappe.desk.listview.get_group_by_count": "support_center.permissions.generic_endpoints.get_group_by_count",
	"frappe.desk.search.get_link_title": "support_center.permissions.generic_endpoints.get_link_title",
	"frappe.client.get_count": "support_center.permissions.generic_endpoints.get_count",
	"frappe.desk.form.utils.add_comment": "support_center.permissions.generic_endpoints.add_form_comment",
	"frappe.templates.includes.comments.comments.add_comment": (
		"support_center.permissions.generic_endpoints.add_website_comment"
	),
	"frappe.desk.form.assign_to.add": "support_center.permissions.generic_endpoints.assign",
	"frappe.desk.form.assign_to.add_multiple": "support_center.permissions.generic_endpoints.assign_multiple",
	"frappe.desk.form.assign_to.remove": "support_center.permissions.generic_endpoints.unassign",
	"frappe.desk.form.assign_to.remove_multiple": (
		"support_center.permissions.generic_endpoints.unassign_multiple"
	),
	"frappe.desk.form.assign_to.close": "support_center.permissions.generic_endpoints.close_assignment",
	# Frappe's inbox Relink and ERPNext's "Issue / Lead / Opportunity from mail" move any message unchecked.
	"frappe.email.relink": "support_center.permissions.generic_endpoints.relink_communication",
	"erpnext.support.doctype.issue.issue.make_issue_from_communication": (
		"support_center.permissions.generic_endpoints.make_issue_from_communication"
	),
	"erpnext.crm.doctype.lead.lead.make_lead_from_communication": (
		"support_center.permissions.generic_endpoints.make_lead_from_communication"
	),
	"erpnext.crm.doctype.opportunity.opportunity.make_opportunity_from_communication": (
		"support_center.permissions.generic_endpoints.make_opportunity_from_communication"
	),
	# Frappe's and ERPNext's desk methods that reach other customers' data (permissions/desk_methods.py).
	**{
		original: f"support_center.permissions.desk_methods.{guard}"
		for original, guard in (
			("frappe.core.doctype.sms_settings.sms_settings.get_contact_number", "sms_contact_number"),
			("frappe.core.doctype.deleted_document.deleted_document.restore", "restore_deleted_document"),
			(
				"frappe.core.doctype.deleted_document.deleted_document.bulk_restore",
				"bulk_restore_deleted_documents",
			),
			("frappe.email.doctype.email_account.email_account.set_email_password", "set_email_password"),
			("frappe.email.inbox.create_email_flag_queue", "create_email_flag_queue"),
			("frappe.desk.doctype.dashboard_chart.dashboard_chart.get", "dashboard_chart"),
			("frappe.utils.global_search.search", "global_search"),
			("frappe.contacts.doctype.address.address.get_default_address", "default_address"),
			("frappe.desk.treeview.get_all_nodes", "tree_nodes"),
			("frappe.utils.nestedset.rebuild_tree", "rebuild_tree"),
			("frappe.desk.search.search_link", "search_link"),
			("frappe.desk.search.search_widget", "search_widget"),
			("frappe.client.get_list", "client_get_list"),
			("frappe.desk.reportview.get", "reportview_get"),
			("frappe.desk.reportview.get_list", "reportview_get_list"),
			("frappe.desk.reportview.get_count", "reportview_get_count"),
			("frappe.desk.like.toggle_like", "toggle_like"),
			("frappe.utils.file_manager.add_attachments", "add_attachments"),
			("erpnext.crm.frappe_crm_api.create_customer", "erpnext_create_customer"),
			("erpnext.crm.doctype.utils.get_last_interaction", "erpnext_last_interaction"),
			("erpnext.crm.utils.get_open_activities", "erpnext_open_activities"),
			("erpnext.stock.doctype.delivery_trip.delivery_trip.get_contact_display", "erpnext_trip_contact"),
			(
				"erpnext.selling.doctype.customer.customer.get_customer_primary_contact",
				"erpnext_primary_contact",
			),
			("erpnext.crm.doctype.lead.lead.get_lead_details", "erpnext_lead_details"),
			("erpnext.crm.doctype.lead.lead.add_lead_to_prospect", "erpnext_add_lead_to_prospect"),
			("erpnext.crm.doctype.prospect.prospect.get_opportunities", "erpnext_prospect_opportunities"),
			("erpnext.stock.doctype.shipment.shipment.get_contact_name", "erpnext_shipment_contact"),
			("erpnext.stock.doctype.shipment.shipment.get_address_name", "erpnext_shipment_address"),
			("erpnext.accounts.doctype.tax_rule.tax_rule.get_party_details", "erpnext_tax_party"),
			(
				"erpnext.accounts.doctype.payment_entry.payment_entry.get_party_details",
				"erpnext_payment_party",
			),
			("erpnext.support.doctype.issue.issue.set_status", "erpnext_issue_status"),
			("erpnext.support.doctype.issue.issue.set_multiple_status", "erpnext_issue_statuses"),
		)
	},
}

# Documents and scheduler
# -----------------------

# Email intake: Frappe's Email Account, with each pulled mail parsed on its own (one bad mail costs one
# mail) and our threading, party and auto-reply rules (support_center/intake/email.py).
override_doctype_class = {
	"Email Account": "support_center.intake.email.SupportEmailAccount",
	# Downloads of a ticket's private files follow the ticket (support_center/permissions/files.py).
	"File": "support_center.permissions.files.SupportFile",
}

doc_events = {
	# What customers write is cleaned whatever its shape (Frappe skips values that parse as JSON).
	"Intake Message": {
		"validate": "support_center.permissions.customer_input.sanitize_ticket_text",
	},
	# An incoming call that ended becomes (part of) a ticket.
	"Call Log": {
		"on_update": [
			"support_center.intake.phone.on_call_log_update",
			# A missed call asks the assignee to call back; the call back closes it (support_center/followups.py).
			"support_center.followups.on_call_log_update",
		],
	},
	"Communication": {
		"validate": "support_center.permissions.customer_input.sanitize_ticket_text",
		"before_insert": [
			# A colleague's answer to a consult becomes an internal note.
			"support_center.conversation.consult.intercept_reply",
			# Mail for a merged ticket goes on to the ticket it was merged into.
			"support_center.conversation.merge.redirect_communication",
			# Mail with a third party (and its replies) is internal (conversation/visibility.py).
			"support_center.conversation.visibility.mark_internal",
		],
		"after_insert": [
			"support_center.sla.service.on_communication",
			# Public replies go back to the messenger the customer wrote from.
			"support_center.intake.outgoing.on_communication",
			"support_center.conversation.consult.note_reply",
			# The assignee hears of a customer's reply; the list marks it unread (notifications/alerts.py).
			"support_center.notifications.alerts.on_communication",
			"support_center.followups.on_communication",
			# A public reply on an incident goes to its linked tickets (support_center/incidents.py).
			"support_center.incidents.on_communication",
			# What the customer sees of the conversation is searchable (support_center/search/tickets.py).
			"support_center.search.tickets.on_communication",
			# The ticket's public reply count, for first-contact resolution (support_center/kpi/replies.py).
			"support_center.kpi.replies.on_communication_change",
		],
		"on_update": [
			"support_center.conversation.notes.forget_in_ticket",
			"support_center.kpi.replies.on_communication_change",
		],
		"after_delete": "support_center.kpi.replies.on_communication_change",
	},
	# A to-do a user makes points only at what they can read (support_center/permissions/desk_methods.py).
	"ToDo": {"validate": "support_center.permissions.desk_methods.check_todo_reference"},
	"Comment": {
		"validate": "support_center.permissions.customer_input.sanitize_ticket_text",
		"on_update": "support_center.conversation.notes.forget_in_ticket",
		# A website comment that asks for help becomes a ticket (support_center/channels/website_comments.py).
		"after_insert": "support_center.channels.website_comments.on_comment",
	},
	"Ticket": {
		# A new ticket goes where the first matching Routing Rule sends it (routing/rules_apply.py).
		"before_validate": "support_center.routing.rules_apply.on_ticket_before_validate",
		"validate": [
			"support_center.routing.assign.on_ticket_validate",
			"support_center.routing.workflow.on_ticket_validate",
			"support_center.search.tickets.on_ticket_validate",
			# A copy loaded before a reply keeps the database's reply count (support_center/kpi/replies.py).
			"support_center.kpi.replies.keep_on_ticket_save",
		],
		"after_insert": [
			"support_center.routing.assign.on_ticket_after_insert",
			"support_center.conversation.acknowledgement.on_ticket_after_insert",
			"support_center.notifications.alerts.on_ticket_insert",
			"support_center.routing.rules_apply.on_ticket_after_insert",
			# A messenger's first message is acknowledged in the messenger (support_center/channels).
			"support_center.channels.acknowledgement.on_ticket_after_insert",
			# Suggestions the customer opened before filing did not deflect this request.
			"support_center.knowledge_base.deflection.on_ticket_after_insert",
		],
		"on_update": [
			"support_center.routing.assign.on_ticket_update",
			# A resolved incident resolves its linked tickets (support_center/incidents.py).
			"support_center.incidents.on_ticket_update",
			# A guest's site chat that closes sends them its transcript (support_center/channels/chat_session.py).
			"support_center.channels.chat_session.on_ticket_update",
			# The customer gets the resolution mail with its signed rating links (portal/feedback.py).
			"support_center.portal.feedback.on_ticket_update",
		],
	},
	# One Assignment Rule per team, kept in step with its members and categories.
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
	"Canned Reply": {
		"validate": "support_center.conversation.canned.validate_canned_reply",
	},
	"Support Center Settings": {
		"validate": "support_center.conversation.acknowledgement.validate_settings",
	},
	# An edited policy moves its open tickets' deadlines at once (sla/recompute.py).
	"SLA Policy": {
		"on_update": "support_center.sla.recompute.on_policy_update",
	},
}

scheduler_events = {
	"cron": {
		# Knowledge-base page views counted in Redis go to the articles in one UPDATE.
		"*/5 * * * *": [
			"support_center.knowledge_base.views.flush_view_counts",
			# Messages interrupted while delivered (a killed process, a dropped connection) become Failed.
			"support_center.intake.core.fail_interrupted",
			# Queued messages whose delivery job was lost with its worker are queued again.
			"support_center.intake.core.requeue_stalled",
		],
		# Breaches are noticed within a minute, not when someone next saves the ticket.
		"* * * * *": [
			"support_center.sla.monitor.run",
			# Replies to messengers that failed for a while (rate limits, outages) are sent again.
			"support_center.channels.delivery.retry_due",
		],
	},
	# Consults nobody answered remind their sender (support_center/followups.py).
	"hourly": ["support_center.followups.remind_unanswered_consults"],
	# Resolved tickets close after the settings' number of days without a customer reply.
	"daily": [
		"support_center.routing.workflow.auto_close_resolved_tickets",
		# Knowledge-base articles past their review date: their owners are reminded.
		"support_center.knowledge_base.review_jobs.send_review_reminders",
		# Guests' portal requests never confirmed by mail are deleted with their files (portal/guest.py).
		"support_center.portal.guest.delete_expired",
	],
}

# Desk
# ----

# The filters the KPI reports share (support_center/support_center/report/*/*.js build on it).
app_include_js = ["/assets/support_center/js/kpi_report.js"]

# The forms' parts, one file each.
doctype_js = {
	# Website comments to tickets, one click (support_center/channels/website_comments.py).
	"Blog Post": ["public/js/website_comment_tickets.js"],
	"Web Page": ["public/js/website_comment_tickets.js"],
	"Ticket": [
		"public/js/ticket_customer_history.js",
		"public/js/ticket_channels.js",
		"public/js/ticket_knowledge_base.js",
		# The form as a conversation, one Actions menu, incidents and callbacks (issue 13).
		"public/js/ticket_conversation.js",
	],
	# Its support at a glance: tickets, open tickets, average rating, last contact (kpi/customer.py).
	"Customer": ["public/js/customer_support_summary.js"],
	# Import ERPNext Issues / Helpdesk tickets as a background job (migration/api.py).
	"Support Center Settings": ["public/js/support_center_settings_import.js"],
}

# Customers and contacts show their tickets across channels.
override_doctype_dashboards = {
	"Customer": "support_center.intake.dashboards.customer_dashboard",
	"Contact": "support_center.intake.dashboards.contact_dashboard",
}

# Portal
# ------

portal_menu_items = [
	# The portal's front door, for everyone (support_center/www/support/index.html).
	{"title": "Support", "route": "/support"},
	{
		"title": "Support Tickets",
		"route": "/support/tickets",
		"reference_doctype": "Ticket",
		"role": "Customer",
	},
]

page_renderer = [
	"support_center.knowledge_base.page_renderer.KBCategoryPage",
	# The app's own pages never wait on Frappe's web-form lookup (see the module).
	"support_center.portal.page_renderer.SupportCenterPage",
]

website_route_rules = [
	{"from_route": "/support/tickets/<name>", "to_route": "support/tickets/ticket"},
	# The knowledge base's URL scheme (support_center/knowledge_base/rules.py); /kb/<category> is rendered
	# by page_renderer above (Frappe's own rules send it to ERPNext's Help Article list).
	{"from_route": "/kb/<category>/<article>", "to_route": "kb/article"},
	{"from_route": "/kb/<category>/<article>/<language>", "to_route": "kb/article"},
]
