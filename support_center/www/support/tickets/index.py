"""/support/tickets: the customer's tickets and their company's (support_center/portal/ticket_list.py)."""

from support_center.portal.pages import ticket_list_context

no_cache = 1


def get_context(context):
	ticket_list_context(context)
