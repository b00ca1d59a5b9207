"""What an ERPNext Issue or a Helpdesk ticket becomes (support_center.migration.mapping), without Frappe."""

import json
from datetime import datetime, timedelta

import pytest

from support_center.migration.mapping import (
	HELPDESK_STATUS_CATEGORIES,
	HELPDESK_STATUSES,
	ISSUE_STATUSES,
	TICKET_STATUSES,
	ContactFacts,
	Context,
	SourceRecord,
	Unmappable,
	assignees_json,
	channel_of,
	clean_email,
	customer_for,
	map_priority,
	map_record,
	map_status,
	parse_status_overrides,
	sla_facts,
	subject_of,
)

T0 = datetime(2024, 3, 4, 9, 0)


def context(**values) -> Context:
	defaults = {
		"priorities": frozenset({"Low", "Medium", "High", "Urgent"}),
		"default_priority": "Medium",
		"default_category": "General",
		"categories": {"Billing": "Billing"},
		"category_facts": {
			"Billing": {"default_priority": "High", "team": "Finance", "responsible": "boss@x.test"},
			"General": {"default_priority": None, "team": None, "responsible": None},
		},
		"contacts": {"C-1": ContactFacts("Olga Petrova", "ACME"), "C-2": ContactFacts("Ann", None)},
		"customers": {"ACME": "ACME Ltd", "Globex": "Globex Corp"},
		"contact_by_email": {"olga@acme.test": "C-1"},
	}
	defaults.update(values)
	return Context(**defaults)


def issue(**values) -> SourceRecord:
	defaults = {
		"doctype": "Issue",
		"name": "ISS-2024-00001",
		"subject": "Printer smokes",
		"description": "<p>It smokes</p>",
		"status": "Open",
		"raised_by": "olga@acme.test",
		"opened_at": T0,
		"modified": T0 + timedelta(days=2),
		"owner": "Administrator",
	}
	defaults.update(values)
	return SourceRecord(**defaults)


@pytest.mark.parametrize(
	("source", "ticket"),
	[
		("Open", "Open"),
		("Replied", "Replied"),
		("On Hold", "Waiting on Customer"),
		("Resolved", "Resolved"),
		("Closed", "Closed"),
	],
)
def test_every_issue_status_has_a_ticket_status(source, ticket):
	assert map_status(source, ISSUE_STATUSES) == ticket
	assert ticket in TICKET_STATUSES


def test_an_unknown_status_is_unmappable_with_the_way_out_unless_overridden():
	with pytest.raises(Unmappable, match=r"'Escalated' has no Ticket status.*--map-status"):
		map_status("Escalated", ISSUE_STATUSES)
	with pytest.raises(Unmappable, match="no status"):
		map_status("", ISSUE_STATUSES)
	assert map_status("Escalated", ISSUE_STATUSES, {"Escalated": "Open"}) == "Open"
	# An override wins over the table.
	assert map_status("On Hold", ISSUE_STATUSES, {"On Hold": "Open"}) == "Open"


def test_helpdesk_statuses_map_by_name_then_by_their_category():
	assert map_status("Paused", HELPDESK_STATUSES) == "Waiting on Customer"
	assert (
		map_status("Needs Parts", HELPDESK_STATUSES, None, "Paused", HELPDESK_STATUS_CATEGORIES)
		== "Waiting on Customer"
	)
	assert map_status("Done", HELPDESK_STATUSES, None, "Resolved", HELPDESK_STATUS_CATEGORIES) == "Resolved"
	with pytest.raises(Unmappable):
		map_status("Weird", HELPDESK_STATUSES, None, None, HELPDESK_STATUS_CATEGORIES)


def test_status_overrides_are_parsed_and_bad_targets_refused():
	assert parse_status_overrides(["Escalated=Open", " Waiting = Waiting on Customer "]) == {
		"Escalated": "Open",
		"Waiting": "Waiting on Customer",
	}
	with pytest.raises(ValueError, match="not a Ticket status"):
		parse_status_overrides(["Escalated=Pending"])
	with pytest.raises(ValueError, match="SOURCE=TICKET_STATUS"):
		parse_status_overrides(["Escalated"])


