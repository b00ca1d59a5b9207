"""What every portal page shares: the visitor's language and text direction, the settings the pages use,
who the visitor is to a ticket, and the optional scripts other parts of the app ship."""

import os
from contextlib import contextmanager

import frappe
from frappe.utils import cint

from support_center.intake.core import DEFAULT_MAX_ATTACHMENT_MB
from support_center.permissions.ticket import is_support_staff, portal_scope
from support_center.portal import rules
from support_center.portal.languages import portal_language, text_direction, visitor_language
from support_center.settings import is_stored

SETTINGS = "Support Center Settings"
DEFAULT_MAX_ATTACHMENTS = 5
DEFAULT_GUEST_REQUESTS_PER_HOUR = 5


def setting(fieldname: str, default=None):
	"""A Support Center Settings value, or the default while the field is unset (or not migrated yet)."""
	if not frappe.get_meta(SETTINGS).has_field(fieldname):
		return default
	if not is_stored(fieldname):
		return default
	value = frappe.db.get_single_value(SETTINGS, fieldname)
	return default if value in (None, "") else value


def guests_may_file() -> bool:
	return bool(cint(setting("allow_guest_requests", 0)))


def max_attachment_mb() -> int:
	return cint(setting("max_attachment_mb", DEFAULT_MAX_ATTACHMENT_MB)) or DEFAULT_MAX_ATTACHMENT_MB


def max_attachments() -> int:
	return cint(setting("portal_max_attachments", DEFAULT_MAX_ATTACHMENTS)) or DEFAULT_MAX_ATTACHMENTS


def low_rating_threshold() -> int:
	return cint(setting("low_rating_threshold", rules.DEFAULT_LOW_RATING))


def app_asset_exists(relative: str) -> bool:
	"""Whether support_center/public/<relative> exists (scripts other work adds when it lands)."""
	return os.path.exists(frappe.get_app_path("support_center", "public", *relative.split("/")))


def page_context(context, title: str) -> None:
	"""Language, direction and caching that every portal page sets."""
	language = visitor_language()
	context.portal_language = language
	context.portal_dir = text_direction(language)
	context.no_cache = 1
	context.title = title
	context.is_guest = frappe.session.user == "Guest"
	context.portal_css = "/assets/support_center/css/portal.css"
	context.portal_js = "/assets/support_center/js/portal.js"


def is_customer_side(ticket, user: str | None = None) -> bool:
	"""The ticket's customer side (its contact's user, the customer's portal users): those who act on it."""
	user = user or frappe.session.user
	if user == "Guest":
		return False
	return portal_scope(user).covers(ticket.contact, ticket.customer)


def may_view(ticket, user: str | None = None) -> bool:
	"""The page's check, the same as the Ticket's website permission hook: staff and the customer side."""
	user = user or frappe.session.user
	if user == "Guest":
		return False
	return is_support_staff(user) or is_customer_side(ticket, user)


@contextmanager
def language_of(code: str | None):
	"""Render mail in a customer's language, whatever the request's language is."""
	previous = getattr(frappe.local, "lang", None)
	frappe.local.lang = portal_language(code)
	try:
		yield frappe.local.lang
	finally:
		frappe.local.lang = previous


def text_of_language(code: str | None) -> tuple[str, str]:
	language = portal_language(code)
	return language, text_direction(language)
