"""One Frappe Assignment Rule per team, kept in step with the team and the categories it serves.

A manager configures teams (User Group members) and categories (team, responsible person); the app
writes the rule's document type, condition (from the categories), users (the team's enabled members, in
the group's order) and close condition. Everything else on the rule is the manager's: the mode (Round
Robin, Load Balancing, Based on Field with ``responsible``), priority, working days, disabled, due date.
"""

import frappe
from frappe import _
from frappe.cache_manager import clear_doctype_map
from frappe.query_builder import DocType

from support_center.routing.assignment import ROUND_ROBIN, rule_condition

RULE_PREFIX = "Ticket Team: "
CLOSE_CONDITION = 'status in ("Resolved", "Closed")'
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def rule_name(team: str) -> str:
	return f"{RULE_PREFIX}{team}"


def team_members(team: str) -> list[str]:
	"""The team's enabled members in the group's order."""
	member, user = DocType("User Group Member"), DocType("User")
	return (
		frappe.qb.from_(member)
		.join(user)
		.on(user.name == member.user)
		.select(member.user)
		.where((member.parent == team) & (member.parenttype == "User Group") & (user.enabled == 1))
		.orderby(member.idx)
		.run(pluck=True)
	)


def sync_team_rule(team: str | None) -> str | None:
	"""Create or update the team's rule; returns its name. Saves only when something changed."""
	if not team:
		return None
	name = rule_name(team)
	exists = frappe.db.exists("Assignment Rule", name)
	if not frappe.db.exists("User Group", team):
		if exists:
			frappe.delete_doc("Assignment Rule", name, ignore_permissions=True)
			_forget_cached_rules_on_rollback()
		return None
	categories = frappe.get_all("Support Category", filters={"team": team}, pluck="name")
	members = team_members(team)
	condition = rule_condition(categories if members else [])
	if exists:
		rule = frappe.get_doc("Assignment Rule", name)
	else:
		rule = frappe.new_doc("Assignment Rule")
		rule.name = name
		rule.set("__newname", name)
		rule.rule = ROUND_ROBIN
		rule.priority = 0
		rule.description = _("Support ticket for team {0}").format(team)
		rule.set("assignment_days", [{"day": day} for day in WEEKDAYS])
	current = (rule.document_type, rule.assign_condition, rule.close_condition, [d.user for d in rule.users])
	wanted = ("Ticket", condition, CLOSE_CONDITION, members)
	if exists and current == wanted:
		return name
	rule.document_type = "Ticket"
	rule.assign_condition = condition
	rule.close_condition = CLOSE_CONDITION
	rule.set("users", [{"user": user} for user in members])
	if rule.last_user and rule.last_user not in members:
		rule.last_user = None
	rule.save(ignore_permissions=True) if exists else rule.insert(ignore_permissions=True)
	_forget_cached_rules_on_rollback()
	return name


def _forget_cached_rules_on_rollback() -> None:
	"""Frappe caches the list of a doctype's rules; a rolled-back rule must not stay in it, or every
	later save of a ticket fails looking for a rule that does not exist."""
	frappe.db.after_rollback.add(lambda: clear_doctype_map("Assignment Rule", "Ticket"))


def sync_all_team_rules() -> None:
	teams = set(frappe.get_all("Support Category", filters={"team": ("is", "set")}, pluck="team"))
	teams |= {
		name.removeprefix(RULE_PREFIX)
		for name in frappe.get_all(
			"Assignment Rule", filters={"name": ("like", f"{RULE_PREFIX}%")}, pluck="name"
		)
	}
	for team in sorted(teams):
		sync_team_rule(team)


# doc_events
# ----------


def on_user_group_change(doc, method=None) -> None:
	sync_team_rule(doc.name)


def on_user_group_trash(doc, method=None) -> None:
	if frappe.db.exists("Assignment Rule", rule_name(doc.name)):
		frappe.delete_doc("Assignment Rule", rule_name(doc.name), ignore_permissions=True)
		_forget_cached_rules_on_rollback()


def on_category_change(doc, method=None) -> None:
	before = doc.get_doc_before_save()
	for team in {doc.team, before.team if before else None}:
		sync_team_rule(team)


def on_user_change(doc, method=None) -> None:
	"""A disabled agent leaves every team's rule; enabling them brings them back."""
	if doc.is_new() or not doc.has_value_changed("enabled"):
		return
	for team in frappe.get_all("User Group Member", filters={"user": doc.name}, pluck="parent"):
		sync_team_rule(team)
