"""What an ERPNext Issue or a Helpdesk HD Ticket becomes: pure rules, no Frappe import.

The importer (support_center.migration.importer) reads the source rows and the facts they point at
(contacts, customers, categories, priorities) into a ``Context`` and asks ``map_record`` for the Ticket's
values, or for the reason the record cannot be imported. Nothing here guesses silently: every value
that had to be changed on the way (an address that is not one, a priority that does not exist) is said
in ``Mapped.notes`` and shown in the dry run.
"""

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

TICKET_STATUSES = ("Open", "Replied", "Waiting on Customer", "Resolved", "Closed")
# History: the app's SLA engine leaves these as measured by the source (sla.service.kept_as_imported).
DONE_STATUSES = frozenset({"Resolved", "Closed"})

# ERPNext Issue (erpnext/support/doctype/issue/issue.json): Open, Replied, On Hold, Resolved, Closed.
# "On Hold" is ERPNext's paused state, the app's "Waiting on Customer" (which pauses the SLA clock).
ISSUE_STATUSES = {
	"Open": "Open",
	"Replied": "Replied",
	"On Hold": "Waiting on Customer",
	"Resolved": "Resolved",
	"Closed": "Closed",
}
# Helpdesk's status is a Link to HD Ticket Status; its defaults are these, and every status (also one a
# manager added) has a category: Open, Paused or Resolved.
HELPDESK_STATUSES = {
	"Open": "Open",
	"Replied": "Replied",
	"Paused": "Waiting on Customer",
	"Resolved": "Resolved",
	"Closed": "Closed",
}
HELPDESK_STATUS_CATEGORIES = {"Open": "Open", "Paused": "Waiting on Customer", "Resolved": "Resolved"}

# ERPNext's and Helpdesk's agreement_status values.
FULFILLED = "Fulfilled"
FAILED = "Failed"
MET = "Met"
BREACHED = "Breached"

SUBJECT_LENGTH = 140
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
_TAGS = re.compile(r"<[^>]*>")


class Unmappable(Exception):
	"""The record cannot become a ticket as it is; the message says why and what to do."""


def map_status(
	status: str | None,
	table: Mapping[str, str],
	overrides: Mapping[str, str] | None = None,
	category: str | None = None,
	category_table: Mapping[str, str] | None = None,
) -> str:
	"""The Ticket status of a source status: the manager's override, the table, then the status's category."""
	value = (status or "").strip()
	if overrides and value in overrides:
		return overrides[value]
	if value in table:
		return table[value]
	if category_table and category in category_table:
		return category_table[category]
	if not value:
		raise Unmappable("it has no status")
	known = ", ".join(sorted(set(table) | set(overrides or {})))
	raise Unmappable(
		f"its status {value!r} has no Ticket status (known: {known}); map it with --map-status "
		f"'{value}=<{'|'.join(TICKET_STATUSES)}>'"
	)


def parse_status_overrides(pairs: Iterable[str]) -> dict[str, str]:
	"""``["Escalated=Open", "Waiting=Waiting on Customer"]`` → a dict; a target that is no Ticket status
	is refused."""
	overrides = {}
	for pair in pairs:
		source, sep, target = (pair or "").partition("=")
		source, target = source.strip(), target.strip()
		if not sep or not source or not target:
			raise ValueError(f"{pair!r} is not SOURCE=TICKET_STATUS")
		if target not in TICKET_STATUSES:
			raise ValueError(f"{target!r} is not a Ticket status ({', '.join(TICKET_STATUSES)})")
		overrides[source] = target
	return overrides


def map_priority(
	priority: str | None, known: Iterable[str], fallback: str | None
) -> tuple[str | None, str | None]:
	"""(the Issue Priority to use, a note when the source's could not be kept)."""
	known = set(known)
	if priority and priority in known:
		return priority, None
	if priority:
		return fallback, f"priority {priority!r} does not exist here; {fallback or 'none'} is used"
	return fallback, None


def channel_of(via_portal: bool, email_account: str | None, raised_by: str | None, owner: str | None) -> str:
	"""How the request came in: the portal, mail (an Email Account, or a record made by the mail pull),
	else staff typed it."""
	if via_portal:
		return "Portal"
	if email_account:
		return "Email"
	if raised_by and owner in (None, "", "Administrator", "Guest"):
		return "Email"
	return "Staff"


def plain_text(html: str | None) -> str:
	return re.sub(r"\s+", " ", _TAGS.sub(" ", html or "")).strip()


def subject_of(subject: str | None, description: str | None, source_name: str, label: str = "Issue") -> str:
	text = (subject or "").strip() or plain_text(description)[:SUBJECT_LENGTH].strip()
	return (text or f"{label} {source_name}")[:SUBJECT_LENGTH]


