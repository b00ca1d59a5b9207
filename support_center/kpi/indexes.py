"""Composite indexes the KPI queries read instead of the Ticket rows (created on install and migrate).

Each KPI query reads one period's range (opened, resolved, first answered, rated, loyalty answer given in
it). Through a one-field index every ticket of the range costs a look-up of its whole row (the subject,
the description, the search text); these indexes hold the columns the default report reads after the
period's column (filter, grouping by category, the values summed), so MariaDB answers from the index
alone. Grouping by another column, or a filter on team or channel, still works: it reads the rows then.

InnoDB limits an index to 3,072 bytes of declared width (a Link or Select column is 560 in utf8mb4), so
each holds at most five of them. Frappe keeps indexes it did not make itself across migrations.
"""

import frappe

TICKET_CREATED = "kpi_created"
# Renamed when a column was added (Frappe adds an index only under a name it does not know yet).
TICKET_RESOLVED = "kpi_resolution"
TICKET_FIRST_RESPONSE = "kpi_first_response"
TICKET_RATED = "kpi_rated"
TICKET_LOYALTY = "kpi_loyalty"
TICKET_VOICE = "kpi_customer_voice"
TICKET_SLA_CREATED = "kpi_sla_created"

INDEXES = {
	"Ticket": {
		# New tickets, customers who wrote, repeat contacts, tickets by status (agents), the chart's new.
		TICKET_CREATED: ["creation", "merged_into", "category", "customer", "contact", "status"],
		# First responses due and late among the tickets opened in the period (SLA Compliance).
		TICKET_SLA_CREATED: [
			"creation",
			"merged_into",
			"category",
			"sla_policy",
			"priority",
			"sla_status",
			"first_responded_on",
			"first_response_time",
			"response_due",
		],
		# Resolved, FCR (the reply count), reopened, resolution times and targets, survey responses, the
		# backlog.
		TICKET_RESOLVED: [
			"resolved_on",
			"status",
			"merged_into",
			"category",
			"reopen_count",
			"public_reply_count",
			"resolution_time",
			"feedback_submitted_on",
			"creation",
			"sla_policy",
			"priority",
		],
		TICKET_FIRST_RESPONSE: ["first_responded_on", "merged_into", "category", "first_response_time"],
		TICKET_RATED: ["feedback_submitted_on", "merged_into", "category", "feedback_rating"],
		TICKET_LOYALTY: ["loyalty_answered_on", "merged_into", "category", "loyalty_score"],
		# Customer Feedback: the few tickets marked as a suggestion, complaint or bug report, by date.
		TICKET_VOICE: ["customer_voice", "creation", "merged_into"],
	},
	# A policy's targets per priority, read once per ticket of the period (SLA Compliance).
	"SLA Target": {
		"kpi_targets": ["parent", "parenttype", "priority", "first_response_time", "resolution_time"],
	},
	"Communication": {
		# Public replies in a period and their senders (Agent Performance), read from the index alone.
		"kpi_replies_sent": [
			"reference_doctype",
			"communication_date",
			"sent_or_received",
			"communication_type",
			"support_internal",
			"sender",
		],
		# A ticket's public replies (first-contact resolution), counted from the index alone.
		"kpi_public_replies": [
			"reference_doctype",
			"reference_name",
			"sent_or_received",
			"communication_type",
			"support_internal",
		],
	},
	"ToDo": {
		# A ticket's assignees (grouping and filtering by agent).
		"kpi_assignees": ["reference_type", "reference_name", "status", "allocated_to"],
	},
}


# Indexes of earlier versions that newer ones above replace (same leading columns, more of them).
OBSOLETE = {
	"Ticket": ("kpi_resolved",),
	"Communication": ("kpi_reference_doctype_communication_date",),
}


def ensure_kpi_indexes() -> None:
	for doctype, indexes in INDEXES.items():
		for name, fields in indexes.items():
			if all(frappe.db.has_column(doctype, field) for field in fields):
				frappe.db.add_index(doctype, fields, name)
	for doctype, names in OBSOLETE.items():
		for name in names:
			if frappe.db.has_index(f"tab{doctype}", name):
				# A fixed name from OBSOLETE above (DDL has no query-builder form; sql_ddl commits first).
				statement = f"alter table `tab{doctype}` drop index `{name}`"
				frappe.db.sql_ddl(statement)  # nosemgrep: frappe-using-db-sql
	frappe.local.kpi_index_names = None


def has_index(doctype: str, name: str) -> bool:
	"""Whether the index exists (a site not migrated since it was added has not got it yet); asked once
	per request."""
	known = getattr(frappe.local, "kpi_index_names", None)
	if known is None:
		known = frappe.local.kpi_index_names = {}
	if doctype not in known:
		known[doctype] = set(
			# All the table's index names in one information_schema query (cached for the request).
			frappe.db.sql_list(  # nosemgrep: frappe-using-db-sql
				"select distinct index_name from information_schema.statistics"
				" where table_schema = database() and table_name = %s",
				(f"tab{doctype}",),
			)
		)
	return name in known[doctype]
