"""Hypothesis strategies for hostile input: raw mails built byte by byte (broken encodings, nested
multiparts, huge and missing headers, attachments with hostile names) and the text a customer or a bot
may send. Pure: no Frappe, so the unit tests in tests/ and the integration suite share them.

``fuzz_settings()`` keeps the suite's runs short; ``SUPPORT_CENTER_LONG_TESTS=1`` runs many more examples.
"""

import base64
import os
import quopri

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LONG = os.environ.get("SUPPORT_CENTER_LONG_TESTS") == "1"


def fuzz_settings(short: int, long: int | None = None):
	"""Hypothesis settings: ``short`` examples in the suite, ``long`` (default 20x) with the long flag."""
	return settings(
		max_examples=(long or short * 20) if LONG else short,
		deadline=None,
		derandomize=not LONG,
		suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
		database=None,
	)


# Markup that would run in a browser if it were stored and shown as HTML.
SCRIPTS = (
	"<script>alert(1)</script>",
	'<img src=x onerror="alert(1)">',
	"<svg/onload=alert(1)>",
	'<a href="javascript:alert(1)">x</a>',
	"<iframe src=//evil.example></iframe>",
	'"><script>alert(1)</script>',
	"{{ frappe.db.sql('select 1') }}",
	"{% raw %}x",
	'{"a": "<script>alert(1)</script>"}',
)
# Names an attachment must not be stored under as they are.
HOSTILE_FILE_NAMES = (
	"../../../etc/passwd",
	"..\\..\\windows\\win.ini",
	"<script>alert(1)</script>.pdf",
	"invoice\x00.pdf.exe",
	"report\u202efdp.exe",
	"CON",
	".",
	"..",
	"",
	" ",
	"a" * 600 + ".pdf",
	"=?utf-8?q?M=C3=A4rz?= 2024.pdf",
	"=?x-unknown?b?!!!?=.pdf",
	"=?utf-8?b?PHNjcmlwdD4=?=.html",
	"photo.jpg",
	"null\r\nX-Injected: yes.txt",
	'quote".pdf',
)
CHARSETS = (
	"utf-8",
	"us-ascii",
	"iso-8859-1",
	"windows-1251",
	"koi8-r",
	"shift_jis",
	"utf-16",
	"utf-7",
	"x-unknown-charset",
	"base64",
	"rot13",
	"zlib",
	"hex",
	"",
	"utf-8\x00",
)

text = st.text(
	alphabet=st.characters(blacklist_categories=("Cs",)),
	max_size=300,
)
hostile_text = st.one_of(
	text, st.sampled_from(SCRIPTS), st.builds(lambda a, b: a + b, text, st.sampled_from(SCRIPTS))
)


def _encoded_word(value: str, charset: str, b: bool) -> str:
	data = value.encode("utf-8", "surrogatepass")
	payload = base64.b64encode(data).decode() if b else quopri.encodestring(data, header=True).decode()
	return f"=?{charset}?{'b' if b else 'q'}?{payload}?="


header_value = st.one_of(
	text.map(lambda s: s.replace("\r", " ").replace("\n", " ")),
	st.sampled_from(SCRIPTS),
	st.builds(_encoded_word, text, st.sampled_from(CHARSETS), st.booleans()),
	st.just("=?utf-8?b?broken base64?="),
	st.integers(min_value=1000, max_value=20_000 if not LONG else 200_000).map(lambda n: "x" * n),
	st.binary(max_size=200).map(lambda b: b.decode("latin-1").replace("\r", "").replace("\n", "")),
)
address = st.one_of(
	st.sampled_from(
		(
			"alice@example.com",
			"Alice <alice@example.com>",
			'"<script>alert(1)</script>" <evil@example.com>',
			"=?utf-8?b?0J7Qu9GM0LPQsA==?= <olga@example.com>",
			"not an address",
			"@",
			"<>",
			"a@b",
			"mailer-daemon@example.com",
			"x" * 5000 + "@example.com",
		)
	),
	header_value,
)


def _body(data: bytes, encoding: str) -> bytes:
	if encoding == "base64":
		return base64.encodebytes(data)
	if encoding == "quoted-printable":
		return quopri.encodestring(data)
	if encoding == "broken-base64":
		return b"!!!" + base64.b64encode(data)[3:] + b"=="
	return data


