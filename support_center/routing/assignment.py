"""Who gets a ticket: pure rules, no database.

The Frappe side (``routing.assign``) reads the team's Assignment Rule, the members' state and the customer's
history, and passes plain values in; everything deciding *who* lives here.

Eligibility: a rule's ``users`` are the team's enabled members (kept so by ``rules_sync``). At assignment
time members who are off today (their holiday list) are skipped; among the rest, Available agents are
preferred and Away agents are used only when nobody is available.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ROUND_ROBIN = "Round Robin"
LOAD_BALANCING = "Load Balancing"
BASED_ON_FIELD = "Based on Field"

AVAILABLE = "Available"
AWAY = "Away"

# Reason codes; the Frappe side turns them into translated sentences.
STICKY = "sticky"
BY_RULE = "rule"
BY_RULE_ONLY_AWAY = "rule_only_away"
RESPONSIBLE_UNAVAILABLE = "responsible_unavailable"
NOBODY = "nobody"
NO_TEAM = "no_team"


@dataclass(frozen=True)
class Decision:
	user: str | None
	reason: str
	mode: str | None = None
	details: Mapping[str, str] = field(default_factory=dict)


def rule_condition(categories: Iterable[str]) -> str:
	"""The Assignment Rule condition for a team serving these categories (a Python expression).

	``not assignment_reason``: the app routes every new ticket itself (``routing.assign``) and records why;
	Frappe's own rule runner, which also runs on every save, must not route a ticket a second time (for
	example one that the app left unassigned because nobody works today). A team that serves no category
	gets a condition that matches nothing.
	"""
	names = sorted(set(categories))
	if not names:
		return "False"
	return f"category in {names!r} and not assignment_reason"


def eligible(members: Sequence[str], off_today: Iterable[str]) -> list[str]:
	"""Members in rule order, without those who do not work today."""
	off = set(off_today)
	return [user for user in members if user not in off]


def preferred(candidates: Sequence[str], away: Iterable[str]) -> tuple[list[str], bool]:
	"""Available candidates if any, else all of them; the flag says whether only Away agents were left."""
	away = set(away)
	available = [user for user in candidates if user not in away]
	if available:
		return available, False
	return list(candidates), bool(candidates)


def round_robin_next(order: Sequence[str], last_user: str | None, candidates: Iterable[str]) -> str | None:
	"""The next candidate after ``last_user`` in the rule's order, wrapping around.

	Frappe's own round robin restarts at the first user when ``last_user`` is not in the list; here the
	turn continues from where it was even when the last user is away or off today.
	"""
	allowed = set(candidates)
	if not allowed:
		return None
	if last_user in order:
		start = order.index(last_user) + 1
	else:
		start = 0
	for offset in range(len(order)):
		user = order[(start + offset) % len(order)]
		if user in allowed:
			return user
	return None


def least_loaded(candidates: Sequence[str], open_counts: Mapping[str, int]) -> str | None:
	"""Frappe's load balancing: fewest open assignments, ties in rule order."""
	if not candidates:
		return None
	return min(candidates, key=lambda user: (open_counts.get(user, 0), candidates.index(user)))


def sticky_agent(
	recent_assignees: Sequence[str],
	earlier_tickets: int,
	min_tickets: int,
	team_members: Iterable[str],
	available_today: Iterable[str],
) -> str | None:
	"""The agent of the customer's most recent tickets, once the customer has ``min_tickets`` earlier ones.

	``recent_assignees`` is newest first. The agent must be in the ticket's team and available today
	(enabled, working, not Away); otherwise None and the team's rule applies. ``min_tickets`` 0 turns it off.
	"""
	if min_tickets <= 0 or earlier_tickets < min_tickets or not recent_assignees:
		return None
	agent = recent_assignees[0]
	if agent in set(team_members) and agent in set(available_today):
		return agent
	return None


def decide(
	*,
	mode: str,
	order: Sequence[str],
	last_user: str | None,
	off_today: Iterable[str],
	away: Iterable[str],
	open_counts: Mapping[str, int] | None = None,
	field_user: str | None = None,
	sticky: str | None = None,
) -> Decision:
	"""Pick the agent for a ticket of a team whose rule has ``mode`` and users ``order``."""
	if sticky:
		return Decision(sticky, STICKY, mode)
	working = eligible(order, off_today)
	candidates, only_away = preferred(working, away)
	if not candidates:
		return Decision(None, NOBODY, mode)
	reason = BY_RULE_ONLY_AWAY if only_away else BY_RULE
	if mode == BASED_ON_FIELD:
		if field_user in candidates:
			return Decision(field_user, reason, mode)
		user = round_robin_next(order, last_user, candidates)
		return Decision(user, RESPONSIBLE_UNAVAILABLE, mode, {"responsible": field_user or ""})
	if mode == LOAD_BALANCING:
		return Decision(least_loaded(candidates, open_counts or {}), reason, mode)
	return Decision(round_robin_next(order, last_user, candidates), reason, ROUND_ROBIN)
