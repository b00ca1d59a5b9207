"""Hypothesis strategies for messenger webhooks: any JSON, and Telegram updates, WhatsApp notifications and
VK events shaped as the messengers send them whose fields hold huge strings, control characters, NUL,
RTL overrides, markup, lone surrogates, numbers where text belongs, nulls, lists and broken media. Pure: the
unit tests (tests/test_fuzz_connector_parsers.py) and the integration suite (test_fuzz_connectors.py)
share them.
"""

import json

from hypothesis import strategies as st

from support_center.tests.hostile_input import HOSTILE_FILE_NAMES, SCRIPTS, hostile_text

# Where VK's files are; the integration test points it at its fake VK.
VK_FILES = "https://vk.test"

# Values no honest messenger sends where text belongs.
ODD_STRINGS = (
	"",
	" ",
	"\x00",
	"a\x00b",
	"\u202eevil\u202c",
	"\ufeff",
	"\ud800",
	"x\udfffy",
	"\r\n\t",
	"\u200b",
	"💥" * 50,
	"null",
)
huge_text = st.integers(min_value=141, max_value=20_000).map(lambda n: "ж" * n)
field_text = st.one_of(hostile_text, st.sampled_from(ODD_STRINGS + SCRIPTS), huge_text)
numbers = st.one_of(
	st.integers(min_value=-(2**70), max_value=2**70),
	st.sampled_from((0, -1, 2**63, -(2**63), 10**30)),
	st.floats(allow_nan=True, allow_infinity=True),
)
scalar = st.one_of(st.none(), st.booleans(), numbers, field_text)
json_value = st.recursive(
	scalar,
	lambda children: st.one_of(
		st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
	),
	max_leaves=8,
)
# Where a messenger sends one type, anything else.
wrong = st.one_of(scalar, json_value)


def maybe(strategy):
	"""Mostly what the messenger sends, sometimes anything else."""
	return st.integers(0, 9).flatmap(lambda n: wrong if n == 0 else strategy)


def body_of(value) -> bytes:
	# Lone surrogates are written as \\ud800 escapes, as a hostile sender may.
	return json.dumps(value).encode()


ids = st.one_of(
	st.integers(min_value=-(2**53), max_value=2**53), st.from_regex(r"[0-9]{1,15}", fullmatch=True)
)
file_names = st.one_of(st.sampled_from(HOSTILE_FILE_NAMES), field_text)

# -- Telegram ---------------------------------------------------------------------------------------------

tg_user = st.fixed_dictionaries(
	{"id": maybe(ids)},
	optional={
		"first_name": maybe(field_text),
		"last_name": maybe(field_text),
		"username": maybe(field_text),
		"language_code": maybe(st.sampled_from(("ru", "en", "pt-br", "zh-hans"))),
	},
)
tg_file = st.fixed_dictionaries(
	# Files the fake Telegram has (support_center/tests/test_fuzz_connectors.py), and any others.
	{"file_id": maybe(st.one_of(st.sampled_from(("tg-doc", "tg-photo")), st.text(min_size=1, max_size=80)))},
	optional={"file_name": maybe(file_names), "file_size": maybe(st.integers()), "mime_type": wrong},
)
tg_message = st.fixed_dictionaries(
	{"message_id": maybe(ids), "chat": maybe(st.fixed_dictionaries({"id": maybe(ids), "type": wrong}))},
	optional={
		"from": maybe(tg_user),
		"date": maybe(st.integers(min_value=-(2**40), max_value=2**40)),
		"text": maybe(field_text),
		"caption": maybe(field_text),
		"photo": maybe(st.lists(maybe(tg_file), max_size=3)),
		"document": maybe(tg_file),
		"voice": maybe(tg_file),
		"audio": maybe(tg_file),
		"video": maybe(tg_file),
		"contact": maybe(
			st.fixed_dictionaries(
				{"phone_number": maybe(st.sampled_from(("79991234567", "+44 20 7946 0958", "abc", "1")))},
				optional={"user_id": maybe(ids)},
			)
		),
		"sticker": wrong,
		"location": wrong,
	},
)
tg_update = st.one_of(
	st.fixed_dictionaries(
		{"update_id": maybe(ids), "message": maybe(tg_message)}, optional={"edited_message": wrong}
	),
	st.fixed_dictionaries({"update_id": maybe(ids), "business_message": maybe(tg_message)}),
	st.fixed_dictionaries({"update_id": maybe(ids)}, optional={"edited_message": wrong}),
)

# -- WhatsApp ---------------------------------------------------------------------------------------------

