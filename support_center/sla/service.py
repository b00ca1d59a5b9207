"""The SLA engine wired to the site: policies, calendars and tickets.

The clock itself is pure (support_center.sla.engine and .calendar); this module only reads the
configuration, converts Frappe's naive system-time datetimes to aware ones and back, and writes the
results onto the ticket.
"""

import json
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import frappe
from frappe import _
from frappe.utils import get_datetime, get_system_timezone, now_datetime

from support_center.conversation.visibility import is_customer_visible
from support_center.sla.calendar import BusinessCalendar
from support_center.sla.engine import (
	Clock,
	Rules,
	SlaState,
	SlaStatus,
	Targets,
	agent_replied,
	change_status,
	customer_wrote,
	deadlines,
	open_ticket,
	record_breach,
	status_at,
)
from support_center.sla.policy import Choice, PolicyCriteria, TicketFacts, choose_policy

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TICKET_STATUSES = ("Open", "Replied", "Waiting on Customer", "Resolved", "Closed")
DONE_STATUSES = frozenset({"Resolved", "Closed"})
# Fields whose change makes the ticket choose its policy again.
POLICY_INPUTS = ("category", "priority", "customer", "channel")


def apply_sla(ticket, now: datetime | None = None) -> None:
	"""Choose the policy if its inputs changed, run the clock to now and write the SLA fields."""
	if kept_as_imported(ticket):
		return
	now_aware = to_aware(now or now_datetime())
	before = ticket.get_doc_before_save()
	if (
		ticket.is_new()
		or not before
		or any(ticket.get(f) != before.get(f) for f in POLICY_INPUTS)
		or starts_imported_clock(ticket)
	):
		choice = choose_for(ticket)
		ticket.sla_policy, ticket.sla_reason = choice.policy, choice.reason

	rules = rules_for(ticket)
	if not rules:
		clear_sla(ticket)
		return
	state = load_state(ticket)
	old_status = before.status if before else None
	if old_status != ticket.status:
		state = change_status(state, old_status, ticket.status, now_aware, rules)
	write_state(ticket, record_breach(state, now_aware, rules), rules, now_aware)


def on_communication(communication, method=None) -> None:
	"""A public reply answers the awaited response; a customer message starts the next one.

	Only the SLA fields are written, without validating the whole ticket: a message must never be
	refused because of something unrelated on its ticket, and a failure here is logged, not raised.
	"""
	# Internal mail (a question to a supplier, its answer) is neither a response nor a customer message.
	if communication.reference_doctype != "Ticket" or not is_customer_visible(communication):
		return
	if not communication.reference_name or not frappe.db.exists("Ticket", communication.reference_name):
		return
	try:
		ticket = frappe.get_doc("Ticket", communication.reference_name)
		rules = rules_for(ticket)
		if not rules:
			return
		at = to_aware(get_datetime(communication.communication_date or communication.creation))
		state = load_state(ticket)
		if communication.sent_or_received == "Sent":
			state = agent_replied(state, at, rules)
		else:
			state = customer_wrote(state, at, rules)
		now = to_aware(now_datetime())
		write_state(ticket, record_breach(state, now, rules), rules, now)
		ticket.db_update()
	except Exception:
		frappe.log_error(
			title=_("SLA clock not updated for a message"),
			reference_doctype="Ticket",
			reference_name=communication.reference_name,
		)


def replay(ticket, events: list[tuple[str, datetime]], now: datetime | None = None) -> None:
	"""Run the clock over a ticket's past, for tickets whose history is written after the fact.

	`events` are ("message" | "reply", when) or ("status:<Status>", when), in order; the clock starts
	at the ticket's creation. Writes the fields and saves them without touching `modified`.
	"""
	rules = rules_for(ticket)
	if not rules:
		return
	state = open_ticket(to_aware(get_datetime(ticket.creation)))
	status = "Open"
	for kind, when in events:
		at = to_aware(when)
		if kind == "reply":
			state = agent_replied(state, at, rules)
		elif kind == "message":
			state = customer_wrote(state, at, rules)
		else:
			new_status = kind.removeprefix("status:")
			state = change_status(state, status, new_status, at, rules)
			status = new_status
	now_aware = to_aware(now or now_datetime())
	write_state(ticket, record_breach(state, now_aware, rules), rules, now_aware)
	ticket.db_update()


