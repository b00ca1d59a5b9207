"""Ticket access: staff see the desk, a customer's portal users see only their own tickets.

These hooks serve the desk list, reports, the REST API and the portal alike, so all of them agree.
"""

import frappe
from frappe.query_builder import DocType

from support_center.permissions.scope import PortalScope

STAFF_ROLES = frozenset({"System Manager", "Support Manager", "Support Team"})


def is_support_staff(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	return not STAFF_ROLES.isdisjoint(frappe.get_roles(user))


def portal_scope(user: str | None = None) -> PortalScope:
	"""The contacts whose user (or email) this user is, and the customers listing them as portal user."""
	user = user or frappe.session.user
	if user == "Guest":
		return PortalScope(frozenset(), frozenset())

	contact = DocType("Contact")
	contact_email = DocType("Contact Email")
	portal_user = DocType("Portal User")
	email = frappe.db.get_value("User", user, "email") or user

	linked = frappe.qb.from_(contact).select(contact.name).where(contact.user == user).run(pluck=True)
	by_email = (
		frappe.qb.from_(contact_email)
		.select(contact_email.parent)
		.where((contact_email.parenttype == "Contact") & (contact_email.email_id == email))
		.run(pluck=True)
	)
	customers = (
		frappe.qb.from_(portal_user)
		.select(portal_user.parent)
		.where((portal_user.parenttype == "Customer") & (portal_user.user == user))
		.run(pluck=True)
	)
	return PortalScope(frozenset(linked) | frozenset(by_email), frozenset(customers))


def ticket_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if is_support_staff(user):
		return ""
	scope = portal_scope(user)
	clauses = []
	if scope.contacts:
		clauses.append(_sql_in("`tabTicket`.`contact`", scope.contacts))
	if scope.customers:
		clauses.append(_sql_in("`tabTicket`.`customer`", scope.customers))
	return "(" + " or ".join(clauses) + ")" if clauses else "1=0"


def _sql_in(column: str, values: frozenset[str]) -> str:
	# permission_query_conditions must return SQL text; every value goes through the driver's escaping.
	return f"{column} in ({', '.join(frappe.db.escape(value) for value in sorted(values))})"


def ticket_has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	"""Can only take access away: staff defer to their role permissions, others reach only their own."""
	user = user or frappe.session.user
	if is_support_staff(user):
		return None
	if user == "Guest":
		return False
	if ptype == "create" and doc.is_new():
		# The controller replaces the party of a new ticket with the user's own before it is saved.
		return None
	return None if portal_scope(user).covers(doc.contact, doc.customer) else False


def ticket_has_website_permission(
	doc, ptype: str | None = None, user: str | None = None, verbose: bool = False
):
	user = user or frappe.session.user
	if user == "Guest":
		return False
	if is_support_staff(user):
		return True
	return portal_scope(user).covers(doc.contact, doc.customer)


def support_category_query_conditions(user: str | None = None) -> str:
	"""Customers see the published topics only; the rest is the desk's internal routing."""
	return "" if is_support_staff(user) else "`tabSupport Category`.`published` = 1"


def support_category_has_permission(
	doc, ptype: str | None = None, user: str | None = None, debug: bool = False
):
	if is_support_staff(user):
		return None
	return None if doc.published else False
