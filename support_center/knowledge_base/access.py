"""The current user's reach in the knowledge base (rules.py decides, this asks Frappe who is asking)."""

import frappe

from support_center.knowledge_base import rules


def user_roles(user: str | None = None) -> set[str]:
	user = user or frappe.session.user
	if user == "Guest":
		return {"Guest"}
	return set(frappe.get_roles(user))


def is_staff(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user != "Guest" and rules.is_staff(user_roles(user))


def visibilities(user: str | None = None) -> tuple[str, ...]:
	user = user or frappe.session.user
	return rules.visibilities_for(user, user_roles(user))


def can_read_article(article: dict | frappe._dict, user: str | None = None) -> bool:
	user = user or frappe.session.user
	return rules.can_read(article.get("status"), article.get("visibility"), user, user_roles(user))


def article_query_conditions(user: str | None = None) -> str:
	"""permission_query_conditions for KB Article: staff all, others published articles they may see."""
	user = user or frappe.session.user
	if is_staff(user):
		return ""
	allowed = ", ".join(frappe.db.escape(v) for v in visibilities(user))
	return f"(`tabKB Article`.status = 'Published' and `tabKB Article`.visibility in ({allowed}))"


def article_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if is_staff(user):
		return None
	if ptype not in ("read", "select", "print"):
		return False
	return bool(can_read_article(doc, user)) or False
