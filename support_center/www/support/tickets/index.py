import frappe
from frappe import _

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to see your support tickets."), frappe.PermissionError)

	# get_list applies the Ticket permission hooks: a customer's user gets their own tickets only.
	context.tickets = frappe.get_list(
		"Ticket",
		fields=["name", "subject", "status", "category", "customer_name", "modified"],
		order_by="modified desc",
		limit_page_length=200,
	)
	context.title = _("Support Tickets")
	context.show_sidebar = True
	context.no_breadcrumbs = True