def kept_as_imported(ticket) -> bool:
	"""Closed history imported from ERPNext Issue or Helpdesk (support_center/migration): its SLA facts
	(first response and resolution times, Met or Breached) are the source's measurements, and no clock of
	ours ever ran on it. Nothing recomputes them while it stays closed; reopened, it starts a clock."""
	return (
		bool(ticket.get("imported_from")) and not ticket.get("sla_clock") and ticket.status in DONE_STATUSES
	)


def starts_imported_clock(ticket) -> bool:
	"""An imported ticket whose clock has not started: the policy is chosen when it starts."""
	return bool(ticket.get("imported_from")) and not ticket.get("sla_clock") and not ticket.sla_policy


def imported_state(ticket, now: datetime) -> SlaState:
	"""An imported ticket's clock starts when our SLA starts to apply to it: at the import for an open
	ticket, at the reopening for closed history. The first response it had counts (an answered ticket
	waits for a response again only when it is Open: the customer wrote last), and so does a breach."""
	state = open_ticket(to_aware(now))
	if not ticket.get("first_responded_on"):
		return state
	return replace(
		state,
		response=state.response if ticket.status == "Open" else None,
		responded_once=True,
		first_response_seconds=ticket.get("first_response_time"),
	)


def choose_for(ticket) -> Choice:
	policies = frappe.get_all(
		"SLA Policy",
		filters={"enabled": 1},
		fields=[
			"name",
			"category",
			"priority",
			"customer",
			"customer_group",
			"channel",
			"condition",
			"default_policy",
		],
	)
	criteria = [
		PolicyCriteria(
			name=p.name,
			category=p.category,
			priority=p.priority,
			customer=p.customer,
			customer_group=p.customer_group,
			channel=p.channel,
			condition=p.condition,
			is_default=bool(p.default_policy),
		)
		for p in policies
	]
	customer_group = (
		frappe.db.get_value("Customer", ticket.customer, "customer_group") if ticket.customer else None
	)
	facts = TicketFacts(
		priority=ticket.priority,
		customer=ticket.customer,
		channel=ticket.channel,
		category_path=tree_path("Support Category", ticket.category),
		customer_group_path=tree_path("Customer Group", customer_group),
	)
	doc = ticket.as_dict()

	def condition_holds(condition: str) -> bool:
		try:
			return bool(frappe.safe_eval(condition, None, {"doc": doc}))
		except Exception:
			frappe.log_error(title=_("SLA Policy condition failed"), reference_doctype="Ticket")
			return False

	return choose_policy(facts, criteria, condition_holds)


def tree_path(doctype: str, name: str | None) -> tuple[str, ...]:
	"""The node and its ancestors, nearest first."""
	if not name:
		return ()
	bounds = frappe.db.get_value(doctype, name, ["lft", "rgt"], as_dict=True)
	if not bounds:
		return (name,)
	return tuple(
		frappe.get_all(
			doctype,
			filters={"lft": ("<=", bounds.lft), "rgt": (">=", bounds.rgt)},
			order_by="lft desc",
			pluck="name",
		)
	)


def rules_for(ticket) -> Rules | None:
	if not ticket.sla_policy:
		return None
	policy = frappe.get_cached_doc("SLA Policy", ticket.sla_policy)
	targets = targets_for(policy, ticket.priority)
	if not targets:
		return None
	return Rules(
		calendar=calendar_for(policy),
		targets=targets,
		pause_statuses=frozenset(statuses(policy.pause_statuses)),
		fulfil_statuses=frozenset(statuses(policy.fulfil_statuses)),
		warning_percent=float(policy.warning_percent or 75),
	)


def targets_for(policy, priority: str | None) -> Targets | None:
	rows = {row.priority or None: row for row in policy.targets}
	row = rows.get(priority) or rows.get(None)
	if not row:
		return None
	return Targets(
		first_response=row.first_response_time or None,
		next_response=row.next_response_time or None,
		resolution=row.resolution_time or None,
	)


