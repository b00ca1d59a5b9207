"""/support/tickets/<n>: one ticket's public conversation and what the customer can do with it."""

from support_center.portal.pages import ticket_context

no_cache = 1


def get_context(context):
	ticket_context(context)
