"""Messenger webhooks (guests: the messenger's servers) and the ticket form's messenger actions (staff).

Webhook address: /api/method/support_center.api.channels.webhook?channel=<Support Channel name>. Each
connector checks the request is the messenger's (Telegram's secret token header, WhatsApp's signature and
verify token, VK's secret) and refuses it with 403 otherwise.
"""

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime
from werkzeug.wrappers import Response

from support_center.channels import webhook as webhook_intake
from support_center.intake.limits import limited_by
from support_center.permissions.ticket import STAFF_ROLES

# Per channel name: a busy bot gets far fewer messages a minute than this; a flood is refused with 429.
WEBHOOK_PER_MINUTE = 600


def _channel_named_in_the_address() -> str:
	return frappe.request.args.get("channel") or ""


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@limited_by(_channel_named_in_the_address, WEBHOOK_PER_MINUTE, 60, ip_based=True)
def webhook(**kwargs) -> Response:
	"""The channel is named in the address's query string: a messenger's JSON body replaces Frappe's form
	arguments, so the body's own keys (kwargs) are ignored here; the connector reads the raw body."""
	return webhook_intake.handle(frappe.request.args.get("channel") or "", frappe.request)


def _ensure_staff() -> None:
	if frappe.session.user == "Guest" or STAFF_ROLES.isdisjoint(frappe.get_roles()):
		frappe.throw(_("Only support staff may do this."), frappe.PermissionError)


def _staff_ticket(ticket: int, perm: str = "read"):
	_ensure_staff()
	doc = frappe.get_doc("Ticket", ticket)
	doc.check_permission(perm)
	return doc


@frappe.whitelist(methods=["GET", "POST"])
def channel_state(ticket: int) -> dict:
	"""What the ticket form shows about the messenger: deliveries, WhatsApp's 24-hour window, templates."""
	from support_center.channels.rules import parse_templates, window_open

	doc = _staff_ticket(ticket)
	if not doc.get("support_channel"):
		return {}
	channel = frappe.db.get_value(
		"Support Channel", doc.support_channel, ["name", "channel_type", "whatsapp_templates"], as_dict=True
	)
	state = {
		"channel": channel.name,
		"channel_type": channel.channel_type,
		"deliveries": frappe.get_all(
			"Channel Delivery",
			filters={"ticket": doc.name},
			fields=[
				"name",
				"kind",
				"status",
				"attempts",
				"next_attempt_at",
				"sent_at",
				"last_error",
				"communication",
			],
			order_by="creation desc",
			limit=20,
		),
	}
	if channel.channel_type == "WhatsApp":
		last = frappe.db.get_value(
			"Intake Message",
			{"support_channel": channel.name, "conversation_id": doc.external_conversation},
			"received_at",
			order_by="received_at desc",
		)
		state["window_open"] = window_open(get_datetime(last) if last else None, now_datetime())
		state["last_customer_message"] = last
		state["templates"] = parse_templates(channel.whatsapp_templates)
	return state


@frappe.whitelist(methods=["POST"])
def reply(ticket: int, text: str = "", template: str | None = None) -> dict:
	"""A public reply from the ticket form into the ticket's messenger (a WhatsApp template when given)."""
	from support_center.channels.rules import parse_templates

	doc = _staff_ticket(ticket, "write")
	if not doc.get("support_channel"):
		frappe.throw(_("This ticket did not come from a messenger."))
	text = (text or "").strip()
	if template:
		allowed = {
			f"{item['name']}:{item['language']}"
			for item in parse_templates(
				frappe.db.get_value("Support Channel", doc.support_channel, "whatsapp_templates")
			)
		}
		if template not in allowed:
			frappe.throw(_("{0} is not an approved template of this channel.").format(template))
		text = text or _("Template {0}").format(template)
	if not text:
		frappe.throw(_("Write a reply first."))
	from support_center.intake.core import as_html

	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"sent_or_received": "Sent",
			"subject": doc.subject,
			"content": as_html(text),
			"sender": frappe.session.user,
			"sender_full_name": frappe.utils.get_fullname(frappe.session.user),
			"reference_doctype": "Ticket",
			"reference_name": doc.name,
			"status": "Linked",
		}
	)
	communication.flags.channel_template = template
	# The caller may write the ticket (checked above); Communication's own permissions are for mail users.
	communication.insert(ignore_permissions=True)
	return {"communication": communication.name}


@frappe.whitelist(methods=["POST"])
def retry_delivery(delivery: str) -> str:
	"""Send a Not Delivered reply again (the customer unblocked the bot, the file was made smaller)."""
	from support_center.channels.delivery import retry_now

	_ensure_staff()
	ticket = frappe.db.get_value("Channel Delivery", delivery, "ticket")
	if not ticket:
		frappe.throw(_("No such delivery."), frappe.DoesNotExistError)
	_staff_ticket(ticket, "write")
	if frappe.db.get_value("Channel Delivery", delivery, "status") == "Sent":
		frappe.throw(_("This reply was delivered already."))
	return retry_now(delivery)
