"""Requests from visitors without an account (Support Center Settings: Allow Requests from Guests, off by
default).

A guest gives their name and email with the request. Nothing becomes a ticket until they open the link
mailed to that address and confirm: the request waits as a Support Guest Request (its files attached,
private), and an address the visitor cannot read never gets a ticket, so nobody files as someone else.
Confirmed, it goes through the intake like every message, with the address as verified (source
"Confirmed Email"); unconfirmed ones are deleted when they expire.
"""

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, escape_html, get_url, now_datetime, validate_email_address
from frappe.utils.file_manager import save_file
from frappe.utils.password import get_encryption_key

from support_center.intake.core import IntakeError, receive
from support_center.intake.rules import CONFIRMED_EMAIL, Attachment, IncomingMessage
from support_center.portal import common, rules
from support_center.portal.actions import (
	Filed,
	PortalInputError,
	expected_reply,
	read_uploads,
	require_published_topic,
	require_subject,
	rich_text,
)
from support_center.portal.languages import text_direction, visitor_language

DOCTYPE = "Support Guest Request"
VALID_HOURS = 48
CONFIRMATION_TEMPLATE = "support_center/templates/emails/guest_confirmation.html"


def signature(request: str) -> str:
	return rules.sign(get_encryption_key(), rules.GUEST_CONFIRMATION, request)


def confirmation_link(request: str, language: str | None = None) -> str:
	"""The link in the confirmation mail; the page opens in the language the request was written in."""
	suffix = f"&_lang={language}" if language else ""
	return get_url(f"/support/confirm?request={request}&sig={signature(request)}{suffix}")


def submit(
	full_name: str, email: str, subject: str, description: str, category: str | None, files: list
) -> str:
	"""Keep a guest's request until its address is confirmed; mail the link. Returns the request's name."""
	if not common.guests_may_file():
		raise frappe.PermissionError(_("Please log in to file a support request."))
	full_name = " ".join((full_name or "").split())[:140]
	if not full_name:
		raise PortalInputError(_("Please tell us your name."))
	address = (email or "").strip()
	if not address or not validate_email_address(address):
		raise PortalInputError(_("Please enter a valid email address."))
	subject = require_subject(subject)
	category = require_published_topic(category)
	attachments = read_uploads(files)
	if not (description or "").strip() and not attachments:
		raise PortalInputError(_("Please describe your request."))
	request = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"status": "Awaiting Confirmation",
			"full_name": full_name,
			"email": address,
			"language": visitor_language(),
			"expires_on": add_to_date(now_datetime(), hours=VALID_HOURS),
			"request_ip": getattr(frappe.local, "request_ip", None),
			"category": category,
			"subject": subject,
			"description": description or "",
		}
	).insert(ignore_permissions=True)
	for attachment in attachments:
		save_file(attachment.filename, attachment.content, DOCTYPE, request.name, is_private=1)
	send_confirmation(request)
	return request.name


def send_confirmation(request) -> None:
	language = request.language or visitor_language()
	with common.language_of(language):
		subject = _("Please confirm your support request: {0}").format(request.subject)
		message = frappe.render_template(
			CONFIRMATION_TEMPLATE,
			{
				"v": frappe._dict(
					language=language,
					direction=text_direction(language),
					name=request.full_name,
					subject=request.subject,
					link=confirmation_link(request.name, language),
					hours=VALID_HOURS,
				)
			},
		)
	try:
		frappe.sendmail(
			recipients=[request.email],
			subject=subject,
			message=message,
			email_headers={"X-Auto-Response-Suppress": "All"},
		)
	except frappe.OutgoingEmailError as error:
		# Without the mail the request could never be confirmed: refuse it now (the request rolls back).
		frappe.log_error(title="Guest request confirmation not sent")
		raise PortalInputError(_("We cannot send email right now. Please try again later.")) from error


def pending_request(name: str | None, sig: str | None):
	"""The request a confirmation link is for; PermissionError for a forged or expired link."""
	name = (name or "").strip()
	if (
		not name
		or len(name) > 40
		or not rules.signature_matches(get_encryption_key(), rules.GUEST_CONFIRMATION, name, sig)
		or not frappe.db.exists(DOCTYPE, name)
	):
		raise frappe.PermissionError(_("This link is not valid."))
	request = frappe.get_doc(DOCTYPE, name)
	if (
		request.status == "Awaiting Confirmation"
		and request.expires_on
		and request.expires_on < now_datetime()
	):
		raise frappe.PermissionError(_("This link has expired. Please send your request again."))
	return request


def confirm(name: str, sig: str) -> Filed:
	"""The guest opened the link and confirmed: the request becomes a ticket (once)."""
	frappe.db.get_value(DOCTYPE, name, "name", for_update=True)
	request = pending_request(name, sig)
	if request.status == "Confirmed" and request.ticket:
		ticket = frappe.get_doc("Ticket", request.ticket)
		return Filed(cint(ticket.name), expected_reply(ticket, request.language))
	files = frappe.get_all(
		"File", filters={"attached_to_doctype": DOCTYPE, "attached_to_name": request.name}, pluck="name"
	)
	attachments = tuple(
		Attachment(doc.file_name, doc.get_content()) for doc in (frappe.get_doc("File", f) for f in files)
	)
	try:
		result = receive(
			IncomingMessage(
				channel="Portal",
				subject=request.subject,
				text=request.description or "",
				sender_email=request.email,
				sender_name=request.full_name,
				attachments=attachments,
				message_id=f"guest:{request.name}",
				source=CONFIRMED_EMAIL,
				language=request.language,
			)
		)
	except IntakeError as error:
		raise PortalInputError(str(error)) from error
	values = {}
	if request.category and frappe.db.get_value("Support Category", request.category, "published"):
		values["category"] = request.category
	html = rich_text(request.description)
	if html:
		values["description"] = html
	if values and result.created:
		ticket = frappe.get_doc("Ticket", result.ticket)
		ticket.update(values)
		ticket.flags.party_from_intake = True
		ticket.save(ignore_permissions=True)
	request.db_set({"status": "Confirmed", "ticket": result.ticket})
	for f in files:
		frappe.delete_doc("File", f, ignore_permissions=True, force=True)
	ticket = frappe.get_doc("Ticket", result.ticket)
	return Filed(cint(ticket.name), expected_reply(ticket, request.language))


def delete_expired() -> int:
	"""Daily: unconfirmed requests past their link's lifetime go, with their files."""
	names = frappe.get_all(
		DOCTYPE,
		filters={"status": "Awaiting Confirmation", "expires_on": ("<", now_datetime())},
		pluck="name",
		limit=5000,
	)
	for name in names:
		frappe.delete_doc(DOCTYPE, name, ignore_permissions=True, force=True, delete_permanently=True)
	return len(names)


def describe(request) -> str:
	return escape_html(request.subject or "")
