"""Routing rules on the Frappe side: load the rules once, route a new ticket before it is validated.

The enabled rules are read from the database once and kept in Redis until a rule changes (``forget_rules``,
called by the Routing Rule controller), and in the request's own memory, so routing a ticket costs no query
for the rules at all, and a request that files many tickets reads them once. The first matching rule
(``routing.rules.first_match``) sets the category (only when nobody chose one), the priority (only when
none was given), the team (whose assignment rule then picks the agent) and a tag, and the ticket records
the rule and why it matched.
"""

import frappe
from frappe import _
from frappe.utils import strip_html

from support_center.routing.rules import RoutingRule, TicketFacts, describe, first_match

CACHE_KEY = "support_center:routing_rules"
LOCAL_KEY = "support_center_routing_rules"
# The rule's field on the doctype for each attribute of routing.rules.RoutingRule. The conditions on the
# customer and language are not named "customer" or "language": Frappe would fill those from user defaults.
FIELDS = {
	"name": "name",
	"sequence": "sequence",
	"email_account": "email_account",
	"support_channel": "support_channel",
	"channel": "channel",
	"patterns": "patterns",
	"match_in": "match_in",
	"customer": "from_customer",
	"customer_group": "from_customer_group",
	"language": "customer_language",
	"category": "category",
	"priority": "priority",
	"tag": "tag",
	"team": "team",
}


def _read_rules() -> list[dict]:
	return frappe.get_all(
		"Routing Rule",
		filters={"enabled": 1},
		fields=[f"{column} as {attribute}" for attribute, column in FIELDS.items()],
		order_by="sequence asc, name asc",
	)


def load_rules() -> list[RoutingRule]:
	rules = getattr(frappe.local, LOCAL_KEY, None)
	if rules is None:
		rows = frappe.cache.get_value(CACHE_KEY, generator=_read_rules)
		rules = [RoutingRule(**{key: row.get(key) for key in FIELDS}) for row in rows]
		setattr(frappe.local, LOCAL_KEY, rules)
	return rules


def forget_rules() -> None:
	frappe.cache.delete_value(CACHE_KEY)
	if hasattr(frappe.local, LOCAL_KEY):
		delattr(frappe.local, LOCAL_KEY)


def facts_for(doc, rules: list[RoutingRule]) -> TicketFacts:
	customer_group_path: tuple[str, ...] = ()
	if doc.customer and any(rule.customer_group for rule in rules):
		from support_center.sla.service import tree_path

		group = frappe.db.get_value("Customer", doc.customer, "customer_group")
		customer_group_path = tree_path("Customer Group", group)

	def language() -> str | None:
		from support_center.conversation.values import customer_language

		return customer_language(doc)

	return TicketFacts(
		channel=doc.channel,
		email_account=doc.get("incoming_email_account"),
		support_channel=doc.get("support_channel"),
		subject=doc.subject or "",
		text=strip_html(doc.description or "") if any(rule.patterns for rule in rules) else "",
		customer=doc.customer,
		customer_group_path=customer_group_path,
		language_of=language,
	)


def on_ticket_before_validate(doc, method=None) -> None:
	"""Ticket before_validate: a new ticket goes where the first matching rule sends it."""
	if not doc.is_new() or doc.get("routing_rule") or doc.get("merged_into"):
		return
	rules = load_rules()
	if not rules:
		return
	match = first_match(rules, facts_for(doc, rules))
	if not match:
		return
	rule = match.rule
	if rule.category and not doc.category:
		doc.category = rule.category
	if rule.priority and not doc.priority:
		doc.priority = rule.priority
	if rule.team:
		doc.team = rule.team
	doc.routing_rule = rule.name
	doc.routing_reason = describe(match)
	if rule.tag:
		doc.flags.routing_tag = rule.tag


def on_ticket_after_insert(doc, method=None) -> None:
	if doc.flags.routing_tag:
		from frappe.desk.doctype.tag.tag import DocTags

		try:
			DocTags(doc.doctype).add(doc.name, doc.flags.routing_tag)
		except Exception:
			frappe.log_error(
				title=_("Routing rule tag not added"), reference_doctype="Ticket", reference_name=doc.name
			)
