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


# Routing, assignment and workflow
# --------------------------------


def make_agent(roles: tuple[str, ...] = ("Support Team",), availability: str = "Available") -> str:
	user = make_user(list(roles))
	frappe.db.set_value("User", user, "support_availability", availability)
	return user


def make_team(members: list[str]) -> str:
	"""A User Group; its Assignment Rule appears once a category names it."""
	team = frappe.get_doc(
		{
			"doctype": "User Group",
			"name": unique("Team"),
			"user_group_members": [{"user": user} for user in members],
		}
	).insert(ignore_permissions=True)
	return team.name


def make_category(team: str | None = None, responsible: str | None = None, **values) -> str:
	category = frappe.get_doc(
		{
			"doctype": "Support Category",
			"title": unique("Topic"),
			"parent_support_category": "All Topics",
			"team": team,
			"responsible": responsible,
			**values,
		}
	).insert(ignore_permissions=True)
	return category.name


def assignees(ticket) -> list[str]:
	"""Open or closed (not cancelled) assignments of a ticket."""
	return frappe.get_all(
		"ToDo",
		filters={
			"reference_type": "Ticket",
			"reference_name": str(ticket.name),
			"status": ("!=", "Cancelled"),
		},
		pluck="allocated_to",
	)


SETTINGS = "Support Center Settings"


def keep_settings(test_class: type) -> None:
	"""Call first in setUpClass, before FrappeTestCase's: what the class changes in Support Center Settings is
	put back after it, even when something committed it mid-test (Frappe commits when it mails an assignment
	notice during tests), which the class's rollback cannot undo. The restore runs after that rollback (class
	cleanups run last-in first-out), so it commits the settings and nothing the tests made."""
	saved = frappe.db.get_singles_dict(SETTINGS)
	test_class.addClassCleanup(_restore_settings, saved)


def _restore_settings(saved: dict) -> None:
	current = frappe.db.get_singles_dict(SETTINGS)
	changed = {
		field: saved.get(field)
		for field in {*saved, *current} - {"modified", "modified_by", "creation", "owner", "name", "doctype"}
		if current.get(field) != saved.get(field)
	}
	if changed:
		frappe.db.set_single_value(SETTINGS, changed)
	if changed:
		frappe.db.commit()  # nosemgrep: only the settings are pending, after the class's rollback
	frappe.clear_document_cache(SETTINGS, SETTINGS)
