"""Which sent messages a customer sees (support_center/conversation/visibility_rules.py): pure, no Frappe."""

import importlib.util
import pathlib

_PATH = (
	pathlib.Path(__file__).resolve().parents[1] / "support_center" / "conversation" / "visibility_rules.py"
)
_spec = importlib.util.spec_from_file_location("visibility_rules", _PATH)
rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules)

PARTY = {"olga@customer.test", "boss@customer.test"}


def test_addresses_of_headers_lower_cased_without_names_or_duplicates():
	assert rules.addresses(
		'"Sales, EU" <Sales@Supplier.test>, olga@customer.test', None, "OLGA@customer.test"
	) == [
		"sales@supplier.test",
		"olga@customer.test",
	]
	assert rules.addresses(None, "", "not an address") == []


def test_mail_to_a_third_party_only_is_internal():
	assert rules.sent_is_internal(["sales@supplier.test"], PARTY)
	assert rules.sent_is_internal(["sales@supplier.test", "other@supplier.test"], PARTY)


def test_mail_that_reaches_the_party_is_the_customers():
	assert not rules.sent_is_internal(["Olga@Customer.test"], PARTY)
	# a copy to the supplier does not hide a reply the customer got
	assert not rules.sent_is_internal(["sales@supplier.test", "boss@customer.test"], PARTY)


def test_a_ticket_whose_party_has_no_address_has_no_third_party():
	assert not rules.sent_is_internal(["olga@customer.test"], set())
	assert not rules.sent_is_internal(["olga@customer.test"], {""})


def test_a_reply_without_recipients_goes_back_on_the_tickets_channel():
	assert not rules.sent_is_internal([], PARTY)
	assert not rules.sent_is_internal([""], set())
