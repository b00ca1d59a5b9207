"""Canned replies: who sees which, which fit a ticket, and rendering them for a ticket.

Scope: a Global reply is for all staff, a Team reply for the members of its team (a User Group), a
Personal reply for its owner. The same rule serves the desk (permission hooks), the picker and rendering.
Category: a reply without a category fits every ticket; one with a category fits tickets of that
category and of its subcategories.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce
from pypika import Order

from support_center.conversation import placeholders
from support_center.conversation.values import ticket_values
from support_center.permissions.ticket import is_support_staff
from support_center.sla.service import tree_path

PICKER_LIMIT = 20


def teams_of(user: str) -> list[str]:
	return frappe.get_all(
		"User Group Member", filters={"parenttype": "User Group", "user": user}, pluck="parent"
	)


def sees_everything(user: str) -> bool:
	return user == "Administrator"


def can_see(reply, user: str | None = None) -> bool:
	user = user or frappe.session.user
	if not is_support_staff(user):
		return False
	if sees_everything(user) or reply.scope == "Global":
		return True
	if reply.scope == "Team":
		return bool(reply.team) and reply.team in teams_of(user)
	return reply.owner == user


def canned_reply_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if not is_support_staff(user):
		return "1=0"
	if sees_everything(user):
		return ""
	table = "`tabCanned Reply`"
	clauses = [
		f"{table}.`scope` = 'Global'",
		f"({table}.`scope` = 'Personal' and {table}.`owner` = {frappe.db.escape(user)})",
	]
	teams = teams_of(user)
	if teams:
		names = ", ".join(frappe.db.escape(team) for team in sorted(teams))
		clauses.append(f"({table}.`scope` = 'Team' and {table}.`team` in ({names}))")
	return "(" + " or ".join(clauses) + ")"


def canned_reply_has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	user = user or frappe.session.user
	if ptype == "create" and doc.is_new():
		return None
	return None if can_see(doc, user) else False


def validate_canned_reply(doc, method=None) -> None:
	"""Canned Reply validate: a template that would not render for a customer is refused at save."""
	check_template(doc.response, placeholders.ALLOWED)


def check_template(template: str, allowed) -> None:
	try:
		placeholders.check(template or "", allowed)
	except placeholders.PlaceholderError as error:
		if error.unknown:
			frappe.throw(
				_("Unknown placeholder {0}. Available placeholders: {1}").format(
					", ".join("{{ " + name + " }}" for name in error.unknown),
					", ".join(sorted(allowed)),
				),
				title=_("Invalid Template"),
			)
		frappe.throw(
			_("The template cannot be rendered: {0}").format(str(error)), title=_("Invalid Template")
		)


def search(ticket, txt: str = "", user: str | None = None) -> list[dict]:
	"""Replies the user may use that fit the ticket's category, matching ``txt``; most used first."""
	user = user or frappe.session.user
	reply = DocType("Canned Reply")
	categories = list(tree_path("Support Category", ticket.category))
	category_fits = reply.category.isnull() | (reply.category == "")
	if categories:
		category_fits = category_fits | reply.category.isin(categories)
	scope_fits = reply.scope == "Global"
	scope_fits = scope_fits | ((reply.scope == "Personal") & (reply.owner == user))
	teams = teams_of(user)
	if teams:
		scope_fits = scope_fits | ((reply.scope == "Team") & reply.team.isin(teams))
	if sees_everything(user):
		scope_fits = reply.name.isnotnull()
	query = (
		frappe.qb.from_(reply)
		.select(
			reply.name,
			reply.title,
			reply.scope,
			reply.team,
			reply.category,
			reply.usage_count,
			reply.response,
		)
		.where(category_fits & scope_fits)
		.orderby(Coalesce(reply.usage_count, 0), order=Order.desc)
		.orderby(reply.title)
		.limit(PICKER_LIMIT)
	)
	txt = (txt or "").strip()
	if txt:
		pattern = f"%{txt}%"
		query = query.where(reply.title.like(pattern) | reply.response.like(pattern))
	rows = query.run(as_dict=True)
	for row in rows:
		row.preview = frappe.utils.strip_html(row.pop("response") or "")[:140]
	return rows


def render_for(ticket, reply_name: str, user: str | None = None) -> str:
	"""The reply rendered for the ticket; counts the use. The caller checks the ticket's permission."""
	user = user or frappe.session.user
	reply = frappe.get_doc("Canned Reply", reply_name)
	if not can_see(reply, user):
		frappe.throw(_("You cannot use this canned reply."), frappe.PermissionError)
	try:
		html = placeholders.render(reply.response or "", ticket_values(ticket, agent=user))
	except placeholders.PlaceholderError as error:
		frappe.throw(_("Canned reply {0} cannot be rendered: {1}").format(reply.title, str(error)))
	table = DocType("Canned Reply")
	(
		frappe.qb.update(table)
		.set(table.usage_count, Coalesce(table.usage_count, 0) + 1)
		.where(table.name == reply.name)
		.run()
	)
	return html
