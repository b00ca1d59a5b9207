"""The customer portal's form posts (/support, /support/new, /support/tickets/<n>, /support/feedback).

Each is POST only, CSRF-checked by Frappe (logged-in sessions carry a token; the pages send it), rate
limited, typed, and checks who may act through the same scope as the Ticket permission hooks
(support_center/portal/actions.py). Bad input gets a clear error and stores nothing: everything is
checked before the first write, and a failure after it rolls the request back.
"""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from support_center.intake.limits import per_user
from support_center.portal import actions, common, guest
from support_center.portal.feedback import ticket_for_link
from support_center.portal.rules import LOYALTY, RATING


def _guest_requests_per_hour() -> int:
	return int(common.setting("guest_requests_per_hour", common.DEFAULT_GUEST_REQUESTS_PER_HOUR) or 1)


def _uploads() -> list:
	request = getattr(frappe, "request", None)
	if not request or not getattr(request, "files", None):
		return []
	return request.files.getlist("attachments")


def _ticket_url(ticket: int) -> str:
	return f"/support/tickets/{ticket}"


@frappe.whitelist(methods=["POST"])
@per_user(limit=60, seconds=60 * 60)
def file_request(subject: str, description: str = "", category: str | None = None) -> dict:
	"""A logged-in customer files a request (with the form's attachments)."""
	filed = actions.file_request(subject, description, category, _uploads())
	return {"ticket": filed.ticket, "expected_reply": filed.expected_reply, "url": _ticket_url(filed.ticket)}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=_guest_requests_per_hour, seconds=60 * 60)
@rate_limit(key="email", limit=3, seconds=60 * 60, ip_based=False)
def file_guest_request(
	full_name: str, email: str, subject: str, description: str = "", category: str | None = None
) -> dict:
	"""A visitor without an account (when the settings allow it): kept until the address is confirmed."""
	if frappe.session.user != "Guest":
		frappe.throw(_("You are logged in: file the request as yourself."), frappe.PermissionError)
	guest.submit(full_name, email, subject, description, category, _uploads())
	return {
		"message": _(
			"Almost done: we sent a link to {0}. Open it to confirm your address, and your request goes to our team."
		).format(frappe.utils.escape_html(email.strip()))
	}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=60 * 60)
def confirm_guest_request(request: str, sig: str) -> dict:
	filed = guest.confirm(request, sig)
	message = _("Thank you. Your request #{0} has reached us.").format(filed.ticket)
	if filed.expected_reply:
		message += " " + _("We will answer by {0}.").format(filed.expected_reply)
	return {"ticket": filed.ticket, "expected_reply": filed.expected_reply, "message": message}


@frappe.whitelist(methods=["POST"])
@per_user(limit=120, seconds=60 * 60)
def reply(ticket: int, message: str = "") -> dict:
	communication = actions.reply(ticket, message, _uploads())
	return {"communication": communication, "url": _ticket_url(ticket)}


@frappe.whitelist(methods=["POST"])
@per_user(limit=30, seconds=60 * 60)
def close(ticket: int) -> dict:
	actions.close(ticket)
	return {"url": _ticket_url(ticket)}


@frappe.whitelist(methods=["POST"])
@per_user(limit=30, seconds=60 * 60)
def reopen(ticket: int) -> dict:
	actions.reopen(ticket)
	return {"url": _ticket_url(ticket)}


@frappe.whitelist(methods=["POST"])
@per_user(limit=30, seconds=60 * 60)
def rate(ticket: int, rating: int, comment: str = "") -> dict:
	actions.rate(actions.ticket_for_customer(ticket), rating, comment)
	return {"message": _("Thank you for your feedback.")}


@frappe.whitelist(methods=["POST"])
@per_user(limit=30, seconds=60 * 60)
def answer_loyalty(ticket: int, score: int) -> dict:
	actions.answer_loyalty(actions.ticket_for_customer(ticket), score)
	return {"message": _("Thank you for your answer.")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=60 * 60)
def rate_by_link(ticket: int, sig: str, rating: int, comment: str = "") -> dict:
	"""The resolution mail's rating link: no login, this ticket only, once."""
	actions.rate(ticket_for_link(ticket, RATING, sig), rating, comment)
	return {"message": _("Thank you for your feedback.")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=30, seconds=60 * 60)
def answer_loyalty_by_link(ticket: int, sig: str, score: int) -> dict:
	"""The resolution mail's loyalty link: no login, this ticket only, once."""
	actions.answer_loyalty(ticket_for_link(ticket, LOYALTY, sig), score)
	return {"message": _("Thank you for your answer.")}
