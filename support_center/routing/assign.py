"""Who gets a ticket, on the Frappe side: read the team's Assignment Rule and the facts, let
``routing.assignment`` decide, assign with Frappe's ToDo-based assignment and record why.

Round Robin under concurrency: the team's rule row is read ``FOR UPDATE`` before its ``last_user`` is
used, so two tickets created at the same moment take their turns one after the other (the second
transaction waits for the first to commit and then sees the new ``last_user``).
"""

import frappe
from frappe import _
from frappe.desk.form import assign_to
from frappe.query_builder import DocType, Order
from frappe.utils import cint, getdate

from support_center.routing import assignment
from support_center.routing.availability import away_users, off_today
from support_center.routing.rules_sync import rule_name, sync_team_rule, team_members

REASONS = {
	assignment.STICKY: "Sticky agent: {user} handled this customer's recent tickets.",
	assignment.BY_RULE: "{mode} of team {team} chose {user}.",
	assignment.BY_RULE_ONLY_AWAY: "{mode} of team {team} chose {user}; everyone in the team is away.",
	assignment.RESPONSIBLE_UNAVAILABLE: (
		"{user} of team {team} got it: the category's responsible person {responsible} is not available."
	),
	assignment.NOBODY: "Nobody in team {team} works today; the ticket waits unassigned.",
	assignment.NO_TEAM: "No team serves this ticket's category; the ticket waits unassigned.",
	"rule_off": "The assignment rule of team {team} is disabled or not active today; the ticket waits unassigned.",
}


def reason_text(code: str, **values) -> str:
	values = {key: value or "" for key, value in values.items()}
	return _(REASONS[code]).format(**values)


# doc_events on Ticket
# --------------------


def on_ticket_validate(doc, method=None) -> None:
	"""The team and responsible person follow the category; a category of another team reroutes."""
	if not doc.has_value_changed("category") and doc.team:
		return
	# An unknown category is left to Frappe's link check, which names it in a clear error.
	team, responsible = (
		frappe.db.get_value("Support Category", doc.category, ["team", "responsible"])
		if doc.category
		else None
	) or (None, None)
	doc.responsible = responsible
	if doc.is_new() or not doc.team:
		doc.team = doc.team or team
	elif team and team != doc.team:
		doc.team = team
		doc.flags.reroute = _("Category changed to {0}").format(doc.category)


def on_ticket_after_insert(doc, method=None) -> None:
	route(doc)


def on_ticket_update(doc, method=None) -> None:
	if doc.flags.reroute and not doc.flags.in_insert:
		why = doc.flags.reroute
		doc.flags.reroute = None
		route(doc, why)


# routing
# -------


def route(doc, why: str | None = None) -> str | None:
	"""Assign the ticket within its team; returns the user or None. Records the reason either way."""
	team = doc.get("team")
	if not team:
		return _record(doc, None, reason_text(assignment.NO_TEAM), why)
	name = rule_name(team)
	if not frappe.db.exists("Assignment Rule", name):
		name = sync_team_rule(team)
	if not name:
		return _record(doc, None, reason_text(assignment.NO_TEAM), why)
	# Serializes concurrent assignments of the team: see the module docstring.
	rule = frappe.get_doc("Assignment Rule", name, for_update=True)
	if rule.disabled or rule.is_rule_not_applicable_today():
		return _record(doc, None, reason_text("rule_off", team=team), why)

	order = [row.user for row in rule.users]
	today = getdate()
	off = off_today(order, today)
	away = away_users(order)
	sticky = _sticky_agent(doc, team, order, off, away)
	open_counts = _open_counts(order) if rule.rule == assignment.LOAD_BALANCING else None
	field_user = doc.get(rule.field) if rule.rule == assignment.BASED_ON_FIELD and rule.field else None
	decision = assignment.decide(
		mode=rule.rule,
		order=order,
		last_user=rule.last_user,
		off_today=off,
		away=away,
		open_counts=open_counts,
		field_user=field_user,
		sticky=sticky,
	)
	text = reason_text(
		decision.reason,
		user=decision.user,
		team=team,
		mode=_(decision.mode or rule.rule),
		responsible=decision.details.get("responsible"),
	)
	if decision.user:
		_assign(doc, decision.user, rule.name)
		if decision.mode == assignment.ROUND_ROBIN and decision.reason != assignment.STICKY:
			# Not db_set: that would read the locked rule and its tables once more.
			frappe.db.set_value(
				"Assignment Rule", rule.name, "last_user", decision.user, update_modified=False
			)
	return _record(doc, decision.user, text, why)


