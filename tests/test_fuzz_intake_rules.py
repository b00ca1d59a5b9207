"""Hostile input through the pure intake rules: whatever a bot, a customer or a phone system sends, the
rules answer with a list of errors or a value, never an exception."""

from hypothesis import given
from hypothesis import strategies as st

from support_center.intake.rules import (
	CHANNELS,
	SOURCES,
	Attachment,
	IncomingMessage,
	is_auto_generated,
	is_email,
	normalise_phone,
	ticket_number_from_subject,
	validation_errors,
	verified_identity,
)
from support_center.tests.hostile_input import HOSTILE_FILE_NAMES, fuzz_settings, hostile_text, text

maybe_text = st.one_of(st.none(), hostile_text)
messages = st.builds(
	IncomingMessage,
	channel=st.one_of(st.sampled_from(CHANNELS), text),
	text=hostile_text,
	subject=maybe_text,
	sender_name=maybe_text,
	sender_email=st.one_of(st.none(), st.sampled_from(("a@b.co", "x@y", "<a@b.co>", " a@b.co ")), text),
	sender_phone=st.one_of(st.none(), st.from_regex(r"[+0-9 ()\-x#;ext=.]{0,30}", fullmatch=True), text),
	message_id=maybe_text,
	conversation_id=maybe_text,
	attachments=st.lists(
		st.builds(Attachment, st.one_of(st.sampled_from(HOSTILE_FILE_NAMES), text), st.binary(max_size=64)),
		max_size=3,
	).map(tuple),
	source=st.one_of(st.sampled_from(SOURCES), text),
)


@fuzz_settings(300)
@given(messages, st.integers(min_value=0, max_value=100))
def test_any_message_gets_a_list_of_errors_or_none(message, limit):
	errors = validation_errors(message, limit)
	assert all(isinstance(error, str) and error for error in errors)
	if not errors:
		# What passes is what the intake can store: a known channel and source, a sender, content,
		# plain attachment names within the limit.
		assert message.channel in CHANNELS and message.source in SOURCES
		assert message.sender_email or message.sender_phone or message.sender_name
		assert (message.text or "").strip() or message.attachments
		for attachment in message.attachments:
			assert attachment.filename and "/" not in attachment.filename and "\\" not in attachment.filename
			assert not any(
				ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E
				for c in attachment.filename
			)
			assert len(attachment.content) <= limit
			assert len(attachment.filename.encode()) <= 200
		if message.sender_email:
			assert is_email(message.sender_email)


@fuzz_settings(300)
@given(
	st.one_of(text, st.from_regex(r"[+0(]{0,2}[0-9 ()\-.]{0,25}(ext\.? ?[0-9]{1,4})?", fullmatch=True)),
	st.one_of(st.none(), st.sampled_from(("7", "+1", "44", "39", "", "abc")), text),
)
def test_a_phone_number_normalises_to_a_whole_number_or_none(raw, country_code):
	number = normalise_phone(raw, country_code)
	if number is None:
		return
	digits = number.removeprefix("+")
	assert digits.isdigit() and 5 <= len(digits) <= 15
	if number.startswith("+"):
		# A whole number stays itself, whatever country reads it again.
		assert normalise_phone(number, country_code) == number
		assert normalise_phone(number) == number


@fuzz_settings(200)
@given(
	st.dictionaries(
		st.one_of(text, st.sampled_from(("Auto-Submitted", "Precedence", "X-Autoreply"))),
		st.one_of(st.none(), text),
		max_size=6,
	),
	st.one_of(st.none(), text),
)
def test_any_headers_are_judged_without_an_error(headers, sender):
	assert isinstance(is_auto_generated(headers, sender), bool)


@fuzz_settings(200)
@given(st.one_of(st.none(), text))
def test_any_subject_names_a_number_or_nothing(subject):
	number = ticket_number_from_subject(subject)
	assert number is None or (isinstance(number, int) and number >= 0)


@fuzz_settings(100)
@given(st.one_of(st.sampled_from(SOURCES), text), st.one_of(st.none(), text), st.one_of(st.none(), text))
def test_a_plain_webhook_or_an_unknown_source_vouches_for_nothing(source, email, phone):
	identity = verified_identity(source, email, phone)
	if source not in SOURCES or source == "Webhook":
		assert identity.email is None and identity.phone is None


def test_an_attachment_name_that_hides_its_extension_is_refused():
	message = IncomingMessage(
		channel="API", text="x", sender_name="A", attachments=(Attachment("report\u202efdp.exe", b"x"),)
	)
	assert any("not a plain file name" in error for error in validation_errors(message, 100))


def test_an_attachment_name_too_long_for_a_file_system_is_refused():
	# Found by the long fuzz run: a 600-character name reached the disk and failed there (a server error).
	message = IncomingMessage(
		channel="API", text="x", sender_name="A", attachments=(Attachment("a" * 600 + ".pdf", b"x"),)
	)
	assert any("longer than" in error for error in validation_errors(message, 100))