def test_priority_is_kept_when_it_exists_else_the_fallback_with_a_note():
	assert map_priority("High", {"High", "Low"}, "Medium") == ("High", None)
	assert map_priority(None, {"High"}, "Medium") == ("Medium", None)
	priority, note = map_priority("P1", {"High"}, "Medium")
	assert priority == "Medium" and "'P1' does not exist" in note


def test_channel_subject_and_address():
	assert channel_of(True, "Support", "a@b.test", "x@y.test") == "Portal"
	assert channel_of(False, "Support", None, "agent@x.test") == "Email"
	assert channel_of(False, None, "a@b.test", "Administrator") == "Email"
	assert channel_of(False, None, "a@b.test", "agent@x.test") == "Staff"
	assert subject_of("  ", "<p>Hello <b>there</b></p>", "ISS-1") == "Hello there"
	assert subject_of(None, None, "ISS-1") == "Issue ISS-1"
	assert len(subject_of("x" * 300, None, "ISS-1")) == 140
	assert clean_email(" Olga <olga@acme.test> ") == ("olga@acme.test", None)
	address, note = clean_email("Olga Petrova")
	assert address is None and "not an email address" in note
	assert clean_email(None) == (None, None)


def test_closed_history_keeps_the_measured_sla_verdict_and_is_not_announced():
	due = T0 + timedelta(hours=4)
	met = sla_facts(
		done=True,
		agreement_status="Fulfilled",
		sla_name="Standard",
		first_responded_on=T0 + timedelta(hours=1),
		response_by=due,
		resolved_on=T0 + timedelta(hours=5),
		resolution_by=T0 + timedelta(days=1),
		first_response_seconds=3600,
		resolution_seconds=18000,
		source_label="ERPNext Issue ISS-1",
	)
	assert met["sla_status"] == met["sla_notified_status"] == "Met"
	assert (met["first_response_time"], met["resolution_time"]) == (3600, 18000)
	assert met["sla_breached_on"] is None and met["response_due"] == due
	assert "Kept as measured in ERPNext Issue ISS-1" in met["sla_reason"]

	late = sla_facts(
		done=True,
		agreement_status=None,
		sla_name="Standard",
		first_responded_on=T0 + timedelta(hours=6),
		response_by=due,
		resolved_on=T0 + timedelta(hours=7),
		resolution_by=T0 + timedelta(days=1),
		first_response_seconds=21600,
		resolution_seconds=25200,
		source_label="x",
	)
	assert late["sla_status"] == late["sla_notified_status"] == "Breached"
	assert late["sla_breached_on"] == due

	failed = sla_facts(
		done=True,
		agreement_status="Failed",
		sla_name="Standard",
		first_responded_on=T0,
		response_by=None,
		resolved_on=T0 + timedelta(days=3),
		resolution_by=T0 + timedelta(days=2),
		first_response_seconds=0,
		resolution_seconds=None,
		source_label="x",
	)
	assert failed["sla_status"] == "Breached" and failed["sla_breached_on"] == T0 + timedelta(days=2)

	none = sla_facts(
		done=True,
		agreement_status=None,
		sla_name=None,
		first_responded_on=None,
		response_by=None,
		resolved_on=T0,
		resolution_by=None,
		first_response_seconds=None,
		resolution_seconds=None,
		source_label="x",
	)
	assert none["sla_status"] is None and none["sla_reason"] is None


def test_open_tickets_keep_only_their_first_response():
	facts = sla_facts(
		done=False,
		agreement_status="Failed",
		sla_name="Standard",
		first_responded_on=T0,
		response_by=T0,
		resolved_on=None,
		resolution_by=T0,
		first_response_seconds=60,
		resolution_seconds=None,
		source_label="x",
	)
	assert facts == {"first_response_time": 60.0, "first_responded_on": T0}