def clean_email(value: str | None) -> tuple[str | None, str | None]:
	"""(a usable address or None, a note when the source's value is not one)."""
	text = (value or "").strip()
	if not text:
		return None, None
	if "<" in text and ">" in text:
		text = text[text.rfind("<") + 1 : text.rfind(">")].strip()
	if _EMAIL.match(text):
		return text, None
	return None, f"raised_by {value!r} is not an email address; it is kept as the sender's name"


def seconds(value) -> float | None:
	if value in (None, ""):
		return None
	try:
		number = float(value)
	except (TypeError, ValueError):
		return None
	return number if number >= 0 else None


def sla_facts(
	*,
	done: bool,
	agreement_status: str | None,
	sla_name: str | None,
	first_responded_on: datetime | None,
	response_by: datetime | None,
	resolved_on: datetime | None,
	resolution_by: datetime | None,
	first_response_seconds: float | None,
	resolution_seconds: float | None,
	source_label: str,
) -> dict:
	"""The SLA fields of an imported ticket, as the source measured them.

	Closed history keeps its verdict (Met or Breached), deadlines and times; ``sla_notified_status``
	equals the verdict so the SLA monitor does not announce a breach of years ago. Open tickets keep only
	their first response: the app's policy applies to them from the import on (importer.start_sla).
	"""
	facts = {
		"first_response_time": seconds(first_response_seconds) if first_responded_on else None,
		"first_responded_on": first_responded_on,
	}
	if not done:
		return facts
	facts["resolution_time"] = seconds(resolution_seconds)
	facts["response_due"] = response_by
	facts["resolution_due"] = resolution_by
	response_missed = bool(response_by and (first_responded_on is None or first_responded_on > response_by))
	resolution_missed = bool(resolution_by and resolved_on and resolved_on > resolution_by)
	if agreement_status == FULFILLED:
		verdict = MET
	elif agreement_status == FAILED:
		verdict = BREACHED
	elif sla_name and (response_by or resolution_by):
		verdict = BREACHED if response_missed or resolution_missed else MET
	else:
		verdict = None
	breached_on = None
	if verdict == BREACHED:
		missed = [
			due for due, hit in ((response_by, response_missed), (resolution_by, resolution_missed)) if hit
		]
		breached_on = min(missed) if missed else (response_by or resolution_by or resolved_on)
	facts.update(
		{
			"sla_status": verdict,
			"sla_notified_status": verdict,
			"sla_breached_on": breached_on,
			"sla_reason": (
				f"Kept as measured in {source_label}"
				+ (f" (agreement {sla_name}: {agreement_status or verdict})" if sla_name else "")
				if verdict
				else None
			),
		}
	)
	return facts


@dataclass(frozen=True)
class SourceRecord:
	"""One Issue or HD Ticket, in the shape both sources share."""

	doctype: str
	name: str
	subject: str | None = None
	description: str | None = None
	status: str | None = None
	status_category: str | None = None
	priority: str | None = None
	ticket_type: str | None = None
	team: str | None = None
	customer: str | None = None
	contact: str | None = None
	raised_by: str | None = None
	opened_at: datetime | None = None
	modified: datetime | None = None
	owner: str | None = None
	modified_by: str | None = None
	first_responded_on: datetime | None = None
	first_response_seconds: float | None = None
	resolved_on: datetime | None = None
	resolution_seconds: float | None = None
	response_by: datetime | None = None
	resolution_by: datetime | None = None
	agreement_status: str | None = None
	sla_name: str | None = None
	via_portal: bool = False
	email_account: str | None = None
	assign: str | None = None
	user_tags: str | None = None
	feedback_rating: float | None = None


@dataclass(frozen=True)
class ContactFacts:
	full_name: str | None
	# The contact's customer when it has exactly one (as Ticket.set_customer_from_contact decides).
	customer: str | None


@dataclass(frozen=True)
class Context:
	priorities: frozenset[str]
	default_priority: str | None
	default_category: str | None = None
	# source type (Issue Type / HD Ticket Type) → Support Category
	categories: Mapping[str, str] = field(default_factory=dict)
	# Support Category → {"default_priority", "team", "responsible"}
	category_facts: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
	contacts: Mapping[str, ContactFacts] = field(default_factory=dict)
	# existing Customer name → customer_name
	customers: Mapping[str, str] = field(default_factory=dict)
	# lower-cased address → Contact
	contact_by_email: Mapping[str, str] = field(default_factory=dict)
	# source team (HD Team) → User Group
	teams: Mapping[str, str] = field(default_factory=dict)
	status_table: Mapping[str, str] = field(default_factory=lambda: ISSUE_STATUSES)
	status_categories: Mapping[str, str] | None = None
	status_overrides: Mapping[str, str] = field(default_factory=dict)
	source_label: str = "ERPNext Issue"


