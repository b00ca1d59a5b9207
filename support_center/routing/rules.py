"""Routing rules: which of a manager's ordered rules routes a new ticket. Pure, no Frappe import.

A rule matches when every condition it sets holds (conditions left empty do not count); a rule without
any condition matches every ticket (a catch-all at the end of the list). Rules are tried in their order
(``sequence``, then name) and the first match wins.

Text conditions: ``patterns`` is one entry per line, any of which may match; plain entries are words or
phrases looked up case-insensitively on word boundaries, entries written ``/.../`` are regular expressions
(case-insensitive). They are looked for in the subject, or in the subject and the text.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

SUBJECT = "Subject"
SUBJECT_OR_TEXT = "Subject or Text"
# The longest text a pattern is run against: a 10 MB mail must not make routing slow.
MAX_TEXT = 20_000


class PatternError(ValueError):
	"""A routing rule's pattern is not a valid regular expression."""


@dataclass(frozen=True)
class RoutingRule:
	name: str
	sequence: int = 0
	email_account: str | None = None
	support_channel: str | None = None
	channel: str | None = None
	patterns: str | None = None
	match_in: str = SUBJECT_OR_TEXT
	customer: str | None = None
	customer_group: str | None = None
	language: str | None = None
	# Actions
	category: str | None = None
	priority: str | None = None
	tag: str | None = None
	team: str | None = None

	@cached_property
	def compiled(self) -> tuple[tuple[str, re.Pattern], ...]:
		return compile_patterns(self.patterns)

	@property
	def actions(self) -> dict[str, str]:
		return {
			key: value
			for key, value in (
				("category", self.category),
				("priority", self.priority),
				("tag", self.tag),
				("team", self.team),
			)
			if value
		}


@dataclass
class TicketFacts:
	channel: str | None = None
	email_account: str | None = None
	support_channel: str | None = None
	subject: str = ""
	text: str = ""
	customer: str | None = None
	# The customer's group and its ancestors, nearest first.
	customer_group_path: tuple[str, ...] = ()
	# Read only when a rule asks for a language (it costs a query or two).
	language_of: Callable[[], str | None] = field(default=lambda: None)
	_language: tuple[str | None] | None = None

	def language(self) -> str | None:
		if self._language is None:
			self._language = (self.language_of(),)
		return self._language[0]


@dataclass(frozen=True)
class Match:
	rule: RoutingRule
	conditions: tuple[str, ...]


def compile_patterns(text: str | None) -> tuple[tuple[str, re.Pattern], ...]:
	"""Each entry with its compiled pattern; raises PatternError for an invalid regular expression."""
	compiled = []
	for raw in (text or "").splitlines():
		entry = raw.strip()
		if not entry:
			continue
		if len(entry) > 2 and entry.startswith("/") and entry.endswith("/"):
			try:
				compiled.append((entry, re.compile(entry[1:-1], re.IGNORECASE)))
			except re.error as error:
				raise PatternError(f"{entry}: {error}") from error
		else:
			words = r"\s+".join(re.escape(word) for word in entry.split())
			compiled.append((entry, re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)))
	return tuple(compiled)


def ordered(rules: Sequence[RoutingRule]) -> list[RoutingRule]:
	return sorted(rules, key=lambda rule: (rule.sequence, rule.name))


def matched_conditions(rule: RoutingRule, ticket: TicketFacts) -> tuple[str, ...] | None:
	"""The conditions the rule sets and the ticket meets, or None when one of them fails."""
	met = []
	for label, wanted, actual in (
		("email account", rule.email_account, ticket.email_account),
		("support channel", rule.support_channel, ticket.support_channel),
		("channel", rule.channel, ticket.channel),
		("customer", rule.customer, ticket.customer),
	):
		if not wanted:
			continue
		if wanted != actual:
			return None
		met.append(f"{label} {wanted}")
	if rule.customer_group:
		if rule.customer_group not in ticket.customer_group_path:
			return None
		met.append(f"customer group {rule.customer_group}")
	if rule.patterns:
		where = ticket.subject or ""
		if rule.match_in != SUBJECT:
			where = f"{where}\n{(ticket.text or '')[:MAX_TEXT]}"
		found = next((entry for entry, pattern in rule.compiled if pattern.search(where)), None)
		if not found:
			return None
		met.append(f'text matches "{found}"')
	if rule.language:
		language = ticket.language() or ""
		if language != rule.language and language.split("-")[0] != rule.language:
			return None
		met.append(f"language {rule.language}")
	return tuple(met)


def first_match(rules: Sequence[RoutingRule], ticket: TicketFacts) -> Match | None:
	for rule in ordered(rules):
		conditions = matched_conditions(rule, ticket)
		if conditions is not None:
			return Match(rule, conditions)
	return None


def describe(match: Match) -> str:
	conditions = ", ".join(match.conditions) or "every ticket"
	actions = ", ".join(f"{key} {value}" for key, value in match.rule.actions.items()) or "nothing"
	return f"Routing rule {match.rule.name} ({conditions}): {actions}"
