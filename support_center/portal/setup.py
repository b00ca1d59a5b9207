"""What the portal sets up on a site: a "Support" link in the website's navbar, and the portal settings'
defaults. Called from install.ensure_masters (install and every migrate) and after_uninstall."""

import frappe

from support_center.portal.common import DEFAULT_GUEST_REQUESTS_PER_HOUR, DEFAULT_MAX_ATTACHMENTS
from support_center.portal.rules import DEFAULT_LOW_RATING
from support_center.settings import SETTINGS, store_default

ROUTE = "/support"
# Set once the link was added, so a manager who removes it from Website Settings keeps it removed.
ADDED_FLAG = "support_center_navbar_link_added"


def ensure_navbar_link() -> None:
	if frappe.db.get_default(ADDED_FLAG):
		return
	settings = frappe.get_single("Website Settings")
	if not any((item.url or "").rstrip("/") == ROUTE for item in settings.top_bar_items):
		settings.append("top_bar_items", {"label": "Support", "url": ROUTE})
		settings.flags.ignore_permissions = True
		settings.save()
	frappe.db.set_default(ADDED_FLAG, "1")


def remove_navbar_link() -> None:
	settings = frappe.get_single("Website Settings")
	kept = [item for item in settings.top_bar_items if (item.url or "").rstrip("/") != ROUTE]
	if len(kept) != len(settings.top_bar_items):
		settings.top_bar_items = kept
		settings.flags.ignore_permissions = True
		settings.save()
	frappe.db.set_default(ADDED_FLAG, None)


def ensure_portal_settings() -> None:
	"""Int and Check fields of a Single read as 0 until stored: store the defaults once."""
	if not frappe.get_meta(SETTINGS).has_field("allow_guest_requests"):
		return
	for fieldname, default in (
		("allow_guest_requests", 0),
		("guest_requests_per_hour", DEFAULT_GUEST_REQUESTS_PER_HOUR),
		("portal_max_attachments", DEFAULT_MAX_ATTACHMENTS),
		("low_rating_threshold", DEFAULT_LOW_RATING),
	):
		store_default(fieldname, default)


def ensure_portal() -> None:
	ensure_portal_settings()
	ensure_navbar_link()
