"""The ticket workflow and the app's own status changes: pure rules, no database.

The desk workflow (Frappe Workflow "Ticket Workflow", see ``routing.workflow``) is what people click.
The app also moves tickets by itself (an agent's reply, a customer's reply, auto-close). Those moves are
decided here, from the event and the current status only, so they stay the same whatever a manager does
to the workflow's transitions; the one thing an edited workflow changes is that the app never moves a
ticket into a state the workflow no longer has.
"""

from collections.abc import Iterable

OPEN = "Open"
REPLIED = "Replied"
WAITING = "Waiting on Customer"
RESOLVED = "Resolved"
CLOSED = "Closed"
STATUSES = (OPEN, REPLIED, WAITING, RESOLVED, CLOSED)
DONE = frozenset({RESOLVED, CLOSED})

AGENT = "Support Team"
MANAGER = "Support Manager"

AGENT_REPLY = "agent_reply"
CUSTOMER_REPLY = "customer_reply"
AUTO_CLOSE = "auto_close"

# (from, action, to, roles allowed). Agents work tickets; closing without resolving and reopening a
# closed ticket are a manager's call. Managers can do everything agents can.
TRANSITIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
	(OPEN, "Mark Replied", REPLIED, (AGENT, MANAGER)),
	(OPEN, "Wait for Customer", WAITING, (AGENT, MANAGER)),
	(REPLIED, "Wait for Customer", WAITING, (AGENT, MANAGER)),
	(REPLIED, "Reopen", OPEN, (AGENT, MANAGER)),
	(WAITING, "Reopen", OPEN, (AGENT, MANAGER)),
	(OPEN, "Resolve", RESOLVED, (AGENT, MANAGER)),
	(REPLIED, "Resolve", RESOLVED, (AGENT, MANAGER)),
	(WAITING, "Resolve", RESOLVED, (AGENT, MANAGER)),
	(RESOLVED, "Reopen", OPEN, (AGENT, MANAGER)),
	(RESOLVED, "Close", CLOSED, (AGENT, MANAGER)),
	(OPEN, "Close", CLOSED, (MANAGER,)),
	(REPLIED, "Close", CLOSED, (MANAGER,)),
	(WAITING, "Close", CLOSED, (MANAGER,)),
	(CLOSED, "Reopen", OPEN, (MANAGER,)),
)


def allowed_targets(current: str, roles: Iterable[str]) -> set[str]:
	roles = set(roles)
	return {to for frm, _action, to, allowed in TRANSITIONS if frm == current and roles & set(allowed)}


def app_target(event: str, current: str, workflow_states: Iterable[str] | None = None) -> str | None:
	"""Where the app moves a ticket on ``event``, or None to leave it.

	- an agent's public reply answers an Open ticket (Replied); other states stay (a follow-up to a
	  customer who is already waiting, or on a resolved ticket, does not change who acts next);
	- a customer's reply hands the ticket back to the desk (Open), reopening a Resolved one; a Closed
	  ticket stays closed;
	- auto-close closes Resolved tickets.

	``workflow_states``: the states of the active workflow, if any; a target it lacks is not applied.
	"""
	target = None
	if event == AGENT_REPLY and current == OPEN:
		target = REPLIED
	elif event == CUSTOMER_REPLY and current in (REPLIED, WAITING, RESOLVED):
		target = OPEN
	elif event == AUTO_CLOSE and current == RESOLVED:
		target = CLOSED
	if target is None:
		return None
	if workflow_states is not None and target not in set(workflow_states):
		return None
	return target


def is_reopen(old: str | None, new: str) -> bool:
	"""A done ticket going back to work: counts against first-contact resolution."""
	return old in DONE and new not in DONE
