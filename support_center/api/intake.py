"""The endpoint for bots, messengers and other systems. See README.md, "Messengers and webhooks"."""

import frappe
from frappe import _
from frappe.utils import cint

from support_center.intake.core import (
	QUEUED,
	IntakeResult,
	accept,
	decode_attachments,
	process,
	receive,
	received_at,
)
from support_center.intake.limits import webhook_limit
from support_center.intake.rules import TRUSTED_WEBHOOK, WEBHOOK, IncomingMessage

INTEGRATION_ROLE = "Support Integration"
# Given to an integration whose channel verifies its users' email and phone (a signed-in chat widget,
# a messenger that verifies numbers): only then do they find existing customers and get mail.
TRUSTED_INTEGRATION_ROLE = "Support Trusted Integration"


def _ensure_integration() -> None:
	roles = frappe.get_roles()
	if frappe.session.user == "Guest" or not ({INTEGRATION_ROLE, "System Manager"} & set(roles)):
		frappe.throw(
			_("Only an integration user (role {0}) may post messages.").format(INTEGRATION_ROLE),
			frappe.PermissionError,
		)


@frappe.whitelist(methods=["POST"])
@webhook_limit
def receive_message(
	channel: str,
	conversation_id: str,
	text: str = "",
	message_id: str | None = None,
	sender_name: str | None = None,
	sender_email: str | None = None,
	sender_phone: str | None = None,
	subject: str | None = None,
	sent_at: str | None = None,
	attachments: list | str | None = None,
	wait: bool = False,
) -> dict:
	"""Take one message of an external conversation: the same conversation keeps one open ticket, the same
	message id twice is one message. The sender's email and phone are claims unless the integration is
	trusted (see ``rules.verified_identity``).

	The answer comes as soon as the message is stored (status Queued); a background job makes or finds its
	ticket, and ``message_status`` tells which. ``wait``: deliver it in this request and answer with the
	ticket (slower: routing, assignment, SLA and the acknowledgement run before the answer)."""
	_ensure_integration()
	trusted = TRUSTED_INTEGRATION_ROLE in frappe.get_roles()
	if not (conversation_id or "").strip():
		frappe.throw(_("conversation_id is required."))
	if isinstance(attachments, str):
		try:
			attachments = frappe.parse_json(attachments) if attachments.strip() else []
		except ValueError:
			attachments = None
			frappe.throw(_("attachments must be a JSON list of files."))
	if attachments is not None and not isinstance(attachments, list):
		frappe.throw(_("attachments must be a JSON list of files."))
	message = IncomingMessage(
		channel=channel,
		text=text or "",
		subject=subject,
		sender_name=sender_name,
		sender_email=(sender_email or "").strip() or None,
		sender_phone=sender_phone,
		message_id=message_id,
		conversation_id=conversation_id.strip(),
		attachments=decode_attachments(attachments),
		received_at=received_at(sent_at),
		source=TRUSTED_WEBHOOK if trusted else WEBHOOK,
	)
	return answer(receive(message, durable=True) if wait else accept(message))


def answer(result: IntakeResult) -> dict:
	return {
		"ticket": result.ticket,
		"intake_message": result.intake_message,
		"created": result.created,
		"duplicate": result.duplicate,
		"status": QUEUED if result.queued else "Processed",
	}


@frappe.whitelist(methods=["GET", "POST"])
def message_status(intake_message: str) -> dict:
	"""What became of a message this integration posted: Queued, Processed (with its ticket) or Failed (a
	manager sees the reason and can retry it; the integration is not shown the server's error)."""
	_ensure_integration()
	state = frappe.db.get_value("Intake Message", intake_message, ["owner", "status", "ticket"], as_dict=True)
	if not state or (
		state.owner != frappe.session.user
		and not frappe.has_permission("Intake Message", "read", doc=intake_message)
	):
		# Another integration's message is answered as one that does not exist.
		frappe.throw(_("No such message."), frappe.DoesNotExistError)
	return {"intake_message": intake_message, "status": state.status, "ticket": cint(state.ticket) or None}


@frappe.whitelist(methods=["POST"])
def retry(intake_message: str) -> dict:
	"""Deliver a failed message again, once its cause is fixed."""
	frappe.has_permission("Intake Message", "write", doc=intake_message, throw=True)
	channel, status = frappe.db.get_value("Intake Message", intake_message, ["channel", "status"])
	if status == "Processed":
		frappe.throw(_("This message was delivered already."))
	if channel == "Email":
		# A mail is taken in again through its Email Account, from the raw message kept with it.
		from support_center.intake.email import retry as retry_mail

		return retry_mail(intake_message)
	result = process(intake_message)
	return {"ticket": result.ticket, "created": result.created}
