"""Records for integration tests; every call makes new ones, so tests never share data."""

import frappe


def unique(prefix: str) -> str:
	return f"{prefix} {frappe.generate_hash(length=8)}"


def make_user(roles: list[str], user_type: str = "System User") -> str:
	email = f"{frappe.generate_hash(length=10)}@test.support-center.test"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Test",
			"user_type": user_type,
			"send_welcome_email": 0,
		}
	).insert(ignore_permissions=True)
	if roles:
		user.add_roles(*roles)
	return email


def make_customer(portal_users: tuple[str, ...] = ()) -> str:
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": unique("Customer"),
			"customer_type": "Company",
			"portal_users": [{"user": user} for user in portal_users],
		}
	).insert(ignore_permissions=True)
	return customer.name


def make_contact(customer: str | None = None, user: str | None = None, email: str | None = None) -> str:
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": unique("Contact"),
			"user": user,
			"email_ids": [{"email_id": email, "is_primary": 1}] if email else [],
			"links": [{"link_doctype": "Customer", "link_name": customer}] if customer else [],
		}
	).insert(ignore_permissions=True)
	return contact.name


def make_ticket(**values) -> "frappe.model.document.Document":
	values.setdefault("subject", unique("Ticket"))
	return frappe.get_doc({"doctype": "Ticket", **values}).insert(ignore_permissions=True)


def portal_customer() -> frappe._dict:
	"""A customer with one portal user, whose contact is linked to the user."""
	user = make_user(["Customer"], "Website User")
	customer = make_customer(portal_users=(user,))
	contact = make_contact(customer, user=user, email=user)
	return frappe._dict(user=user, customer=customer, contact=contact)