def calendar_for(policy) -> BusinessCalendar:
	zone = policy.timezone or get_system_timezone()
	windows: dict[int, list[tuple[time, time]]] = {}
	for row in policy.working_hours:
		windows.setdefault(WEEKDAYS.index(row.weekday), []).append(
			(_time(row.start_time), _time(row.end_time))
		)
	if not policy.working_hours:
		windows = {day: [(time(0), time(0))] for day in range(7)}
	holidays: set[date] = set()
	if policy.holiday_list:
		holidays = {
			get_datetime(row.holiday_date).date()
			for row in frappe.get_cached_doc("Holiday List", policy.holiday_list).holidays
		}
	return BusinessCalendar(zone, windows, holidays)


def statuses(text: str | None) -> list[str]:
	return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _time(value) -> time:
	if isinstance(value, time):
		return value
	if isinstance(value, timedelta):
		seconds = int(value.total_seconds()) % 86400
		return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
	return datetime.strptime(str(value).split(".")[0], "%H:%M:%S").time()


def load_state(ticket) -> SlaState:
	raw = ticket.sla_clock
	if isinstance(raw, str) and raw:
		raw = json.loads(raw)
	if raw:
		state = SlaState(
			resolution=_clock(raw["resolution"]),
			response=_clock(raw["response"]) if raw.get("response") else None,
			responded_once=raw.get("responded_once", False),
			stopped_since=_instant(raw.get("stopped_since")),
			breached_on=_instant(raw.get("breached_on")),
			first_response_seconds=raw.get("first_response_seconds"),
			resolution_seconds=raw.get("resolution_seconds"),
		)
	elif ticket.get("imported_from"):
		state = imported_state(ticket, now_datetime())
	else:
		state = open_ticket(to_aware(get_datetime(ticket.creation) if ticket.creation else now_datetime()))
	if ticket.sla_breached_on and not state.breached_on:
		# The monitor marks breaches in SQL; the clock adopts them so a breach stays a breach.
		state = replace(state, breached_on=to_aware(get_datetime(ticket.sla_breached_on)))
	return state


def dump_state(state: SlaState) -> str:
	def encode(value):
		if isinstance(value, datetime):
			return value.isoformat()
		if isinstance(value, dict):
			return {key: encode(item) for key, item in value.items()}
		return value

	return json.dumps(encode(asdict(state)))


def write_state(ticket, state: SlaState, rules: Rules, now: datetime) -> None:
	due = deadlines(state, rules)
	status = status_at(state, ticket.status, now, rules)
	ticket.sla_clock = dump_state(state)
	ticket.response_due = to_naive(due.response_due)
	ticket.resolution_due = to_naive(due.resolution_due)
	ticket.sla_warning_at = to_naive(due.warning_at)
	ticket.sla_next_due = to_naive(due.next_due)
	ticket.sla_breached_on = to_naive(state.breached_on)
	ticket.first_response_time = state.first_response_seconds
	ticket.resolution_time = state.resolution_seconds
	ticket.sla_paused_seconds = state.resolution.stopped_seconds
	if status in (SlaStatus.PAUSED, SlaStatus.MET) or (
		status == SlaStatus.ON_TRACK and ticket.sla_status != SlaStatus.ON_TRACK
	):
		# A new stretch of the promise: its warning and breach are news again.
		ticket.sla_notified_status = None
	ticket.sla_status = status.value


def clear_sla(ticket) -> None:
	for fieldname in (
		"sla_status",
		"response_due",
		"resolution_due",
		"sla_warning_at",
		"sla_next_due",
		"sla_breached_on",
		"sla_notified_status",
	):
		ticket.set(fieldname, None)
	if ticket.sla_policy:
		ticket.sla_reason = _("{0}, but it sets no target for priority {1}").format(
			ticket.sla_reason, ticket.priority or _("(none)")
		)


def _clock(raw: dict) -> Clock:
	return Clock(start=_instant(raw["start"]), stopped_seconds=raw.get("stopped_seconds", 0.0))


def _instant(value: str | None) -> datetime | None:
	return datetime.fromisoformat(value) if value else None


def to_aware(value: datetime) -> datetime:
	"""Frappe stores naive datetimes in the system time zone."""
	if value.tzinfo:
		return value
	return value.replace(tzinfo=ZoneInfo(get_system_timezone()))


def to_naive(value: datetime | None) -> datetime | None:
	if value is None:
		return None
	return value.astimezone(ZoneInfo(get_system_timezone())).replace(tzinfo=None)
