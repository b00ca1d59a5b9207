"""Satisfaction after resolution: the resolution mail with its signed links, the links' checks, and the
low-rating alert.

A link carries the ticket number and an HMAC (site secret) of what it may do there (rate, or answer the
loyalty question): it works without logging in, for that ticket only, and only until the ticket has the
answer (``feedback_submitted_on``, ``loyalty_answered_on``), so each is given once per ticket. Opening a
link never stores anything (mail scanners open links): it shows the question with the chosen answer
ticked, and the customer sends it.
"""

import html
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.desk.doctype.notification_settings.notification_settings import is_email_notifications_enabled
from frappe.utils import cint, escape_html, get_url
from frappe.utils.password import get_encryption_key

from support_center.conversation.acknowledgement import mark_auto_submitted
from support_center.conversation.values import contact_name, customer_language
from support_center.portal import common, rules
from support_center.portal.languages import portal_language, text_direction

RESOLUTION_TEMPLATE = "support_center/templates/emails/ticket_resolved.html"


def _secret() -> str:
	return get_encryption_key()


def link_signature(ticket: int | str, purpose: str) -> str:
	return rules.sign(_secret(), purpose, str(cint(ticket)))


def feedback_link(
	ticket: int | str, purpose: str, score: int | None = None, language: str | None = None
) -> str:
	params = {"ticket": cint(ticket), "kind": purpose, "sig": link_signature(ticket, purpose)}
	if score is not None:
		params["score"] = score
	if language:
		# The page opens in the mail's language, whoever's browser opens it.
		params["_lang"] = language
	return get_url(f"/support/feedback?{urlencode(params)}")


def ticket_for_link(ticket: int | str, purpose: str, signature: str | None):
	"""The ticket a signed link is for; PermissionError for a wrong, foreign or forged link."""
	name = cint(ticket)
	if (
		purpose not in rules.LINK_PURPOSES
		or not name
		or not rules.signature_matches(_secret(), purpose, str(name), signature)
		or not frappe.db.exists("Ticket", name)
	):
		raise frappe.PermissionError(_("This link is not valid."))
	return frappe.get_doc("Ticket", name)


# -- the resolution mail ---------------------------------------------------------------------------


def on_ticket_update(doc, method=None) -> None:
	"""Ticket on_update: mail the customer once the desk resolves (or closes) their request."""
	before = doc.get_doc_before_save()
	if not before or before.status in rules.DONE_STATUSES or doc.status not in rules.DONE_STATUSES:
		return
	# The customer closed it on the portal, where the questions are in front of them; a merged ticket
	# lives on in the one it was merged into.
	if doc.flags.closed_by_customer or doc.merged_into or not doc.raised_by:
		return
	send_resolution_mail(doc)


def resolution_values(ticket) -> dict:
	language = portal_language(customer_language(ticket))
	return {
		"language": language,
		"direction": text_direction(language),
		"ticket": cint(ticket.name),
		"subject": ticket.subject or "",
		"contact_name": contact_name(ticket),
		"ticket_link": get_url(f"/support/tickets/{ticket.name}"),
		"rating_links": [
			(stars, feedback_link(ticket.name, rules.RATING, stars, language))
			for stars in range(rules.RATING_MIN, rules.RATING_MAX + 1)
		],
		"loyalty_links": [
			(score, feedback_link(ticket.name, rules.LOYALTY, score, language))
			for score in range(rules.LOYALTY_MIN, rules.LOYALTY_MAX + 1)
		],
		"rated": bool(ticket.get("feedback_submitted_on")),
		"loyalty_answered": bool(ticket.get("loyalty_answered_on")),
	}


def render_resolution_mail(ticket) -> tuple[str, str]:
	values = resolution_values(ticket)
	with common.language_of(values["language"]):
		subject = _("Your request #{0} has been resolved: {1}").format(values["ticket"], values["subject"])
		message = frappe.render_template(RESOLUTION_TEMPLATE, {"v": values})
	return subject, message


def send_resolution_mail(ticket) -> bool:
	subject, message = render_resolution_mail(ticket)
	try:
		queued = frappe.sendmail(
			recipients=[ticket.raised_by],
			subject=html.unescape(subject),
			message=message,
			reference_doctype="Ticket",
			reference_name=ticket.name,
			email_headers={"X-Auto-Response-Suppress": "All", "Auto-Submitted": "auto-generated"},
		)
		mark_auto_submitted(queued)
	except (frappe.ValidationError, frappe.OutgoingEmailError):
		frappe.log_error(
			title=_("Resolution mail not sent"), reference_doctype="Ticket", reference_name=ticket.name
		)
		return False
	return True


# -- the low-rating alert --------------------------------------------------------------------------


def low_rating_recipients(ticket) -> list[str]:
	"""The category's responsible (the team lead) and whoever was assigned the ticket."""
	recipients = set(
		frappe.get_all(
			"ToDo",
			filters={
				"reference_type": "Ticket",
				"reference_name": str(ticket.name),
				"status": ("!=", "Cancelled"),
			},
			pluck="allocated_to",
		)
	)
	if ticket.category:
		responsible = frappe.db.get_value("Support Category", ticket.category, "responsible")
		if responsible:
			recipients.add(responsible)
	recipients.discard("Guest")
	return sorted(user for user in recipients if user and frappe.db.get_value("User", user, "enabled"))


def notify_low_rating(ticket, stars: int, comment: str) -> list[str]:
	"""A Notification Log (the desk's bell) for each recipient, and a mail unless they switched email
	notifications off in their Notification Settings. Frappe never mails an "Alert" log itself."""
	users = low_rating_recipients(ticket)
	for user in users:
		with common.language_of(frappe.db.get_value("User", user, "language")):
			subject = _("Ticket {0} was rated {1} of 5: {2}").format(
				ticket.name, stars, escape_html(ticket.subject or "")
			)
			content = escape_html(comment) if comment else _("No comment given.")
			link = _("Open the ticket")
		make_notification_logs(
			{
				"type": "Alert",
				"document_type": "Ticket",
				"document_name": str(ticket.name),
				"subject": subject,
				"email_content": content,
				"from_user": "Administrator",
			},
			[user],
		)
		if is_email_notifications_enabled(user):
			try:
				frappe.sendmail(
					recipients=[frappe.db.get_value("User", user, "email") or user],
					subject=html.unescape(frappe.utils.strip_html(subject)),
					message=f"<p>{subject}</p><blockquote>{content}</blockquote>"
					f'<p><a href="{get_url(f"/app/ticket/{ticket.name}")}">{link}</a></p>',
					reference_doctype="Ticket",
					reference_name=ticket.name,
					email_headers={"Auto-Submitted": "auto-generated"},
				)
			except (frappe.ValidationError, frappe.OutgoingEmailError):
				frappe.log_error(
					title=_("Low rating alert not mailed"),
					reference_doctype="Ticket",
					reference_name=ticket.name,
				)
	return users
