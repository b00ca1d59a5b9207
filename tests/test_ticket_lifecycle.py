from datetime import datetime

import pytest

from support_center.tickets.lifecycle import resolved_on_after_change

NOW = datetime(2026, 11, 20, 15, 30)
EARLIER = datetime(2026, 11, 18, 9, 0)


def test_resolving_stamps_the_moment():
	assert resolved_on_after_change("Open", "Resolved", None, NOW) == NOW


def test_closing_a_resolved_ticket_keeps_when_it_was_resolved():
	assert resolved_on_after_change("Resolved", "Closed", EARLIER, NOW) == EARLIER


def test_closing_an_open_ticket_counts_as_resolving_it_now():
	assert resolved_on_after_change("Open", "Closed", None, NOW) == NOW


def test_saving_a_resolved_ticket_again_keeps_the_stamp():
	assert resolved_on_after_change("Resolved", "Resolved", EARLIER, NOW) == EARLIER


@pytest.mark.parametrize("status", ["Open", "Replied", "Waiting on Customer"])
def test_reopening_clears_the_stamp(status):
	assert resolved_on_after_change("Resolved", status, EARLIER, NOW) is None


def test_a_new_ticket_created_resolved_is_resolved_now():
	assert resolved_on_after_change(None, "Resolved", None, NOW) == NOW