def assign_user(doc, user: str, text: str, why: str | None = None) -> None:
	"""Give the ticket to one person (a manual reassignment); the old assignment is cancelled, not lost."""
	_assign(doc, user, None)
	_record(doc, user, text, why)


def _assign(doc, user: str, rule: str | None) -> None:
	current = assign_to.get({"doctype": doc.doctype, "name": doc.name})
	# A callback to-do of the same agent (support_center/followups.py) is no second assignment.
	if {row.get("owner") or row.get("allocated_to") for row in current} == {user}:
		return
	if current:
		# Cancels the ToDos (kept, with a timeline entry), so the history shows who had it before.
		assign_to.clear(doc.doctype, doc.name, ignore_permissions=True)
	assign_to.add(
		{
			"assign_to": [user],
			"doctype": doc.doctype,
			"name": doc.name,
			"description": doc.subject,
			"assignment_rule": rule,
		},
		ignore_permissions=True,
	)


def _record(doc, user: str | None, text: str, why: str | None) -> str | None:
	full = f"{why}: {text}" if why else text
	# Not db_set: on a ticket just inserted it would load the whole ticket again as "before save".
	frappe.db.set_value(doc.doctype, doc.name, "assignment_reason", full, update_modified=False)
	doc.assignment_reason = full
	doc.add_comment("Info", full)
	if why:
		# Escalated or rerouted: the new assignee, or the team while nobody has it, hears why.
		from support_center.notifications.alerts import rerouted

		rerouted(doc.name, full, user, doc.get("team"))
	return user


def _sticky_agent(doc, team: str, order: list[str], off: set[str], away: set[str]) -> str | None:
	min_tickets = cint(frappe.db.get_single_value("Support Center Settings", "sticky_agent_min_tickets"))
	party_field = "customer" if doc.get("customer") else "contact" if doc.get("contact") else None
	if min_tickets <= 0 or not party_field:
		return None
	ticket, todo = DocType("Ticket"), DocType("ToDo")
	earlier = (
		frappe.qb.from_(ticket)
		.select(ticket.name)
		.where((ticket[party_field] == doc.get(party_field)) & (ticket.name != doc.name))
		.orderby(ticket.creation, order=Order.desc)
		.orderby(ticket.name, order=Order.desc)
		# Only whether there are enough matters, and the newest few: a long-time customer has thousands.
		.limit(min_tickets)
		.run(pluck=True)
	)
	if len(earlier) < min_tickets:
		return None
	recent = [str(name) for name in earlier[:min_tickets]]
	rows = (
		frappe.qb.from_(todo)
		.select(todo.reference_name, todo.allocated_to)
		.where(
			(todo.reference_type == "Ticket")
			& (todo.reference_name.isin(recent))
			& (todo.status != "Cancelled")
		)
		.orderby(todo.creation, order=Order.desc)
		.run(as_dict=True)
	)
	by_ticket = {}
	for row in rows:
		by_ticket.setdefault(row.reference_name, row.allocated_to)
	assignees = [by_ticket[name] for name in recent if name in by_ticket]
	available = [user for user in order if user not in off and user not in away]
	return assignment.sticky_agent(assignees, len(earlier), min_tickets, team_members(team), available)


def _open_counts(users: list[str]) -> dict[str, int]:
	todo = DocType("ToDo")
	rows = (
		frappe.qb.from_(todo)
		.select(todo.allocated_to, frappe.query_builder.functions.Count("*").as_("n"))
		.where((todo.reference_type == "Ticket") & (todo.status == "Open") & (todo.allocated_to.isin(users)))
		.groupby(todo.allocated_to)
		.run(as_dict=True)
		if users
		else []
	)
	return {row.allocated_to: row.n for row in rows}