@dataclass
class Mapped:
	source: str
	values: dict | None = None
	status_from: str | None = None
	unmappable: str | None = None
	notes: list[str] = field(default_factory=list)
	# A valid sender address with no Contact yet: the importer makes one (as the Ticket form would).
	needs_contact: str | None = None

	@property
	def status(self) -> str | None:
		return self.values["status"] if self.values else None


def map_record(record: SourceRecord, context: Context, clean_html: Callable[[str], str] = str) -> Mapped:
	"""The Ticket's values for one source record, or why it cannot be imported."""
	mapped = Mapped(source=record.name, status_from=record.status)
	try:
		status = map_status(
			record.status,
			context.status_table,
			context.status_overrides,
			record.status_category,
			context.status_categories,
		)
	except Unmappable as error:
		mapped.unmappable = str(error)
		return mapped
	notes = mapped.notes

	category = context.categories.get(record.ticket_type) if record.ticket_type else None
	if record.ticket_type and not category:
		notes.append(f"type {record.ticket_type!r} has no category")
	category = category or context.default_category
	category_facts = context.category_facts.get(category or "", {})

	priority, note = map_priority(
		record.priority,
		context.priorities,
		category_facts.get("default_priority") or context.default_priority,
	)
	if note:
		notes.append(note)

	raised_by, note = clean_email(record.raised_by)
	raised_by_name = None
	if note:
		notes.append(note)
		raised_by_name = (record.raised_by or "").strip()[:140] or None

	contact = record.contact if record.contact in context.contacts else None
	if record.contact and not contact:
		notes.append(f"contact {record.contact!r} does not exist")
	if not contact and raised_by:
		contact = context.contact_by_email.get(raised_by.lower())
		if not contact:
			mapped.needs_contact = raised_by
	contact_facts = context.contacts.get(contact or "", ContactFacts(None, None))
	raised_by_name = raised_by_name or contact_facts.full_name

	customer = record.customer if record.customer in context.customers else None
	if record.customer and not customer:
		notes.append(f"customer {record.customer!r} does not exist")
	customer = customer or contact_facts.customer

	team = context.teams.get(record.team) if record.team else None
	if record.team and not team:
		notes.append(f"team {record.team!r} has no User Group")

	done = status in DONE_STATUSES
	resolved_on = (record.resolved_on or record.modified) if done else None
	values = {
		"subject": subject_of(record.subject, record.description, record.name, record.doctype),
		"description": clean_html(record.description) if record.description else None,
		"status": status,
		"priority": priority,
		"category": category,
		"channel": channel_of(record.via_portal, record.email_account, raised_by, record.owner),
		"customer": customer,
		"customer_name": context.customers.get(customer) if customer else None,
		"contact": contact,
		"raised_by": raised_by,
		"raised_by_name": raised_by_name,
		"team": team or category_facts.get("team"),
		"responsible": category_facts.get("responsible"),
		"assignment_reason": f"Imported from {context.source_label} {record.name}.",
		"resolved_on": resolved_on,
		"creation": record.opened_at or record.modified,
		"modified": record.modified or record.opened_at,
		"owner": record.owner or "Administrator",
		"modified_by": record.modified_by or record.owner or "Administrator",
		"_assign": assignees_json(record.assign),
		"_user_tags": record.user_tags or None,
		"feedback_rating": record.feedback_rating or 0,
		"reopen_count": 0,
		"imported_from_doctype": record.doctype,
		"imported_from": record.name,
	}
	values.update(
		sla_facts(
			done=done,
			agreement_status=record.agreement_status,
			sla_name=record.sla_name,
			first_responded_on=record.first_responded_on,
			response_by=record.response_by,
			resolved_on=resolved_on,
			resolution_by=record.resolution_by,
			first_response_seconds=record.first_response_seconds,
			resolution_seconds=record.resolution_seconds,
			source_label=f"{context.source_label} {record.name}",
		)
	)
	mapped.values = values
	return mapped


def assignees_json(raw: str | None) -> str | None:
	"""The source's ``_assign`` (a JSON list of users), kept only when it is one."""
	if not raw:
		return None
	try:
		users = json.loads(raw)
	except (TypeError, ValueError):
		return None
	if not isinstance(users, list) or not all(isinstance(user, str) for user in users):
		return None
	return json.dumps(users) if users else None


def customer_for(
	hd_customer: str | None, erpnext_customer: str | None, customers_by_name: Mapping[str, str]
) -> str | None:
	"""An HD Customer is the ERPNext Customer its ``erpnext_customer`` names, else the Customer of the same
	name (record name or customer name, ignoring case)."""
	for candidate in (erpnext_customer, hd_customer):
		if candidate and candidate.strip().lower() in customers_by_name:
			return customers_by_name[candidate.strip().lower()]
	return None
