"""Rate limits on the ways in: Frappe's ``rate_limit``, counted per logged-in user.

Per user rather than per IP: both ways in need a login, one office behind a NAT is many customers, and
one bot host may serve several integrations. Over the limit Frappe raises ``RateLimitExceededError``,
which the request handler answers with HTTP 429.
"""

from collections.abc import Callable
from functools import wraps

import frappe
from frappe.rate_limiter import rate_limit
from frappe.utils import cint

SETTINGS = "Support Center Settings"
# The form_dict key Frappe's limiter reads its identity from; set from the session, never from the client.
USER_KEY = "_support_center_rate_limit_user"

WEBHOOK_PER_MINUTE = 300
PORTAL_PER_HOUR = 20


def limited_by(
	identity: Callable[[], str], limit: int | Callable[[], int], seconds: int, ip_based: bool = False
) -> Callable:
	"""Frappe's rate_limit, counted per an identity the server derives (a user, a channel), never one the
	client sends: the value is written into the form_dict key the limiter reads just before it reads it."""

	def decorator(fn: Callable) -> Callable:
		limited = rate_limit(key=USER_KEY, limit=limit, seconds=seconds, ip_based=ip_based)(fn)

		@wraps(fn)
		def wrapper(*args, **kwargs):
			frappe.form_dict[USER_KEY] = identity()
			return limited(*args, **kwargs)

		return wrapper

	return decorator


def per_user(limit: int | Callable[[], int], seconds: int) -> Callable:
	"""At most ``limit`` calls per logged-in user and window."""
	return limited_by(lambda: frappe.session.user, limit, seconds)


def from_settings(limit_field: str, default: int) -> Callable[[], int]:
	"""A limit a manager sets in Support Center Settings (``default`` when unset)."""

	def limit() -> int:
		return cint(frappe.db.get_single_value(SETTINGS, limit_field)) or default

	return limit


webhook_limit = per_user(from_settings("webhook_messages_per_minute", WEBHOOK_PER_MINUTE), 60)
portal_limit = per_user(from_settings("portal_requests_per_hour", PORTAL_PER_HOUR), 60 * 60)
