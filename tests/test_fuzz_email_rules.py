"""Hostile mail through the pure email rules: every generated mail (broken encodings, nested multiparts,
huge and missing headers, hostile attachment names) is read the way support_center.intake.email reads it,
and nothing raises, no name keeps a path or markup, no text is silently dropped."""

import re
from email import message_from_bytes
from email.policy import compat32

from hypothesis import given
from hypothesis import strategies as st

from support_center.intake.email_rules import (
	MAX_FILE_NAME_LENGTH,
	content_message_id,
	decode_text,
	header_text,
	known_charset,
	safe_file_name,
	thread_ids,
)
from support_center.intake.rules import is_auto_generated, ticket_number_from_subject
from support_center.tests.hostile_input import (
	CHARSETS,
	HOSTILE_FILE_NAMES,
	fuzz_settings,
	header_value,
	raw_mail,
)


def read_like_the_intake(raw: bytes) -> dict:
	"""What SupportInboundMail takes from a mail, with the pure rules it uses."""
	mail = message_from_bytes(raw, policy=compat32)
	headers = {key: str(value) for key, value in mail.items()}
	subject = header_text(mail.get("Subject"))
	texts, names = [], []
	for part in mail.walk():
		if part.is_multipart():
			continue
		payload = part.get_payload(decode=True)
		if part.get_filename() or part.get_content_disposition() == "attachment":
			try:
				name = header_text(part.get_filename())
			except Exception:
				name = None
			names.append(safe_file_name(name, "fallback.bin"))
		elif isinstance(payload, bytes):
			declared = part.get_content_charset()
			texts.append(decode_text(payload, [declared, "utf-8"], guess=lambda _payload: None))
	return {
		"auto": is_auto_generated(headers, None),
		"subject": subject,
		"number": ticket_number_from_subject(subject),
		"thread": thread_ids(mail.get("In-Reply-To"), mail.get("References")),
		"texts": texts,
		"names": names,
	}


SAFE_NAME = re.compile(r'^[^\x00-\x1f\x7f<>:"/\\|?*]+$')


@fuzz_settings(150)
@given(raw_mail())
def test_every_hostile_mail_is_read_without_an_error(raw):
	read = read_like_the_intake(raw)
	for name in read["names"]:
		assert name and SAFE_NAME.match(name), name
		assert len(name) <= MAX_FILE_NAME_LENGTH
		assert not name.startswith(".") and name not in ("..", ".")
	for thread_id in read["thread"]:
		assert thread_id and "<" not in thread_id and ">" not in thread_id
	assert read["number"] is None or read["number"] >= 0
	assert isinstance(read["auto"], bool)


@fuzz_settings(100)
@given(raw_mail())
def test_a_mail_without_message_id_is_known_by_its_content_whatever_the_line_endings(raw):
	crlf = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
	assert content_message_id(raw) == content_message_id(crlf)
	assert content_message_id(raw).endswith("@no-message-id.invalid")


@fuzz_settings(200)
@given(st.one_of(st.sampled_from(HOSTILE_FILE_NAMES), st.text(max_size=400)))
def test_a_safe_file_name_has_no_path_markup_or_control_characters(name):
	safe = safe_file_name(name, "fallback.bin")
	assert SAFE_NAME.match(safe)
	assert len(safe) <= MAX_FILE_NAME_LENGTH
	assert not safe.startswith(".")
	assert safe_file_name(safe, "fallback.bin") == safe  # stable: a stored name stays as it is


@fuzz_settings(200)
@given(
	st.binary(max_size=300),
	st.lists(st.one_of(st.none(), st.sampled_from(CHARSETS), st.text(max_size=12)), max_size=3),
)
def test_text_in_any_declared_charset_decodes_to_text(payload, charsets):
	decoded = decode_text(payload, charsets, guess=lambda _payload: "base64")
	assert isinstance(decoded, str)
	if not payload:
		assert decoded == ""


@fuzz_settings(200)
@given(header_value)
def test_any_header_decodes_to_text(value):
	assert isinstance(header_text(value), str)


def test_a_codec_that_is_not_a_text_encoding_is_no_charset():
	# Found by the fuzz test: a mail part declaring charset="base64" (or rot13, zlib, hex) names a codec
	# Python knows, but bytes.decode refuses it with a LookupError, which lost the whole mail.
	for name in ("base64", "rot13", "zlib", "hex", "bz2", "uu", "quopri"):
		assert not known_charset(name), name
	assert decode_text("Grüße".encode(), ["base64", "utf-8"]) == "Grüße"
	assert header_text("=?base64?q?abc?=") == "abc"


def test_invisible_and_bidirectional_controls_leave_a_file_name():
	# Found by the long fuzz run: a C1 control (\x85) survived, and "\u202e" turned "report\u202efdp.exe"
	# into what shows as "reportexe.pdf".
	assert safe_file_name("report\u202efdp.exe", "x.bin") == "report_fdp.exe"
	assert safe_file_name("\x850", "x.bin") == "0"
	assert safe_file_name("\u200b\ufeff", "x.bin") == "x.bin"