def test_an_issue_maps_every_field():
	mapped = map_record(
		issue(
			status="Closed",
			priority="Urgent",
			ticket_type="Billing",
			contact="C-1",
			resolved_on=T0 + timedelta(days=1),
			first_responded_on=T0 + timedelta(hours=1),
			first_response_seconds=3600,
			resolution_seconds=86400,
			agreement_status="Fulfilled",
			sla_name="Standard",
			assign='["agent@x.test"]',
			user_tags=",vip",
			owner="agent@x.test",
			modified_by="boss@x.test",
		),
		context(),
		clean_html=lambda html: html.replace("<p>", "<p class=x>"),
	)
	assert mapped.unmappable is None and mapped.notes == []
	values = mapped.values
	assert values["status"] == "Closed" and mapped.status_from == "Closed"
	assert values["priority"] == "Urgent"
	assert values["category"] == "Billing" and values["team"] == "Finance"
	assert values["responsible"] == "boss@x.test"
	assert values["customer"] == "ACME" and values["customer_name"] == "ACME Ltd"
	assert values["contact"] == "C-1" and values["raised_by_name"] == "Olga Petrova"
	assert values["description"] == "<p class=x>It smokes</p>"
	assert values["channel"] == "Staff"
	assert values["creation"] == T0 and values["modified"] == T0 + timedelta(days=2)
	assert values["resolved_on"] == T0 + timedelta(days=1)
	assert values["owner"] == "agent@x.test" and values["modified_by"] == "boss@x.test"
	assert json.loads(values["_assign"]) == ["agent@x.test"] and values["_user_tags"] == ",vip"
	assert (values["imported_from_doctype"], values["imported_from"]) == ("Issue", "ISS-2024-00001")
	assert values["sla_status"] == "Met"


def test_missing_links_fall_back_and_are_noted():
	mapped = map_record(
		issue(
			ticket_type="Hardware",
			priority="P1",
			contact="gone",
			customer="Initech",
			raised_by="new@somewhere.test",
			status="Resolved",
		),
		context(),
	)
	values = mapped.values
	assert values["category"] == "General" and values["priority"] == "Medium"
	assert values["contact"] is None and values["customer"] is None
	assert values["resolved_on"] == T0 + timedelta(days=2)  # no resolution date: last change
	assert mapped.needs_contact == "new@somewhere.test"
	assert any("'Hardware' has no category" in n for n in mapped.notes)
	assert any("'P1' does not exist" in n for n in mapped.notes)
	assert any("'gone' does not exist" in n for n in mapped.notes)
	assert any("'Initech' does not exist" in n for n in mapped.notes)


def test_the_sender_finds_the_contact_and_its_customer():
	mapped = map_record(issue(), context())
	assert (mapped.values["contact"], mapped.values["customer"]) == ("C-1", "ACME")
	assert mapped.needs_contact is None
	assert mapped.values["channel"] == "Email"


def test_an_unmappable_issue_says_why():
	mapped = map_record(issue(status="Escalated"), context())
	assert mapped.values is None and "'Escalated'" in mapped.unmappable
	assert (
		map_record(issue(status="Escalated"), context(status_overrides={"Escalated": "Open"})).status
		== "Open"
	)


def test_a_bad_sender_is_kept_as_a_name():
	mapped = map_record(issue(raised_by="Olga from ACME"), context())
	assert mapped.values["raised_by"] is None
	assert mapped.values["raised_by_name"] == "Olga from ACME"


def test_helpdesk_records_map_team_and_categories():
	record = SourceRecord(
		doctype="HD Ticket",
		name="42",
		subject="Login fails",
		status="Needs Parts",
		status_category="Paused",
		team="L1",
		customer="ACME",
		raised_by="olga@acme.test",
		opened_at=T0,
		modified=T0,
	)
	ctx = context(
		teams={"L1": "L1"},
		status_table=HELPDESK_STATUSES,
		status_categories=HELPDESK_STATUS_CATEGORIES,
		source_label="Helpdesk ticket",
	)
	values = map_record(record, ctx).values
	assert values["status"] == "Waiting on Customer" and values["team"] == "L1"
	assert values["assignment_reason"] == "Imported from Helpdesk ticket 42."
	assert map_record(SourceRecord(**{**record.__dict__, "team": "L9"}), ctx).notes == [
		"team 'L9' has no User Group"
	]


def test_assignees_and_customers():
	assert assignees_json('["a@x.test", "b@x.test"]') == '["a@x.test", "b@x.test"]'
	assert (
		assignees_json("[]") is None and assignees_json("nope") is None and assignees_json('{"a":1}') is None
	)
	customers = {"acme": "ACME", "acme ltd": "ACME"}
	assert customer_for("Acme Ltd", None, customers) == "ACME"
	assert customer_for("Other", "ACME", customers) == "ACME"
	assert customer_for("Other", None, customers) is None
