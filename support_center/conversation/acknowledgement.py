"""The acknowledgement of a customer's first message: when to expect an answer, in their language.

The intake (support_center/intake) sets ``ticket.flags.acknowledge`` on a ticket made from a genuine first
message of a customer; staff-created tickets and auto-generated mail never get one. The text comes from
Support Center Settings (subject and template, rendered with the sandboxed placeholders plus
``expected_reply``, ``outside_business_hours`` and ``language``); the mail goes through Email Queue with
the ticket as its reference, so the customer's answer to it threads onto the ticket.
"""

import html

import frappe
from frappe import _
from frappe.utils import cint, now_datetime

from support_center.conversation import placeholders
from support_center.conversation.values import customer_language, format_moment, policy_zone, ticket_values
from support_center.settings import store_default
from support_center.sla.calendar import next_business_moment
from support_center.sla.service import rules_for, to_aware

CUSTOMER_CHANNELS = frozenset({"Email", "Portal", "Messenger", "API"})
SETTINGS = "Support Center Settings"

DEFAULT_SUBJECT = (
	"{% if language == 'ru' %}Мы получили ваше обращение #{{ ticket }}: {{ subject }}"
	"{% elif language == 'ja' %}お問い合わせ #{{ ticket }} を受け付けました: {{ subject }}"
	"{% else %}We received your request #{{ ticket }}: {{ subject }}{% endif %}"
)

DEFAULT_TEMPLATE = """{% if language == 'ru' %}<p>Здравствуйте{% if contact_name %}, {{ contact_name }}{% endif %}!</p>
<p>Мы получили ваше обращение #{{ ticket }} «{{ subject }}».{% if expected_reply %} Мы ответим до {{ expected_reply }}.{% endif %}</p>
{% if outside_business_hours %}<p>Сейчас нерабочее время; мы займёмся вашим обращением, как только начнётся рабочий день.</p>{% endif %}
<p>Следить за обращением можно здесь: <a href="{{ portal_link }}">{{ portal_link }}</a></p>
{% elif language == 'ja' %}<p>{% if contact_name %}{{ contact_name }} 様{% endif %}</p>
<p>お問い合わせ #{{ ticket }}「{{ subject }}」を受け付けました。{% if expected_reply %}{{ expected_reply }} までにご返信いたします。{% endif %}</p>
{% if outside_business_hours %}<p>現在は営業時間外です。営業開始後に対応いたします。</p>{% endif %}
<p>お問い合わせの状況はこちらでご確認いただけます: <a href="{{ portal_link }}">{{ portal_link }}</a></p>
{% else %}<p>Hello{% if contact_name %} {{ contact_name }}{% endif %},</p>
<p>We have received your request #{{ ticket }} "{{ subject }}".{% if expected_reply %} We will reply by {{ expected_reply }}.{% endif %}</p>
{% if outside_business_hours %}<p>It is outside our business hours now; we will pick up your request as soon as we are back.</p>{% endif %}
<p>You can follow your request here: <a href="{{ portal_link }}">{{ portal_link }}</a></p>
{% endif %}"""


def ensure_acknowledgement_settings() -> None:
	"""Store the defaults once (a Single's Check reads 0 and its texts empty until stored)."""
	for fieldname, default in (
		("send_acknowledgement", 1),
		("acknowledgement_subject", DEFAULT_SUBJECT),
		("acknowledgement_template", DEFAULT_TEMPLATE),
	):
		store_default(fieldname, default)


def validate_settings(doc, method=None) -> None:
	"""Support Center Settings validate: the acknowledgement templates must render."""
	from support_center.conversation.canned import check_template

	check_template(doc.get("acknowledgement_subject") or "", placeholders.ACKNOWLEDGEMENT)
	check_template(doc.get("acknowledgement_template") or "", placeholders.ACKNOWLEDGEMENT)


def on_ticket_after_insert(doc, method=None) -> None:
	# A background job after the commit: the customer's request does not wait for rendering and queueing
	# the mail, and a ticket that was rolled back is never acknowledged.
	if doc.flags.acknowledge:
		frappe.enqueue(
			"support_center.conversation.acknowledgement.acknowledge",
			queue="short",
			ticket=str(doc.name),
			enqueue_after_commit=True,
			now=frappe.flags.in_test,
		)


def acknowledge(ticket: str) -> bool:
	"""The background job: acknowledge the ticket's first message."""
	if not frappe.db.exists("Ticket", ticket):
		return False
	return send_acknowledgement(frappe.get_doc("Ticket", ticket))


def is_outside_business_hours(ticket, now=None) -> bool:
	rules = rules_for(ticket)
	if not rules or not rules.calendar.has_working_time:
		return False
	moment = to_aware(now or now_datetime())
	return next_business_moment(moment, rules.calendar) != moment


def acknowledgement_values(ticket, now=None) -> dict:
	language = customer_language(ticket)
	values = ticket_values(ticket, language=language)
	values["expected_reply"] = format_moment(ticket.response_due, policy_zone(ticket), language)
	values["outside_business_hours"] = is_outside_business_hours(ticket, now)
	values["language"] = language
	return values


def send_acknowledgement(ticket) -> bool:
	"""Queue the acknowledgement of a customer's first message; False when there is nothing to send."""
	if not ticket.raised_by or ticket.channel not in CUSTOMER_CHANNELS:
		return False
	settings = frappe.get_cached_doc(SETTINGS)
	if not cint(settings.get("send_acknowledgement")):
		return False
	values = acknowledgement_values(ticket)
	try:
		subject = placeholders.render(
			settings.get("acknowledgement_subject") or DEFAULT_SUBJECT, values, placeholders.ACKNOWLEDGEMENT
		)
		message = placeholders.render(
			settings.get("acknowledgement_template") or DEFAULT_TEMPLATE, values, placeholders.ACKNOWLEDGEMENT
		)
	except placeholders.PlaceholderError:
		frappe.log_error(
			title=_("Acknowledgement not sent"), reference_doctype="Ticket", reference_name=ticket.name
		)
		return False
	try:
		queued = frappe.sendmail(
			recipients=[ticket.raised_by],
			subject=html.unescape(frappe.utils.strip_html(subject)).strip(),
			message=message,
			reference_doctype="Ticket",
			reference_name=ticket.name,
			# Tells auto-responders not to answer: RFC 3834's header and Microsoft's.
			email_headers={"X-Auto-Response-Suppress": "All", "Auto-Submitted": "auto-replied"},
		)
		mark_auto_submitted(queued)
	except (frappe.ValidationError, frappe.OutgoingEmailError):
		# No outgoing account or a bad address must never cost the customer their ticket.
		frappe.log_error(
			title=_("Acknowledgement not sent"), reference_doctype="Ticket", reference_name=ticket.name
		)
		return False
	ticket.add_comment("Info", _("Acknowledgement sent to {0}.").format(ticket.raised_by))
	return True


def mark_auto_submitted(queued) -> None:
	"""frappe.sendmail prefixes "X-" to every custom header; RFC 3834 needs the plain Auto-Submitted."""
	for queue in queued if isinstance(queued, list) else [queued] if queued else []:
		message = queue.message or ""
		if "X-Auto-Submitted: auto-replied" in message:
			queue.message = message.replace(
				"X-Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied", 1
			)
			# Not db_set: that would lock and read the queued mail and its recipients once more.
			frappe.db.set_value("Email Queue", queue.name, "message", queue.message, update_modified=False)
