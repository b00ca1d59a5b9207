"""What a customer does on the portal: file a request, reply, close, reopen, rate, answer the loyalty
question. The endpoints in support_center/api/portal.py check the request and call these; each function
checks who may act itself, through the same scope as the Ticket permission hooks, and stores nothing
when the input is bad.
"""

import os
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import cint, escape_html, md_to_html, now_datetime
from frappe.utils.file_manager import save_file

from support_center.conversation.values import format_moment, policy_zone
from support_center.intake.core import IntakeError, medium
from support_center.intake.email import closed_at, reopen_within_days
from support_center.intake.email_rules import APPEND, closed_reply_action
from support_center.intake.portal import file_ticket
from support_center.intake.rules import Attachment
from support_center.permissions.customer_input import clean_markup
from support_center.portal import common, rules
from support_center.routing.workflow import workflow_states


class PortalInputError(frappe.ValidationError):
	"""The request was refused as sent; nothing was stored."""


@dataclass(frozen=True)
class Filed:
	ticket: int
	expected_reply: str


# -- input -----------------------------------------------------------------------------------------


def rich_text(value: str | None) -> str:
	"""What the customer typed (Markdown: paragraphs, **bold**, lists, links) as clean HTML."""
	value = (value or "").strip()
	if not value:
		return ""
	return clean_markup(md_to_html(escape_html(value)) or "", linkify=True)


def read_uploads(files: list) -> tuple[Attachment, ...]:
	"""The files of a form post, checked against the settings' limits before anything is stored."""
	max_bytes = common.max_attachment_mb() * 1024 * 1024
	attachments, sizes = [], []
	for upload in files or []:
		name = os.path.basename((upload.filename or "").replace("\\", "/")).strip()
		if not name:
			continue
		content = upload.stream.read(max_bytes + 1)
		attachments.append(Attachment(name[:140], content))
		sizes.append((name, len(content)))
	problems = rules.attachment_errors(sizes, max_bytes, common.max_attachments())
	messages = []
	for problem, detail in problems:
		if problem == "too_many":
			messages.append(_("You can attach at most {0} files.").format(detail))
		elif problem == "too_large":
			messages.append(
				_("{0} is larger than {1} MB.").format(escape_html(detail), common.max_attachment_mb())
			)
		else:
			messages.append(_("{0} is empty.").format(escape_html(detail)))
	if messages:
		raise PortalInputError("\n".join(messages))
	return tuple(attachments)


def require_subject(subject: str | None) -> str:
	subject = " ".join((subject or "").split())
	if not subject:
		raise PortalInputError(_("Please say in a few words what the request is about."))
	if len(subject) > 140:
		raise PortalInputError(_("Please keep the subject under 140 characters."))
	return subject


def require_published_topic(category: str | None) -> str | None:
	if category and not frappe.db.get_value("Support Category", category, "published"):
		raise PortalInputError(_("Choose one of the topics offered."))
	return category or None


# -- filing ----------------------------------------------------------------------------------------


def expected_reply(ticket, language: str | None = None) -> str:
	"""When the desk will answer, as the acknowledgement says it (the SLA's response deadline)."""
	if ticket.status != "Open" or not ticket.response_due:
		return ""
	return format_moment(ticket.response_due, policy_zone(ticket), language or common.visitor_language())


def file_request(subject: str, description: str, category: str | None, files: list) -> Filed:
	"""A logged-in customer's request, under their own contact and customer (intake.portal.file_ticket)."""
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Log in to file a support request."))
	subject = require_subject(subject)
	category = require_published_topic(category)
	attachments = read_uploads(files)
	if not (description or "").strip() and not attachments:
		raise PortalInputError(_("Please describe your request."))
	try:
		result = file_ticket(subject, description or "", category, attachments)
	except IntakeError as error:
		raise PortalInputError(str(error)) from error
	html = rich_text(description)
	if html:
		frappe.db.set_value("Ticket", result.ticket, "description", html, update_modified=False)
	ticket = frappe.get_doc("Ticket", result.ticket)
	return Filed(int(ticket.name), expected_reply(ticket))


# -- acting on a ticket ----------------------------------------------------------------------------


def ticket_for_customer(name: int | str):
	"""The ticket, if the session user is on its customer side; the same refusal whether it exists or not."""
	ticket_name = cint(name)
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Log in to continue."))
	if not ticket_name or not frappe.db.exists("Ticket", ticket_name):
		raise frappe.PermissionError(_("You are not permitted to act on this ticket."))
	ticket = frappe.get_doc("Ticket", ticket_name)
	if not common.is_customer_side(ticket):
		raise frappe.PermissionError(_("You are not permitted to act on this ticket."))
	return ticket


