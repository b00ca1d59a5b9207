"""Which SLA policy applies to a ticket, and why: pure matching rules.

A policy matches when every criterion it sets agrees with the ticket (a category or customer group
matches the ticket's own or one of its ancestors). Among matches the most specific wins: more criteria set,
then the closer category, then the name, so the choice is stable. The default policy applies when no
other does.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

CRITERIA = ("category", "priority", "customer", "customer_group", "channel")


@dataclass(frozen=True)
class PolicyCriteria:
	name: str
	category: str | None = None
	priority: str | None = None
	customer: str | None = None
	customer_group: str | None = None
	channel: str | None = None
	condition: str | None = None
	is_default: bool = False


@dataclass(frozen=True)
class TicketFacts:
	priority: str | None
	customer: str | None
	channel: str | None
	# The ticket's category first, then its parent, up to the root; likewise its customer's group.
	category_path: tuple[str, ...] = ()
	customer_group_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
	policy: str | None
	reason: str


def choose_policy(
	ticket: TicketFacts,
	policies: Sequence[PolicyCriteria],
	condition_holds: Callable[[str], bool] = lambda condition: False,
) -> Choice:
	ranked = []
	for policy in policies:
		matched = _matched_criteria(policy, ticket, condition_holds)
		if matched is None or not matched:
			continue
		category_distance = (
			ticket.category_path.index(policy.category) if policy.category else len(ticket.category_path)
		)
		ranked.append((-len(matched), category_distance, policy.name, matched))
	if ranked:
		_, _, name, matched = min(ranked)
		return Choice(name, f"{name}: matches {', '.join(matched)}")
	defaults = sorted(policy.name for policy in policies if policy.is_default)
	if defaults:
		return Choice(defaults[0], f"{defaults[0]}: the default policy, as no other matches")
	return Choice(None, "No SLA policy matches and there is no default policy")


def _matched_criteria(
	policy: PolicyCriteria, ticket: TicketFacts, condition_holds: Callable[[str], bool]
) -> list[str] | None:
	"""The criteria a policy sets and the ticket meets, or None when one of them is not met."""
	matched = []
	for criterion in CRITERIA:
		wanted = getattr(policy, criterion)
		if not wanted:
			continue
		if criterion in ("category", "customer_group"):
			if wanted not in getattr(ticket, f"{criterion}_path"):
				return None
		elif getattr(ticket, criterion) != wanted:
			return None
		matched.append(f"{criterion.replace('_', ' ')} {wanted}")
	if policy.condition:
		if not condition_holds(policy.condition):
			return None
		matched.append("condition")
	return matched
