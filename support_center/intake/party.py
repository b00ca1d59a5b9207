"""Who wrote: the Contact (made when unknown) and its Customer, from a verified email address or phone.

No customer is asked for a ticket number or an account id: what the channel verifies about the sender is
enough to find them. What it merely relays (a name, an address a messenger user typed) never finds an
existing Contact: see ``rules.verified_identity``.
"""

from functools import lru_cache

import frappe
from frappe.geo.country_info import get_country_info
from frappe.query_builder import CustomFunction, DocType

from support_center.intake.rules import SenderIdentity, normalise_phone

# Stored numbers come in every format; SQL narrows them down by their last digits, Python compares whole.
_TAIL_DIGITS = 7


def find_contact(email: str | None = None, phone: str | None = None) -> str | None:
	if email:
		contact = frappe.db.get_value("Contact Email", {"email_id": email, "parenttype": "Contact"}, "parent")
		if contact:
			return contact
	if phone:
		return contact_by_phone(phone)
	return None


def site_country_code() -> str | None:
	"""The calling code of the site's country (System Settings), for numbers written without one."""
	country = frappe.db.get_single_value("System Settings", "country")
	return _calling_code(country) if country else None


@lru_cache(maxsize=8)
def _calling_code(country: str) -> str | None:
	# Static data, read from a large JSON file: once per country and process.
	return get_country_info(country).get("isd")


def contact_by_phone(phone: str) -> str | None:
	"""The Contact with this whole number, in whatever format either of them is written."""
	country_code = site_country_code()
	number = normalise_phone(phone, country_code)
	if not number:
		return None
	tail = f"%{number[-_TAIL_DIGITS:]}"
	row = DocType("Contact Phone")
	candidates = (
		frappe.qb.from_(row)
		.select(row.parent, row.phone)
		.where((row.parenttype == "Contact") & (_digits(row.phone).like(tail)))
		.orderby(row.creation)
		.run()
	)
	contact = DocType("Contact")
	for column in (contact.mobile_no, contact.phone):
		candidates += (
			frappe.qb.from_(contact)
			.select(contact.name, column)
			.where(_digits(column).like(tail))
			.orderby(contact.creation)
			.run()
		)
	return next(
		(name for name, stored in candidates if normalise_phone(stored, country_code) == number), None
	)


def _digits(column):
	return CustomFunction("REGEXP_REPLACE", ["text", "pattern", "replacement"])(column, "[^0-9]", "")


def create_contact(email: str | None, phone: str | None, name: str | None) -> str:
	"""A new Contact, linked to no Customer; staff link it once they know who it is."""
	# Frappe refuses "<" and ">" in a record's name, which a Contact's is made from: a messenger user
	# called "<b>Olga</b>" still gets a contact (and a ticket) instead of a failed message.
	label = (name or "").replace("<", " ").replace(">", " ").strip()
	first_name, _, last_name = (label or email or phone or "").strip().partition(" ")
	# A Contact's names hold 140 characters each.
	first_name, last_name = first_name[:140], last_name.strip()[:140]
	doc = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first_name or email or phone or frappe._("Unknown sender"),
			"last_name": last_name or None,
			"email_ids": [{"email_id": email, "is_primary": 1}] if email else [],
			"phone_nos": [{"phone": phone, "is_primary_phone": 1}] if phone else [],
		}
	)
	# ERPNext would link the Contact to earlier Call Logs from its number by saving each one and
	# committing, in the middle of the intake: the Call Log hook ran again inside this delivery and took
	# the call in a second time. The call being taken in is linked to its ticket by the phone intake.
	doc.flags.ignore_auto_link_call_log = True
	doc.insert(ignore_permissions=True)
	return doc.name


def find_or_create_contact(email: str | None, phone: str | None, name: str | None) -> str:
	"""The Contact of a verified address or number; the name only names a new one."""
	return find_contact(email, phone) or create_contact(email, phone, name)


def sender_contact(
	identity: SenderIdentity, name: str | None, channel: str, conversation_id: str | None
) -> tuple[str, bool]:
	"""The sender's Contact, and whether the verified email already belonged to it.

	Without a verified identity, the Contact of the conversation's earlier tickets (the channel vouches
	for its conversation id), else a new one that carries none of the claims.
	"""
	by_email = find_contact(email=identity.email) if identity.email else None
	contact = (
		by_email
		or (find_contact(phone=identity.phone) if identity.phone else None)
		or conversation_contact(channel, conversation_id)
		or create_contact(identity.email, identity.phone, name)
	)
	return contact, bool(by_email)


def conversation_contact(channel: str, conversation_id: str | None) -> str | None:
	if not conversation_id:
		return None
	return frappe.db.get_value(
		"Ticket",
		{"channel": channel, "external_conversation": conversation_id, "contact": ("is", "set")},
		"contact",
		order_by="creation desc",
	)


def customer_of(contact: str | None) -> str | None:
	"""The contact's customer, when it has exactly one."""
	if not contact:
		return None
	customers = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "parent": contact, "link_doctype": "Customer"},
		pluck="link_name",
	)
	return customers[0] if len(customers) == 1 else None
