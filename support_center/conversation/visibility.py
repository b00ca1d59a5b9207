"""Who sees which of a ticket's messages: the customer their own conversation, staff everything.

A Communication on a ticket reaches the customer only when it is a message (type "Communication") that is
not marked internal (``support_internal``, a Custom Field on Communication). ``mark_internal``
(Communication before_insert) marks

* a message sent from the desk none of whose recipients is the ticket's party (its sender, its contact's
  addresses, the addresses of its customer's contacts and portal users): a question to a supplier;
* a received mail that answers an internal one (``in_reply_to``, which the ticket mailbox also finds
  through References): the supplier's answer, or an auto-reply to the question.

Consult threads become internal notes instead (``consult.intercept_reply``: type "Comment"), and other
automated messages (bounces, out-of-office replies to our mail) are for staff as well.

The rule is decided here and applied on every path a customer reads from: the portal page
(``customer_filters``), the form loader (``notes.strip_docinfo`` and ``get_communications`` below), REST and
reports (``communication_query_conditions``, ``communication_has_permission``), the messenger relay
(``intake.outgoing``) and mail (the ticket mailbox copies an internal mail to staff only and does not put its
files on the ticket). The SLA clock and the status moves ignore internal mail too: a question to a supplier
is no answer to the customer, and the supplier's reply is no message from them.
"""

import frappe
from frappe.desk.form.load import get_communications as frappe_get_communications
from frappe.utils import cint

from support_center.conversation.visibility_rules import addresses, sent_is_internal
from support_center.permissions.ticket import is_support_staff

FIELD = "support_internal"
MESSAGE = "Communication"
# Consults and their thread (support_center.conversation.consult) are Communications of this type.
CONSULT = "Comment"


def ensure_internal_field() -> None:
	from frappe.custom.doctype.custom_field.custom_field import create_custom_field

	if frappe.db.exists("Custom Field", {"dt": "Communication", "fieldname": FIELD}):
		return
	create_custom_field(
		"Communication",
		{
			"fieldname": FIELD,
			"label": "Internal (Staff Only)",
			"fieldtype": "Check",
			"read_only": 1,
			"insert_after": "communication_type",
			"description": "Mail with a third party about a ticket, and its replies: never shown to the customer.",
		},
	)


def is_internal(doc) -> bool:
	"""Staff-only by the app's rules: a consult's thread, or mail with a third party and its thread."""
	return doc.get("communication_type") == CONSULT or bool(cint(doc.get(FIELD)))


def is_customer_visible(doc) -> bool:
	return doc.get("communication_type") == MESSAGE and not cint(doc.get(FIELD))


def customer_filters() -> dict:
	"""``frappe.get_all`` filters for the Communications of a ticket that its customer sees."""
	return {"communication_type": MESSAGE, FIELD: 0}


def customer_visible_names(names: list[str]) -> set[str]:
	if not names:
		return set()
	return set(
		frappe.get_all("Communication", filters={"name": ("in", names), **customer_filters()}, pluck="name")
	)


def party_addresses(ticket: str | int) -> set[str]:
	"""The ticket's own people: its sender, its contact, its customer's contacts and portal users."""
	row = frappe.db.get_value("Ticket", ticket, ["raised_by", "contact", "customer"], as_dict=True)
	if not row:
		return set()
	found = {row.raised_by} if row.raised_by else set()
	contacts = {row.contact} if row.contact else set()
	if row.customer:
		contacts.update(
			frappe.get_all(
				"Dynamic Link",
				filters={"parenttype": "Contact", "link_doctype": "Customer", "link_name": row.customer},
				pluck="parent",
			)
		)
		users = frappe.get_all(
			"Portal User", filters={"parenttype": "Customer", "parent": row.customer}, pluck="user"
		)
		if users:
			found.update(frappe.get_all("User", filters={"name": ("in", users)}, pluck="email"))
	if contacts:
		found.update(
			frappe.get_all(
				"Contact Email",
				filters={"parenttype": "Contact", "parent": ("in", list(contacts))},
				pluck="email_id",
			)
		)
		users = frappe.get_all("Contact", filters={"name": ("in", list(contacts))}, pluck="user")
		if any(users):
			found.update(
				frappe.get_all("User", filters={"name": ("in", [u for u in users if u])}, pluck="email")
			)
	return {address.strip().lower() for address in found if address}


def _is_internal_name(name: str | None) -> bool:
	if not name:
		return False
	row = frappe.db.get_value("Communication", name, ["communication_type", FIELD], as_dict=True)
	return bool(row and is_internal(row))


def mark_internal(doc, method=None) -> None:
	"""Communication before_insert: a ticket's mail with third parties, and its replies, are internal."""
	if doc.reference_doctype != "Ticket" or not doc.reference_name or cint(doc.get(FIELD)):
		return
	if doc.sent_or_received == "Received":
		if _is_internal_name(doc.in_reply_to):
			doc.set(FIELD, 1)
		return
	if doc.communication_type == MESSAGE and sent_is_internal(
		addresses(doc.recipients, doc.cc, doc.bcc), party_addresses(doc.reference_name)
	):
		doc.set(FIELD, 1)


def communication_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if is_support_staff(user):
		return ""
	return (
		"not (ifnull(`tabCommunication`.`reference_doctype`, '') = 'Ticket' and "
		f"(`tabCommunication`.`communication_type` != '{MESSAGE}' or `tabCommunication`.`{FIELD}` = 1))"
	)


def communication_has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	user = user or frappe.session.user
	if doc.reference_doctype == "Ticket" and not is_customer_visible(doc) and not is_support_staff(user):
		return False
	return None


@frappe.whitelist()
def get_communications(doctype: str, name: str, start: int = 0, limit: int = 20) -> list:
	"""The form timeline's "load more": Frappe's, without a ticket's internal and automated mail for customers."""
	rows = frappe_get_communications(doctype, name, start, limit)
	if doctype != "Ticket" or is_support_staff():
		return rows
	visible = customer_visible_names([row.name for row in rows])
	return [row for row in rows if row.name in visible]


def copies_for_staff_only(communication) -> None:
	"""Frappe mails each new inbound message to its ticket's owner and assignees (``Communication.mail_cc``).

	A customer who filed the ticket on the portal owns it: an internal mail goes to the staff among them only.
	``mail_cc`` keeps its result in ``_final_cc``, which ``send_email`` then uses.
	"""
	copies = communication.mail_cc(is_inbound_mail_communcation=True)
	communication._final_cc = [address for address in copies if _is_staff_address(address)]


def _is_staff_address(address: str) -> bool:
	user = frappe.db.get_value("User", {"email": address}, "name") or (
		address if frappe.db.exists("User", address) else None
	)
	return bool(user) and is_support_staff(user)
