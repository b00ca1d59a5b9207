import pytest

from support_center.intake.rules import (
	Attachment,
	IncomingMessage,
	is_auto_generated,
	phone_key,
	ticket_number_from_subject,
	validation_errors,
)


@pytest.mark.parametrize(
	"raw",
	["+7 (495) 123-45-67", "8 495 123 45 67", "+74951234567", "4951234567", "007 495 123-4567"],
)
def test_one_number_in_many_formats_has_one_key(raw):
	assert phone_key(raw) == "4951234567"


@pytest.mark.parametrize("raw", [None, "", "n/a", "12-34"])
def test_no_key_for_what_is_not_a_number(raw):
	assert phone_key(raw) is None


def message(**values):
	return IncomingMessage(
		**{"channel": "Messenger", "text": "Hello", "sender_email": "a@example.com", **values}
	)


def test_a_good_message_has_no_errors():
	assert validation_errors(message(), 1000) == []


def test_bad_input_gets_clear_errors():
	assert "no sender" in validation_errors(message(sender_email=None), 1000)[0]
	assert "not a valid email" in validation_errors(message(sender_email="nobody"), 1000)[0]
	assert "Unknown channel" in validation_errors(message(channel="Pigeon"), 1000)[0]
	assert "empty" in validation_errors(message(text="  "), 1000)[0]
	too_big = message(attachments=(Attachment("scan.pdf", b"x" * 1001),))
	assert "limit is 1000 bytes" in validation_errors(too_big, 1000)[0]
	assert (
		"plain file name"
		in validation_errors(message(attachments=(Attachment("../etc/passwd", b"x"),)), 1000)[0]
	)
	assert "not a phone number" in validation_errors(message(sender_phone="call me"), 1000)[0]


def test_an_attachment_alone_is_a_message():
	assert validation_errors(message(text="", attachments=(Attachment("photo.jpg", b"jpg"),)), 1000) == []


@pytest.mark.parametrize(
	("headers", "sender"),
	[
		({"Auto-Submitted": "auto-replied"}, "a@example.com"),
		({"X-Auto-Response-Suppress": "All"}, "a@example.com"),
		({"Precedence": "bulk"}, "a@example.com"),
		({"Precedence": "list"}, "a@example.com"),
		({"precedence": "Junk"}, "a@example.com"),
		({}, "MAILER-DAEMON@mx.example.com"),
		({}, "postmaster@example.com"),
	],
)
def test_auto_generated_mail_is_recognised(headers, sender):
	assert is_auto_generated(headers, sender)


def test_mail_a_person_wrote_is_not_auto_generated():
	assert not is_auto_generated({"Auto-Submitted": "no", "Precedence": "first-class"}, "ivan@example.com")


@pytest.mark.parametrize(
	("subject", "number"),
	[
		("Re: Printer on fire (#123)", 123),
		("RE: [#45] Invoice", 45),
		("Ticket 77: refund", 77),
		("Order SO-0042 has not arrived", None),
		(None, None),
	],
)
def test_ticket_number_in_a_subject(subject, number):
	assert ticket_number_from_subject(subject) == number
