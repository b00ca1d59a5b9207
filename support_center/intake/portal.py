"""The portal's new-request form (/support/new, support_center/portal/actions.py) files its tickets here."""

import frappe
from frappe import _

from support_center.intake.core import IntakeResult, receive
from support_center.intake.limits import portal_limit
from support_center.intake.rules import PORTAL, Attachment, IncomingMessage


@portal_limit
def file_ticket(
	subject: str, description: str, category: str | None = None, attachments: tuple[Attachment, ...] = ()
) -> IntakeResult:
	"""A logged-in customer's request: it becomes a ticket of theirs, on the portal channel."""
	user = frappe.session.user
	if user == "Guest":
		frappe.throw(_("Log in to file a support request."), frappe.PermissionError)
	if not (subject or "").strip():
		frappe.throw(_("Please say in a few words what the request is about."))
	if category and not frappe.db.get_value("Support Category", category, "published"):
		frappe.throw(_("Choose one of the topics offered."))
	email, full_name = frappe.db.get_value("User", user, ["email", "full_name"])
	result = receive(
		IncomingMessage(
			channel="Portal",
			subject=subject.strip(),
			text=description or "",
			sender_email=email,
			sender_name=full_name,
			attachments=attachments,
			# The address of the logged-in user's account: theirs, unlike one typed into a form.
			source=PORTAL,
		),
		durable=True,
	)
	if category and result.created:
		ticket = frappe.get_doc("Ticket", result.ticket)
		ticket.category = category
		# Saved, not set: the team, the responsible person and the SLA policy follow the chosen topic.
		ticket.save(ignore_permissions=True)
	return result
