from datetime import datetime

import pytest

from support_center.portal import rules
from support_center.portal.languages import portal_language, text_direction


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("open", "open"),
		("RESOLVED", "resolved"),
		("", "all"),
		(None, "all"),
		("bogus", "all"),
		("waiting", "waiting"),
	],
)
def test_status_filter_accepts_only_known_filters(value, expected):
	assert rules.status_filter(value) == expected


@pytest.mark.parametrize(
	("value", "text", "number"),
	[
		("#42", "42", 42),
		("42", "42", 42),
		(" # 42 ", "42", 42),
		("printer   jam", "printer jam", None),
		("order 42", "order 42", None),
		("", "", None),
		(None, "", None),
	],
)
def test_search_finds_numbers_and_subjects(value, text, number):
	assert rules.parse_search(value) == rules.Search(text, number)


def test_search_is_capped():
	assert len(rules.parse_search("x" * 1000).text) == rules.MAX_SEARCH_LENGTH


def test_cursor_round_trips_and_rejects_garbage():
	cursor = rules.Cursor(datetime(2026, 11, 29, 10, 1, 2, 345678), 1234)
	assert rules.decode_cursor(cursor.encode()) == cursor
	for bad in (None, "", "!!!", "Zm9v", "x" * 200, "bm90fGFudW1iZXI"):
		assert rules.decode_cursor(bad) is None, bad


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5, "3", " 5 "])
def test_ratings_from_one_to_five(value):
	assert rules.rating_value(value) == int(str(value).strip())


@pytest.mark.parametrize("value", [0, 6, -1, "x", None, "", "4.5"])
def test_ratings_outside_the_scale_are_refused(value):
	with pytest.raises(ValueError):
		rules.rating_value(value)


@pytest.mark.parametrize("value", [0, 7, 10, "10"])
def test_loyalty_from_zero_to_ten(value):
	assert rules.loyalty_value(value) == int(value)


@pytest.mark.parametrize("value", [-1, 11, "ten", None])
def test_loyalty_outside_the_scale_is_refused(value):
	with pytest.raises(ValueError):
		rules.loyalty_value(value)


def test_stars_are_stored_as_frappes_rating_fraction():
	assert [rules.stars_to_fraction(s) for s in range(1, 6)] == [0.2, 0.4, 0.6, 0.8, 1.0]
	assert [rules.fraction_to_stars(rules.stars_to_fraction(s)) for s in range(1, 6)] == [1, 2, 3, 4, 5]
	assert rules.fraction_to_stars(None) == 0


def test_low_rating_threshold():
	assert rules.is_low_rating(2, 2) and rules.is_low_rating(1, 2)
	assert not rules.is_low_rating(3, 2)


def test_signed_links_are_bound_to_purpose_ticket_and_secret():
	signature = rules.sign("secret", rules.RATING, "42")
	assert rules.signature_matches("secret", rules.RATING, "42", signature)
	assert not rules.signature_matches("secret", rules.RATING, "43", signature)
	assert not rules.signature_matches("secret", rules.LOYALTY, "42", signature)
	assert not rules.signature_matches("other", rules.RATING, "42", signature)
	assert not rules.signature_matches("secret", "delete", "42", signature)
	assert not rules.signature_matches("secret", rules.RATING, "42", None)
	assert not rules.signature_matches("secret", rules.RATING, "42", signature[:-1] + "0")


def test_attachment_limits():
	mb = 1024 * 1024
	assert rules.attachment_errors([("a.pdf", mb)], 2 * mb, 5) == []
	assert rules.attachment_errors([("a.pdf", 3 * mb)], 2 * mb, 5) == [("too_large", "a.pdf")]
	assert rules.attachment_errors([("a.txt", 0)], 2 * mb, 5) == [("empty", "a.txt")]
	assert rules.attachment_errors([("a", 1)] * 3, 2 * mb, 2) == [("too_many", 2)]


def test_comment_is_trimmed_and_capped():
	assert rules.clean_comment("  fine  ") == "fine"
	assert len(rules.clean_comment("x" * 5000)) == rules.MAX_COMMENT_LENGTH


@pytest.mark.parametrize(
	("code", "language", "direction"),
	[("ar", "ar", "rtl"), ("ja", "ja", "ltr"), ("zh-CN", "zh", "ltr"), ("xx", "en", "ltr")],
)
def test_portal_languages(code, language, direction):
	assert portal_language(code) == language
	assert text_direction(code) == direction
