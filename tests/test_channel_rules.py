"""Messenger connector decisions (support_center/channels/rules.py): pure, no Frappe."""

import hashlib
import hmac
import importlib.util
import pathlib
from datetime import datetime, timedelta

_PATH = pathlib.Path(__file__).resolve().parents[1] / "support_center" / "channels" / "rules.py"
_spec = importlib.util.spec_from_file_location("channel_rules", _PATH)
rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules)

NOW = datetime(2026, 11, 29, 12, 0)


def test_backoff_grows_and_a_messengers_retry_after_wins():
	delays = [rules.next_delay(attempt, None) for attempt in range(1, rules.MAX_ATTEMPTS)]
	assert delays == sorted(delays) and len(set(delays)) == len(delays)
	assert rules.next_delay(1, 3) == 3.0
	assert rules.next_delay(4, 0.2) == 1.0
	# Past the table it keeps the longest wait, and a zero count is the first.
	assert rules.next_delay(99, None) == rules.BACKOFF_SECONDS[-1]
	assert rules.next_delay(0, None) == rules.BACKOFF_SECONDS[0]


def test_split_text_keeps_every_character_in_parts_within_the_limit():
	text = ("Hello world. " * 700).strip() + "\n\nSecond paragraph."
	parts = rules.split_text(text, 4096)
	assert all(len(part) <= 4096 for part in parts)
	assert len(parts) == 3
	assert " ".join(" ".join(parts).split()) == " ".join(text.split())
	assert rules.split_text("short", 4096) == ["short"]
	assert rules.split_text("", 10) == []
	# A word longer than the limit is cut hard rather than lost.
	assert rules.split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_text_prefers_paragraph_ends():
	text = "a" * 60 + "\n\n" + "b" * 30
	assert rules.split_text(text, 80) == ["a" * 60, "b" * 30]


def test_the_whatsapp_window_is_24_hours_from_the_customers_last_message():
	assert rules.window_open(NOW - timedelta(hours=23, minutes=59), NOW)
	assert not rules.window_open(NOW - timedelta(hours=24), NOW)
	assert not rules.window_open(None, NOW)


def test_templates_are_name_and_language_lines():
	assert rules.parse_templates("support_followup:en\n\n  order_update : ru \nplain") == [
		{"name": "support_followup", "language": "en"},
		{"name": "order_update", "language": "ru"},
		{"name": "plain", "language": "en"},
	]
	assert rules.parse_templates(None) == []
	assert rules.parse_templates(":en") == []


def test_hub_signature_matches_metas_hmac_sha256():
	body = b'{"object":"whatsapp_business_account"}'
	expected = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
	assert rules.hub_signature("secret", body) == expected
	assert rules.hub_signature("other", body) != expected


def test_vk_random_id_is_stable_positive_and_distinct():
	assert rules.vk_random_id("reply:abc:0") == rules.vk_random_id("reply:abc:0")
	assert rules.vk_random_id("reply:abc:0") != rules.vk_random_id("reply:abc:1")
	assert 0 <= rules.vk_random_id("x") < 2**31


def test_the_chat_token_is_kept_only_as_a_digest():
	token = "s3cr3t-token"
	digest = rules.token_digest(token)
	assert token not in digest and len(digest) == 64
	assert digest == rules.token_digest(token)


def test_support_words_find_whole_words_and_phrases_in_any_case():
	words = rules.support_words("refund\n  Does not work \n\nbroken")
	assert words == ["refund", "does not work", "broken"]
	assert rules.is_support_matter("I want a REFUND now", words)
	assert rules.is_support_matter("The app does   not\nwork for me", words)
	assert not rules.is_support_matter("Refunding policy looks fair", words)
	assert not rules.is_support_matter("Great post, thanks!", words)
	assert not rules.is_support_matter("anything", [])
