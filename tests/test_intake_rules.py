import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_center.intake.rules import (
	PORTAL,
	TELEPHONY,
	TRUSTED_WEBHOOK,
	WEBHOOK,
	Attachment,
	IncomingMessage,
	SenderIdentity,
	acknowledgement_address,
	is_auto_generated,
	normalise_phone,
	ticket_number_from_subject,
	validation_errors,
	verified_identity,
)


@pytest.mark.parametrize(
	"raw",
	["+7 (495) 123-45-67", "8 495 123 45 67", "+74951234567", "4951234567", "007 495 123-4567"],
)
def test_one_number_in_many_formats_is_one_whole_number(raw):
	assert normalise_phone(raw, "+7") == "+74951234567"


@pytest.mark.parametrize(
	("raw", "country_code", "number"),
	[
		("(206) 555-0101", "+1", "+12065550101"),
		("1 206 555 0101", "1", "+12065550101"),
		("011 44 20 7946 0958", "+1", "+442079460958"),
		("020 7946 0958", "+44", "+442079460958"),
		("+44 (0)20 7946 0958", None, "+442079460958"),
		# In Italy the leading 0 is part of the number.
		("06 6982 1234", "+39", "+390669821234"),
		("+1 206 555 0101 ext. 12", None, "+12065550101"),
	],
)
def test_national_numbers_get_the_sites_country_code(raw, country_code, number):
	assert normalise_phone(raw, country_code) == number


@given(
	st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True),
	st.sampled_from([None, "+1", "+7", "+39", "+44"]),
	st.sampled_from([" ", "-", ".", ""]),
)
def test_an_international_number_is_itself_however_written_and_wherever_the_site_is(
	number, country_code, separator
):
	written = separator.join(number[i : i + 3] for i in range(0, len(number), 3))
	assert normalise_phone(written, country_code) == number
	assert normalise_phone("00" + number[1:], country_code) == number


def test_only_whole_numbers_are_equal():
	us = normalise_phone("+1 206 555 0101")
	assert normalise_phone("0101", "+1") != us
	assert normalise_phone("555 0101", "+1") != us
	# The same ten last digits in another country are another number.
	assert normalise_phone("+44 206 555 0101") != us
	assert normalise_phone("+7 206 555 0101") != us


def test_without_a_country_a_national_number_equals_only_itself():
	assert normalise_phone("(206) 555-0101") == normalise_phone("206.555.0101") == "2065550101"
	assert normalise_phone("(206) 555-0101") != normalise_phone("+1 206 555 0101")


@pytest.mark.parametrize("raw", [None, "", "n/a", "12-34", "0101", "+1 234 567 890 123 456 789"])
def test_no_number_for_what_is_not_a_number(raw):
	assert normalise_phone(raw, "+1") is None


def test_a_webhook_proves_nothing_about_its_sender():
	assert verified_identity(WEBHOOK, "laura@example.com", "+12065550101") == SenderIdentity()
	# An unknown source is a webhook's claim, never more.
	assert verified_identity("Anything", "laura@example.com", "+12065550101") == SenderIdentity()


def test_what_each_trusted_route_vouches_for():
	assert verified_identity(PORTAL, "a@example.com", "+12065550101") == SenderIdentity(email="a@example.com")
	assert verified_identity(TELEPHONY, "a@example.com", "+12065550101") == SenderIdentity(
		phone="+12065550101"
	)
	assert verified_identity(TRUSTED_WEBHOOK, "a@example.com", "+12065550101") == SenderIdentity(
		"a@example.com", "+12065550101"
	)


def test_the_acknowledgement_goes_only_to_a_verified_address():
	laura = SenderIdentity(email="laura@example.com")
	assert acknowledgement_address(PORTAL, "Portal", laura, known_address=False) == "laura@example.com"
	assert acknowledgement_address(TRUSTED_WEBHOOK, "Messenger", laura, known_address=True) == (
		"laura@example.com"
	)
	# A vouched-for address the site never knew, a claim, a staff channel: no mail.
	assert acknowledgement_address(TRUSTED_WEBHOOK, "Messenger", laura, known_address=False) is None
	assert acknowledgement_address(WEBHOOK, "Messenger", SenderIdentity(), known_address=True) is None
	assert acknowledgement_address(WEBHOOK, "Messenger", laura, known_address=True) is None
	assert acknowledgement_address(PORTAL, "Staff", laura, known_address=True) is None


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
	assert "Unknown source" in validation_errors(message(source="Carrier pigeon"), 1000)[0]


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
