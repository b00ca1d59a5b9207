import pytest

from support_center.routing import assignment as a

TEAM = ["ann", "bob", "cat"]


def test_condition_lists_the_teams_categories_and_skips_routed_tickets():
	condition = a.rule_condition(["Refunds", "Billing", "Refunds"])
	assert condition == "category in ['Billing', 'Refunds'] and not assignment_reason"
	assert eval(condition, {}, {"category": "Billing", "assignment_reason": None})
	assert not eval(condition, {}, {"category": "Billing", "assignment_reason": "done"})
	assert not eval(condition, {}, {"category": "Shipping", "assignment_reason": None})


def test_condition_of_a_team_without_categories_matches_nothing():
	assert a.rule_condition([]) == "False"


def test_condition_quotes_awkward_category_names_safely():
	condition = a.rule_condition(['It\'s "broken"'])
	assert eval(condition, {}, {"category": 'It\'s "broken"', "assignment_reason": ""})


@pytest.mark.parametrize(
	("last", "candidates", "expected"),
	[
		(None, TEAM, "ann"),
		("ann", TEAM, "bob"),
		("cat", TEAM, "ann"),
		("ann", ["ann", "cat"], "cat"),  # bob away: the turn skips him, not restarts
		("bob", ["ann", "cat"], "cat"),  # last user away: continue after him
		("gone", TEAM, "ann"),
		("ann", [], None),
	],
)
def test_round_robin_continues_the_turn(last, candidates, expected):
	assert a.round_robin_next(TEAM, last, candidates) == expected


def test_least_loaded_breaks_ties_in_rule_order():
	assert a.least_loaded(TEAM, {"ann": 2, "bob": 1, "cat": 1}) == "bob"
	assert a.least_loaded(TEAM, {}) == "ann"
	assert a.least_loaded([], {}) is None


def test_available_agents_are_preferred_away_ones_only_as_a_last_resort():
	assert a.preferred(TEAM, {"ann"}) == (["bob", "cat"], False)
	assert a.preferred(TEAM, set(TEAM)) == (TEAM, True)
	assert a.preferred([], set()) == ([], False)


@pytest.mark.parametrize(
	("earlier", "expected"),
	[(0, None), (2, None), (3, "bob"), (10, "bob")],
)
def test_sticky_agent_starts_at_the_threshold(earlier, expected):
	assert a.sticky_agent(["bob", "ann"], earlier, 3, TEAM, TEAM) == expected


def test_sticky_agent_must_be_in_the_team_and_available():
	assert a.sticky_agent(["zed"], 5, 3, TEAM, TEAM) is None
	assert a.sticky_agent(["bob"], 5, 3, TEAM, ["ann"]) is None
	assert a.sticky_agent(["bob"], 5, 0, TEAM, TEAM) is None  # 0 turns it off
	assert a.sticky_agent([], 5, 3, TEAM, TEAM) is None


def test_decide_round_robin_skips_people_off_today_and_away():
	decision = a.decide(mode=a.ROUND_ROBIN, order=TEAM, last_user="ann", off_today={"bob"}, away=set())
	assert (decision.user, decision.reason) == ("cat", a.BY_RULE)
	decision = a.decide(mode=a.ROUND_ROBIN, order=TEAM, last_user="ann", off_today=set(), away={"bob", "cat"})
	assert decision.user == "ann"


def test_decide_uses_away_agents_only_when_nobody_is_available():
	decision = a.decide(mode=a.ROUND_ROBIN, order=TEAM, last_user=None, off_today=set(), away=set(TEAM))
	assert (decision.user, decision.reason) == ("ann", a.BY_RULE_ONLY_AWAY)


def test_decide_leaves_the_ticket_when_nobody_works_today():
	decision = a.decide(mode=a.LOAD_BALANCING, order=TEAM, last_user=None, off_today=set(TEAM), away=set())
	assert (decision.user, decision.reason) == (None, a.NOBODY)


def test_decide_load_balancing():
	decision = a.decide(
		mode=a.LOAD_BALANCING,
		order=TEAM,
		last_user=None,
		off_today=set(),
		away={"bob"},
		open_counts={"ann": 4, "bob": 0, "cat": 2},
	)
	assert decision.user == "cat"


def test_decide_based_on_field_falls_back_when_the_responsible_is_away():
	kwargs = dict(mode=a.BASED_ON_FIELD, order=TEAM, last_user="ann", off_today=set())
	assert a.decide(**kwargs, away=set(), field_user="cat").user == "cat"
	fallback = a.decide(**kwargs, away={"cat"}, field_user="cat")
	assert (fallback.user, fallback.reason) == ("bob", a.RESPONSIBLE_UNAVAILABLE)
	assert a.decide(**kwargs, away=set(), field_user="outsider").user == "bob"


def test_sticky_wins_over_the_rule():
	decision = a.decide(
		mode=a.ROUND_ROBIN, order=TEAM, last_user=None, off_today=set(), away=set(), sticky="cat"
	)
	assert (decision.user, decision.reason) == ("cat", a.STICKY)
