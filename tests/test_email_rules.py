"""Email intake decisions (support_center/intake/email_rules.py): pure, no Frappe."""

import importlib.util
import pathlib
from datetime import datetime, timedelta

_PATH = pathlib.Path(__file__).resolve().parents[1] / "support_center" / "intake" / "email_rules.py"
_spec = importlib.util.spec_from_file_location("email_rules", _PATH)
rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules)

NOW = datetime(2026, 11, 22, 12, 0)


def test_thread_ids_in_reply_to_first_then_references_newest_first_without_duplicates():
	assert rules.thread_ids("<c@x>", "<a@x> <b@x>\r\n <c@x>") == ["c@x", "b@x", "a@x"]
	assert rules.thread_ids(None, "<a@x>") == ["a@x"]
	assert rules.thread_ids("bare@x", None) == ["bare@x"]
	assert rules.thread_ids("", "") == []


def test_ticket_number_only_for_the_tickets_own_people():
	ticket = rules.TicketParty("Alice@x.com", ["alice@x.com", "a2@x.com"], "ACME")
	assert rules.may_use_ticket_number("alice@x.com", None, ticket)
	assert rules.may_use_ticket_number("A2@X.com", None, ticket)
	assert rules.may_use_ticket_number("dave@acme.com", "ACME", ticket)
	assert not rules.may_use_ticket_number("mallory@evil.com", None, ticket)
	assert not rules.may_use_ticket_number("mallory@evil.com", "Other", ticket)
	assert not rules.may_use_ticket_number(None, "ACME", ticket)
	no_customer = rules.TicketParty("alice@x.com", [], None)
	assert not rules.may_use_ticket_number("bob@x.com", None, no_customer)


def test_closed_reply_appends_within_the_window_else_opens_a_new_ticket():
	assert rules.closed_reply_action(NOW - timedelta(days=3), NOW, 14) == rules.APPEND
	assert rules.closed_reply_action(NOW - timedelta(days=14), NOW, 14) == rules.APPEND
	assert rules.closed_reply_action(NOW - timedelta(days=15), NOW, 14) == rules.NEW_TICKET
	assert rules.closed_reply_action(NOW, NOW, 0) == rules.NEW_TICKET
	assert rules.closed_reply_action(None, NOW, 14) == rules.NEW_TICKET