@st.composite
def leaf_part(draw) -> bytes:
	kind = draw(
		st.sampled_from(
			(
				"text/plain",
				"text/html",
				"application/pdf",
				"image/jpeg",
				"image/png",
				"message/rfc822",
				"application/octet-stream",
			)
		)
	)
	charset = draw(st.sampled_from(CHARSETS))
	encoding = draw(
		st.sampled_from(("7bit", "8bit", "base64", "quoted-printable", "broken-base64", "x-bogus"))
	)
	if kind.startswith("text/"):
		content = draw(hostile_text)
		data = content.encode(draw(st.sampled_from(("utf-8", "latin-1", "cp1251", "utf-16"))), "replace")
	else:
		data = draw(st.binary(max_size=400))
	headers = [f'Content-Type: {kind}; charset="{charset}"']
	if draw(st.booleans()):
		disposition = draw(st.sampled_from(("attachment", "inline", "form-data", "")))
		name = draw(st.one_of(st.sampled_from(HOSTILE_FILE_NAMES), header_value))
		quoted = name.replace("\\", "\\\\").replace('"', '\\"')
		style = draw(st.integers(0, 2))
		if style == 0:
			headers.append(f'Content-Disposition: {disposition}; filename="{quoted}"')
		elif style == 1:
			headers.append(f"Content-Disposition: {disposition}; filename*=utf-8''{quoted}")
		else:
			headers[0] += f'; name="{quoted}"'
	if draw(st.booleans()):
		headers.append(
			f"Content-ID: <{draw(text.map(lambda s: s.replace(chr(10), ' ').replace(chr(13), ' ')))}>"
		)
	headers.append(f"Content-Transfer-Encoding: {encoding}")
	head = "\r\n".join(h.replace("\r", " ").replace("\n", " ") for h in headers).encode(
		"utf-8", "surrogateescape"
	)
	return head + b"\r\n\r\n" + _body(data, encoding)


def _multipart(draw, depth: int) -> bytes:
	subtype = draw(st.sampled_from(("mixed", "alternative", "related", "signed", "x-bogus")))
	boundary = draw(st.sampled_from(("b1", "=_boundary", "a" * 70, "", "--", "same")))
	children = draw(st.lists(part(depth - 1), min_size=0, max_size=3))
	lines = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"'.encode(), b"", b"preamble"]
	for child in children:
		lines += [b"--" + boundary.encode(), child]
	if draw(st.booleans()):  # a missing closing boundary is common in broken mail
		lines.append(b"--" + boundary.encode() + b"--")
	return b"\r\n".join(lines)


def part(depth: int):
	if depth <= 0:
		return leaf_part()
	return st.one_of(leaf_part(), st.deferred(lambda: st.composite(lambda draw: _multipart(draw, depth))()))


@st.composite
def raw_mail(draw, sender: str | None = None, message_id: str | None = None) -> bytes:
	"""A raw RFC 822 mail as an attacker or a broken mailer might send it."""
	headers: list[tuple[str, str]] = []
	if sender is not None:
		headers.append(("From", sender))
	elif draw(st.integers(0, 4)):  # sometimes no From at all
		headers.append(("From", draw(address)))
	headers.append(("To", draw(st.one_of(st.just("support@example.com"), address))))
	if draw(st.integers(0, 5)):
		headers.append(("Subject", draw(header_value)))
	if message_id is not None:
		headers.append(("Message-ID", message_id))
	elif draw(st.booleans()):
		headers.append(("Message-ID", draw(st.one_of(st.just("<x@example.com>"), header_value))))
	for name in ("In-Reply-To", "References", "Date", "Auto-Submitted", "Precedence", "Reply-To", "CC"):
		if draw(st.integers(0, 5)) == 0:
			headers.append((name, draw(header_value)))
	if draw(st.integers(0, 6)) == 0:  # many headers
		headers += [
			(f"X-Junk-{i}", "y" * 100) for i in range(draw(st.integers(100, 300 if not LONG else 3000)))
		]
	head = b"".join(
		f"{name}: {value}".replace("\r", " ").replace("\n", " ").encode("utf-8", "surrogateescape") + b"\r\n"
		for name, value in headers
	)
	body = draw(part(draw(st.integers(0, 3))))
	return head + b"MIME-Version: 1.0\r\n" + body
