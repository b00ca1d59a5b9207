"""/support/new: file a request (logged-in customers; guests only when the settings allow it)."""

from support_center.portal.pages import new_request_context

no_cache = 1


def get_context(context):
	new_request_context(context)
