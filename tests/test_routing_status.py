import pytest

from support_center.routing import status as s


@pytest.mark.parametrize(
	("event", "current", "expected"),
	[
		(s.AGENT_REPLY, s.OPEN, s.REPLIED),
		(s.AGENT_REPLY, s.WAITING, None),
		(s.AGENT_REPLY, s.RESOLVED, None),
		(s.AGENT_REPLY, s.CLOSED, None),
		(s.CUSTOMER_REPLY, s.REPLIED, s.OPEN),
		(s.CUSTOMER_REPLY, s.WAITING, s.OPEN),
		(s.CUSTOMER_REPLY, s.RESOLVED, s.OPEN),
		(s.CUSTOMER_REPLY, s.OPEN, None),
		(s.CUSTOMER_REPLY, s.CLOSED, None),
		(s.AUTO_CLOSE, s.RESOLVED, s.CLOSED),
		(s.AUTO_CLOSE, s.OPEN, None),
	],
)
def test_app_targets(event, current, expected):
	assert s.app_target(event, current) == expected
	assert s.app_target(event, current, s.STATUSES) == expected


def test_app_never_moves_into_a_state_the_workflow_lost():
	states = [s.OPEN, s.RESOLVED, s.CLOSED]
	assert s.app_target(s.AGENT_REPLY, s.OPEN, states) is None
	assert s.app_target(s.CUSTOMER_REPLY, s.RESOLVED, states) == s.OPEN


def test_every_status_is_reachable_and_every_transition_uses_known_states():
	reachable, frontier = {s.OPEN}, [s.OPEN]
	while frontier:
		state = frontier.pop()
		for frm, _action, to, roles in s.TRANSITIONS:
			assert {frm, to} <= set(s.STATUSES) and roles
			if frm == state and to not in reachable:
				reachable.add(to)
				frontier.append(to)
	assert reachable == set(s.STATUSES)


def test_roles_decide_transitions():
	assert s.CLOSED not in s.allowed_targets(s.OPEN, [s.AGENT])
	assert s.CLOSED in s.allowed_targets(s.OPEN, [s.MANAGER])
	assert s.allowed_targets(s.CLOSED, [s.AGENT]) == set()
	assert s.allowed_targets(s.CLOSED, [s.MANAGER]) == {s.OPEN}
	assert s.allowed_targets(s.RESOLVED, [s.AGENT]) == {s.OPEN, s.CLOSED}


@pytest.mark.parametrize(
	("old", "new", "expected"),
	[
		(s.RESOLVED, s.OPEN, True),
		(s.CLOSED, s.OPEN, True),
		(s.RESOLVED, s.CLOSED, False),
		(None, s.OPEN, False),
	],
)
def test_reopen(old, new, expected):
	assert s.is_reopen(old, new) is expected
