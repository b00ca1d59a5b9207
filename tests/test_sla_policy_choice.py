from support_center.sla.policy import PolicyCriteria, TicketFacts, choose_policy

TICKET = TicketFacts(
	priority="High",
	customer="Northwind",
	channel="Email",
	category_path=("Refunds", "Billing and Payments", "All Topics"),
	customer_group_path=("Commercial", "All Customer Groups"),
)


def test_the_most_specific_matching_policy_wins_and_says_why():
	policies = [
		PolicyCriteria("Standard", is_default=True),
		PolicyCriteria("Billing", category="Billing and Payments"),
		PolicyCriteria("Billing High", category="Billing and Payments", priority="High"),
		PolicyCriteria("Phone", channel="Phone"),
	]
	choice = choose_policy(TICKET, policies)
	assert choice.policy == "Billing High"
	assert choice.reason == "Billing High: matches category Billing and Payments, priority High"


def test_a_closer_category_beats_a_parent_with_as_many_criteria():
	policies = [
		PolicyCriteria("Billing", category="Billing and Payments"),
		PolicyCriteria("Refunds", category="Refunds"),
	]
	assert choose_policy(TICKET, policies).policy == "Refunds"


def test_the_default_applies_when_nothing_else_matches():
	policies = [PolicyCriteria("Standard", is_default=True), PolicyCriteria("VIP", customer="Volga")]
	choice = choose_policy(TICKET, policies)
	assert choice.policy == "Standard"
	assert "default" in choice.reason


def test_no_policy_at_all():
	assert choose_policy(TICKET, [PolicyCriteria("VIP", customer="Volga")]).policy is None


def test_a_condition_must_hold():
	policies = [PolicyCriteria("Big", condition="doc.x"), PolicyCriteria("Any", customer_group="Commercial")]
	assert choose_policy(TICKET, policies, lambda condition: False).policy == "Any"
	assert choose_policy(TICKET, policies, lambda condition: True).policy in {"Big", "Any"}


def test_ties_are_broken_by_name_so_the_choice_is_stable():
	policies = [PolicyCriteria("B", channel="Email"), PolicyCriteria("A", priority="High")]
	assert choose_policy(TICKET, policies).policy == "A"
	assert choose_policy(TICKET, list(reversed(policies))).policy == "A"


def test_a_customer_group_matches_its_subgroups():
	assert (
		choose_policy(TICKET, [PolicyCriteria("All", customer_group="All Customer Groups")]).policy == "All"
	)
	assert choose_policy(TICKET, [PolicyCriteria("Gov", customer_group="Government")]).policy is None
