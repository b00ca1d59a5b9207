"""The demo's part for the agent's day (issue 13): a routing rule and a mail it routed, an outage handled as
one incident with its customers' tickets linked, and a missed call waiting for a call back."""

import frappe
from frappe.utils import add_to_date, now_datetime

from support_center import incidents

RULE = "Invoices to the Billing Desk"
INCIDENT = "Order tracking page shows no parcels"


MACRO = "Tracking works again (resolve)"


def add_agents_day_demo(contacts: dict[str, str]) -> None:
	_routing_rules()
	_macro()
	_routed_mail(contacts)
	_incident(contacts)
	_missed_call()


def _routing_rules() -> None:
	if frappe.db.exists("Routing Rule", RULE):
		return
	frappe.get_doc(
		{
			"doctype": "Routing Rule",
			"rule_name": RULE,
			"sequence": 10,
			"description": "Mail, chat and calls about invoices go to the Billing Desk without triage.",
			"patterns": "invoice\ncredit note\nrefund\n/VAT\\s*(number|id)/",
			"category": "Invoices and receipts",
			"tag": "billing",
		}
	).insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "Routing Rule",
			"rule_name": "Calls to First Line Support",
			"sequence": 15,
			"channel": "Phone",
			"team": "First Line Support",
			"priority": "High",
		}
	).insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "Routing Rule",
			"rule_name": "Japanese customers to First Line Support",
			"sequence": 20,
			"customer_language": "ja",
			"team": "First Line Support",
		}
	).insert(ignore_permissions=True)


def _routed_mail(contacts: dict[str, str]) -> None:
	subject = "Invoice INV-2026-117 shows our old VAT number"
	if frappe.db.exists("Ticket", {"subject": subject}):
		return
	email = "o.kuznetsova@volga-logistics.example"
	ticket = frappe.get_doc(
		{
			"doctype": "Ticket",
			"subject": subject,
			"channel": "Email",
			"raised_by": email,
			"contact": contacts.get(email),
			"description": "<p>Hello, the invoice INV-2026-117 still shows our old VAT number. "
			"Could you send a corrected one? Olga</p>",
		}
	)
	ticket.flags.party_from_intake = True
	ticket.insert(ignore_permissions=True)


def _incident(contacts: dict[str, str]) -> None:
	if frappe.db.exists("Ticket", {"subject": INCIDENT}):
		return
	incident = frappe.get_doc(
		{
			"doctype": "Ticket",
			"subject": INCIDENT,
			"channel": "Staff",
			"category": "Where is my order?",
			"priority": "Urgent",
			"description": "<p>Since 08:10 the tracking page answers with an empty list for every order. "
			"The carrier's API returns errors; engineering is on it.</p>",
		}
	).insert(ignore_permissions=True)
	reports = [
		("Tracking shows nothing", "laura.callahan@northwind.example", "Email", None),
		("Where are my parcels? Tracking is empty", "i.smirnov@volga-logistics.example", "Portal", None),
		("Tracking page empty", "y.tanaka@sakura-robotics.example", "API", "demo-chat-sakura-1"),
	]
	linked = []
	for subject, email, channel, conversation in reports:
		ticket = frappe.get_doc(
			{
				"doctype": "Ticket",
				"subject": subject,
				"channel": channel,
				"raised_by": email,
				"contact": contacts.get(email),
				"external_conversation": conversation,
				"category": "Where is my order?",
				"description": f"<p>{frappe.utils.escape_html(subject)}. Since this morning I cannot see any "
				"of our shipments.</p>",
			}
		)
		ticket.flags.party_from_intake = True
		ticket.insert(ignore_permissions=True)
		linked.append(ticket.name)
	incidents.link(incident.name, linked)
	reply = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Sent",
			"subject": f"Re: {INCIDENT}",
			"content": "<p>We know the tracking page shows no parcels since 08:10. Your shipments are on "
			"their way as planned; we will write again as soon as tracking works.</p>",
			"sender": "anna.petrova@demo.support-center.test",
			"reference_doctype": "Ticket",
			"reference_name": incident.name,
			"status": "Linked",
		}
	)
	# The desk fans the reply out in a background job; the demo does it at once, so it shows without a worker.
	reply.flags.from_incident = True
	reply.insert(ignore_permissions=True)
	incidents.fan_out(str(incident.name), reply.name)
	# One customer answers on their own ticket: it shows as a new reply in the list, and its agent is told.
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"subject": "Re: Tracking shows nothing",
			"content": "<p>Thanks. We have a truck waiting for parcel 4471; can you tell us its status by phone?</p>",
			"sender": "laura.callahan@northwind.example",
			"sender_full_name": "Laura Callahan",
			"reference_doctype": "Ticket",
			"reference_name": linked[0],
			"status": "Linked",
		}
	).insert(ignore_permissions=True)


def _missed_call() -> None:
	if frappe.db.exists("Call Log", {"id": "demo-missed-call-1"}):
		return
	started = add_to_date(now_datetime(), minutes=-25)
	frappe.get_doc(
		{
			"doctype": "Call Log",
			"id": "demo-missed-call-1",
			"from": "+7 916 765 43 21",
			"to": "+1 555 0100",
			"type": "Incoming",
			"status": "No Answer",
			"start_time": started,
			"end_time": add_to_date(started, seconds=40),
		}
	).insert(ignore_permissions=True)


def _macro() -> None:
	if frappe.db.exists("Canned Reply", {"title": MACRO}):
		return
	frappe.get_doc(
		{
			"doctype": "Canned Reply",
			"title": MACRO,
			"scope": "Global",
			"response": "<p>Hello {{ contact_name }},</p><p>order tracking works again and shows every parcel. "
			"Thank you for your patience.</p><p>{{ agent_name }}</p>",
			"macro_status": "Resolved",
			"macro_priority": "Medium",
			"macro_tags": "outage",
		}
	).insert(ignore_permissions=True)
