"""/support: the portal's front door. Replaces ERPNext's own www/support page (apps later in the installed
list win a route; support_center is installed after ERPNext)."""

from support_center.portal.pages import home_context

no_cache = 1


def get_context(context):
	home_context(context)
