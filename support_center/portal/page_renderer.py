"""Support Center's own portal pages (www/support, www/kb), found without Frappe's web-form lookup.

Frappe asks its renderers in turn, and for any page that is not a static file it first asks whether a
published Web Form has the path (``get_published_web_forms``). That answer is cached in Redis and read in two
steps, "does the key exist" and then "get it"; every password login clears the routing cache, so a login
that lands between the two steps of another request's lookup makes it return None, and that request fails
with a 500 (Frappe 15.74, ``frappe/utils/caching.py`` ``redis_cache``; the load test met it a few times in a
thousand page views while customers logged in). The ``page_renderer`` hook's classes are asked before
Frappe's: this one renders the app's own pages as Frappe's TemplatePage would, without that lookup. A page of
another app, or of this app shadowed by an app installed after it, is left to Frappe.
"""

from frappe.website.page_renderers.template_page import TemplatePage

APP = "support_center"


class SupportCenterPage(TemplatePage):
	def can_render(self):
		return getattr(self, "app", None) == APP and bool(super().can_render())
