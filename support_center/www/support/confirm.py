"""/support/confirm: a guest confirms the address their request came from (the link in our mail).

Opening the link stores nothing (mail scanners open links); the visitor presses Confirm."""

from support_center.portal.pages import confirm_context

no_cache = 1


def get_context(context):
	confirm_context(context)