def reply(name: int | str, message: str, files: list) -> str:
	ticket = ticket_for_customer(name)
	if ticket.status == "Closed":
		raise PortalInputError(_("This request is closed. Reopen it or file a new request."))
	attachments = read_uploads(files)
	html = rich_text(message)
	if not html and not attachments:
		raise PortalInputError(_("Please write a message or attach a file."))
	user = frappe.session.user
	email, full_name = frappe.db.get_value("User", user, ["email", "full_name"])
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": medium("Portal"),
			"sent_or_received": "Received",
			"subject": f"Re: {ticket.subject} #{ticket.name}",
			"content": html or escape_html(", ".join(a.filename for a in attachments)),
			"sender": email,
			"sender_full_name": full_name,
			"communication_date": now_datetime(),
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
			"status": "Linked",
		}
	).insert(ignore_permissions=True)
	for attachment in attachments:
		saved = save_file(
			attachment.filename, attachment.content, "Communication", communication.name, is_private=1
		)
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": saved.file_name,
				"file_url": saved.file_url,
				"is_private": 1,
				"attached_to_doctype": "Ticket",
				"attached_to_name": str(ticket.name),
			}
		).insert(ignore_permissions=True)
	return communication.name


def _move(ticket, target: str, note: str) -> None:
	states = workflow_states()
	if states is not None and target not in states:
		raise PortalInputError(_("This request cannot be moved to {0}.").format(_(target)))
	ticket.status = target
	ticket.flags.status_set_by_app = True
	ticket.flags.closed_by_customer = target in rules.DONE_STATUSES
	ticket.save(ignore_permissions=True)
	ticket.flags.status_set_by_app = False
	ticket.add_comment("Info", note)


def close(name: int | str) -> None:
	"""The customer says the request is solved: it is closed, resolved by them."""
	ticket = ticket_for_customer(name)
	if ticket.status in rules.DONE_STATUSES and ticket.status == "Closed":
		raise PortalInputError(_("This request is already closed."))
	_move(ticket, "Closed", _("Closed by the customer on the portal: resolved."))


def may_reopen(ticket) -> bool:
	if ticket.status == "Resolved":
		return True
	if ticket.status != "Closed" or ticket.merged_into:
		return False
	return closed_reply_action(closed_at(ticket.name), now_datetime(), reopen_within_days()) == APPEND


def reopen(name: int | str) -> None:
	ticket = ticket_for_customer(name)
	if ticket.status not in rules.DONE_STATUSES:
		raise PortalInputError(_("This request is still open."))
	if not may_reopen(ticket):
		raise PortalInputError(
			_("This request was closed too long ago to be reopened. Please file a new request.")
		)
	_move(ticket, "Open", _("Reopened by the customer on the portal."))


# -- feedback --------------------------------------------------------------------------------------


def rate(ticket, stars: int | str, comment: str | None = None) -> None:
	"""Store the 1-5 rating once per ticket; a low one notifies the team lead and the assignee."""
	from support_center.portal.feedback import notify_low_rating

	try:
		value = rules.rating_value(stars)
	except ValueError:
		raise PortalInputError(_("Choose from 1 to 5 stars.")) from None
	if ticket.status not in rules.DONE_STATUSES:
		raise PortalInputError(_("You can rate a request once it is resolved."))
	# The row lock makes a double click (or the mail link and the page at once) one rating.
	if frappe.db.get_value("Ticket", ticket.name, "feedback_submitted_on", for_update=True):
		raise PortalInputError(_("Thank you, this request has already been rated."))
	text = rules.clean_comment(comment)
	frappe.db.set_value(
		"Ticket",
		ticket.name,
		{
			"feedback_rating": rules.stars_to_fraction(value),
			"feedback_comment": clean_markup(text) if text else None,
			"feedback_submitted_on": now_datetime(),
		},
		update_modified=False,
	)
	note = _("The customer rated this request {0} of 5.").format(value)
	if text:
		note += " " + escape_html(text)
	ticket.add_comment("Info", note)
	if rules.is_low_rating(value, common.low_rating_threshold()):
		notify_low_rating(ticket, value, text)


def answer_loyalty(ticket, score: int | str) -> None:
	try:
		value = rules.loyalty_value(score)
	except ValueError:
		raise PortalInputError(_("Choose a number from 0 to 10.")) from None
	if ticket.status not in rules.DONE_STATUSES:
		raise PortalInputError(_("You can answer once the request is resolved."))
	if frappe.db.get_value("Ticket", ticket.name, "loyalty_answered_on", for_update=True):
		raise PortalInputError(_("Thank you, we already have your answer."))
	frappe.db.set_value(
		"Ticket",
		ticket.name,
		{"loyalty_score": value, "loyalty_answered_on": now_datetime()},
		update_modified=False,
	)
	ticket.add_comment(
		"Info", _("The customer answered {0} of 10 to how likely they are to recommend us.").format(value)
	)
