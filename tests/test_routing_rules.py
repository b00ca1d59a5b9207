import pytest

from support_center.routing.rules import (
	SUBJECT,
	PatternError,
	RoutingRule,
	TicketFacts,
	compile_patterns,
	describe,
	first_match,
)


def facts(**values) -> TicketFacts:
	return TicketFacts(**values)


def test_the_first_matching_rule_in_order_wins():
	rules = [
		RoutingRule("catch-all", sequence=100, category="General"),
		RoutingRule("billing", sequence=10, patterns="invoice\nrefund", category="Billing"),
		RoutingRule("outage", sequence=5, patterns="/down|outage/", category="Incidents", priority="Urgent"),
	]
	assert first_match(rules, facts(subject="Please send the invoice")).rule.name == "billing"
	assert first_match(rules, facts(subject="Site is DOWN, invoice too")).rule.name == "outage"
	assert first_match(rules, facts(subject="Hello")).rule.name == "catch-all"


def test_ties_in_sequence_are_broken_by_name():
	rules = [RoutingRule("b", sequence=1), RoutingRule("a", sequence=1)]
	assert first_match(rules, facts()).rule.name == "a"


def test_words_match_whole_words_case_insensitively_and_across_spaces():
	rule = RoutingRule("r", patterns="credit note")
	assert first_match([rule], facts(subject="About the CREDIT   note"))
	assert not first_match([rule], facts(subject="credit notes"))
	assert not first_match([rule], facts(subject="discredit note"))


def test_subject_only_rules_ignore_the_text():
	rule = RoutingRule("r", patterns="refund", match_in=SUBJECT)
	assert not first_match([rule], facts(subject="Question", text="I want a refund"))
	assert first_match([RoutingRule("r", patterns="refund")], facts(subject="Question", text="a refund"))


def test_every_condition_set_must_hold():
	rule = RoutingRule("r", channel="Email", email_account="Sales", customer="ACME", patterns="quote")
	good = dict(channel="Email", email_account="Sales", customer="ACME", subject="quote please")
	assert first_match([rule], facts(**good)).conditions == (
		"email account Sales",
		"channel Email",
		"customer ACME",
		'text matches "quote"',
	)
	for key, other in (("channel", "Phone"), ("email_account", "Support"), ("customer", "Other")):
		assert first_match([rule], facts(**{**good, key: other})) is None


def test_support_channel_and_customer_group_with_its_ancestors():
	rule = RoutingRule("r", support_channel="Telegram Bot", customer_group="Commercial")
	assert first_match(
		[rule], facts(support_channel="Telegram Bot", customer_group_path=("Key Accounts", "Commercial"))
	)
	assert not first_match([rule], facts(support_channel="Telegram Bot", customer_group_path=("Retail",)))


def test_the_language_is_read_only_when_a_rule_asks_for_it():
	calls = []

	def language():
		calls.append(1)
		return "de-CH"

	ticket = facts(subject="Hallo", language_of=language)
	assert first_match([RoutingRule("plain", patterns="hallo")], ticket)
	assert calls == []
	rules = [
		RoutingRule("fr", language="fr"),
		RoutingRule("de", language="de"),
		RoutingRule("x", language="de"),
	]
	assert first_match(rules, ticket).rule.name == "de"
	assert calls == [1]


def test_a_bad_regular_expression_is_refused_with_its_entry():
	with pytest.raises(PatternError, match=r"/\(unclosed/"):
		compile_patterns("fine\n/(unclosed/")


def test_huge_texts_are_cut_before_matching():
	rule = RoutingRule("r", patterns="needle")
	assert not first_match([rule], facts(text="x " * 20_000 + "needle"))


def test_describe_names_conditions_and_actions():
	match = first_match([RoutingRule("VIP", customer="ACME", team="Key Accounts")], facts(customer="ACME"))
	assert describe(match) == "Routing rule VIP (customer ACME): team Key Accounts"
	assert "every ticket" in describe(first_match([RoutingRule("all")], facts()))