wa_kinds = st.sampled_from(
	(
		"text",
		"image",
		"document",
		"audio",
		"video",
		"sticker",
		"button",
		"interactive",
		"location",
		"reaction",
	)
)
wa_media = st.fixed_dictionaries(
	{},
	optional={
		"id": maybe(st.one_of(st.just("777"), st.from_regex(r"[0-9]{1,20}", fullmatch=True))),
		"mime_type": maybe(st.sampled_from(("image/jpeg", "application/pdf", "x/\x00", "text/html; x=y"))),
		"caption": maybe(field_text),
		"filename": maybe(file_names),
	},
)
wa_message = st.fixed_dictionaries(
	{
		"from": maybe(st.from_regex(r"[0-9]{7,15}", fullmatch=True)),
		"id": maybe(st.from_regex(r"wamid\.[A-Za-z0-9+/=]{10,60}", fullmatch=True)),
		"type": maybe(wa_kinds),
	},
	optional={
		"timestamp": maybe(
			st.one_of(
				st.integers(min_value=0, max_value=2**40).map(str),
				# Digits to str.isdigit but not to int(), and what float() reads but no moment is.
				st.sampled_from(
					("²", "١٧٠٠٠٠٠٠٠٠", "1e5", "nan", "inf", "-1", " 1700000000 ", "1700000000.5")
				),
			)
		),
		"text": maybe(st.fixed_dictionaries({"body": maybe(field_text)})),
		"image": maybe(wa_media),
		"document": maybe(wa_media),
		"audio": maybe(wa_media),
		"button": maybe(st.fixed_dictionaries({"text": maybe(field_text)})),
		"interactive": maybe(
			st.fixed_dictionaries(
				{"button_reply": maybe(st.fixed_dictionaries({"title": maybe(field_text)}))}
			)
		),
		"location": maybe(
			st.fixed_dictionaries(
				{"latitude": maybe(numbers), "longitude": maybe(numbers), "name": maybe(field_text)}
			)
		),
	},
)
wa_value = st.fixed_dictionaries(
	{
		"messaging_product": st.just("whatsapp"),
		"messages": maybe(st.lists(maybe(wa_message), min_size=1, max_size=3)),
	},
	optional={
		"metadata": maybe(st.fixed_dictionaries({"phone_number_id": maybe(st.sampled_from(("1", "2", 1)))})),
		"contacts": maybe(
			st.lists(
				maybe(
					st.fixed_dictionaries(
						{"wa_id": maybe(st.from_regex(r"[0-9]{7,15}", fullmatch=True))},
						optional={"profile": maybe(st.fixed_dictionaries({"name": maybe(field_text)}))},
					)
				),
				max_size=2,
			)
		),
		"statuses": wrong,
	},
)
wa_payload = st.fixed_dictionaries(
	{
		"object": st.just("whatsapp_business_account"),
		"entry": maybe(
			st.lists(
				maybe(
					st.fixed_dictionaries(
						{
							"id": wrong,
							"changes": maybe(
								st.lists(
									maybe(st.fixed_dictionaries({"field": wrong, "value": maybe(wa_value)})),
									min_size=1,
									max_size=2,
								)
							),
						}
					)
				),
				min_size=1,
				max_size=2,
			)
		),
	}
)

# -- VK ---------------------------------------------------------------------------------------------------

vk_size = st.fixed_dictionaries(
	{},
	optional={"width": maybe(numbers), "height": maybe(numbers), "url": maybe(st.just(f"{VK_FILES}/p"))},
)
vk_attachment = st.one_of(
	st.fixed_dictionaries(
		{
			"type": st.just("photo"),
			"photo": maybe(st.fixed_dictionaries({"sizes": maybe(st.lists(maybe(vk_size)))})),
		}
	),
	st.fixed_dictionaries(
		{
			"type": st.just("doc"),
			"doc": maybe(
				st.fixed_dictionaries(
					{},
					optional={
						"url": maybe(st.sampled_from((f"{VK_FILES}/d", f"{VK_FILES}/doc-9"))),
						"title": maybe(file_names),
						"ext": maybe(st.sampled_from(("pdf", "", ".", "a/b", "\x00"))),
						"size": maybe(st.integers()),
					},
				)
			),
		}
	),
	st.fixed_dictionaries(
		{
			"type": st.just("audio_message"),
			"audio_message": maybe(
				st.fixed_dictionaries(
					{}, optional={"link_ogg": maybe(field_text), "link_mp3": maybe(field_text)}
				)
			),
		}
	),
	st.fixed_dictionaries({"type": wrong}, optional={"photo": wrong, "doc": wrong}),
	wrong,
)
vk_message = st.fixed_dictionaries(
	{"peer_id": maybe(ids), "from_id": maybe(ids)},
	optional={
		"id": maybe(ids),
		"conversation_message_id": maybe(ids),
		"date": maybe(st.integers(min_value=-(2**40), max_value=2**40)),
		"text": maybe(field_text),
		"attachments": maybe(st.lists(vk_attachment, max_size=3)),
	},
)
vk_body = st.fixed_dictionaries(
	{
		"type": maybe(st.sampled_from(("message_new", "message_new", "confirmation", "message_reply"))),
		"group_id": wrong,
		"object": maybe(st.one_of(st.fixed_dictionaries({"message": maybe(vk_message)}), vk_message)),
	},
	optional={"secret": wrong},
)


def objects(value, *path) -> list[dict]:
	"""The objects at ``path`` in a JSON value, through lists, skipping whatever is not an object."""
	found = [value]
	for key in path:
		found = [item.get(key) for item in found if isinstance(item, dict)]
		found = [x for item in found for x in (item if isinstance(item, list) else [item])]
	return [item for item in found if isinstance(item, dict)]
