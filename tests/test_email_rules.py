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


def test_a_mail_without_message_id_is_known_by_its_content_whatever_its_line_endings():
	first = rules.content_message_id(b"From: a@x\r\nSubject: s\r\n\r\nHello\r\n")
	assert first == rules.content_message_id(b"From: a@x\nSubject: s\n\nHello\n")
	assert first.endswith("@no-message-id.invalid")
	assert first != rules.content_message_id(b"From: a@x\nSubject: s\n\nHello again\n")


def test_attachment_names_lose_paths_markup_and_control_characters():
	assert rules.safe_file_name("../../x.pdf", "f") == "x.pdf"
	assert rules.safe_file_name("..\\..\\x.pdf", "f") == "x.pdf"
	assert rules.safe_file_name("<b>report</b>.pdf", "f") == "b_report_b_.pdf"
	assert rules.safe_file_name("a\r\nb.txt", "f") == "a_b.txt"
	assert rules.safe_file_name("Rechnung März.pdf", "f") == "Rechnung März.pdf"
	assert rules.safe_file_name("", "f.bin") == "f.bin"
	assert rules.safe_file_name(None, "f.bin") == "f.bin"
	assert rules.safe_file_name("../..", "f.bin") == "f.bin"
	long = rules.safe_file_name("a" * 300 + ".pdf", "f")
	assert len(long) == rules.MAX_FILE_NAME_LENGTH and long.endswith(".pdf")


def test_text_is_decoded_in_the_charset_that_fits_and_a_loss_shows():
	assert rules.decode_text(b"Caf\xe9", ["utf-8"], guess=lambda _payload: "latin-1") == "Café"
	assert rules.decode_text(b"Caf\xc3\xa9", ["x-unknown", None, "utf-8"]) == "Café"
	assert rules.decode_text("Привет".encode("koi8-r"), ["koi8-r"]) == "Привет"
	assert rules.decode_text(b"ok \xff", ["utf-8"], guess=lambda _payload: None) == "ok \ufffd"


def test_every_encoded_word_of_a_file_name_is_decoded():
	assert rules.header_text("=?utf-8?q?Rechnung_M=C3=A4rz?= 2024.pdf") == "Rechnung März 2024.pdf"
	assert rules.header_text("=?x-unknown?q?abc?=.pdf") == "abc.pdf"
	assert rules.header_text("plain.pdf") == "plain.pdf"
	assert rules.header_text(None) == ""
