"""Who wrote: the Contact (made when unknown) and its Customer, from an email address, a phone or a name.

No customer is asked for a ticket number or an account id: what the channel tells about the sender is
enough to find them.
"""

import frappe
from frappe.query_builder import CustomFunction, DocType

from support_center.intake.rules import phone_key


def find_contact(email: str | None = None, phone: str | None = None, name: str | None = None) -> str | None:
	if email:
		contact = frappe.db.get_value("Contact Email", {"email_id": email, "parenttype": "Contact"}, "parent")
		if contact:
			return contact
	key = phone_key(phone)
	if key:
		contact = _contact_by_phone(key)
		if contact:
			return contact
	if name and not (email or phone):
		# A bare name is weak evidence: use it only when exactly one contact carries it.
		matches = frappe.get_all("Contact", filters={"full_name": name.strip()}, pluck="name", limit=2)
		if len(matches) == 1:
			return matches[0]
	return None


def _contact_by_phone(key: str) -> str | None:
	# Numbers are stored in every format: compare their digits, ending with the key.
	pattern = f"%{key}"
	phone = DocType("Contact Phone")
	match = (
		frappe.qb.from_(phone)
		.select(phone.parent)
		.where((phone.parenttype == "Contact") & (_digits(phone.phone).like(pattern)))
		.limit(1)
		.run(pluck=True)
	)
	if match:
		return match[0]
	contact = DocType("Contact")
	match = (
		frappe.qb.from_(contact)
		.select(contact.name)
		.where(_digits(contact.mobile_no).like(pattern) | _digits(contact.phone).like(pattern))
		.limit(1)
		.run(pluck=True)
	)
	return match[0] if match else None


def _digits(column):
	return CustomFunction("REGEXP_REPLACE", ["text", "pattern", "replacement"])(column, "[^0-9]", "")


def find_or_create_contact(email: str | None, phone: str | None, name: str | None) -> str:
	contact = find_contact(email, phone, name)
	if contact:
		return contact
	first_name, _, last_name = (name or email or phone or "").strip().partition(" ")
	doc = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first_name or email or phone,
			"last_name": last_name or None,
			"email_ids": [{"email_id": email, "is_primary": 1}] if email else [],
			"phone_nos": [{"phone": phone, "is_primary_phone": 1}] if phone else [],
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


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
