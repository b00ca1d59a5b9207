from support_center.permissions.scope import PortalScope


def scope(contacts=(), customers=()):
	return PortalScope(frozenset(contacts), frozenset(customers))


def test_a_ticket_of_the_users_contact_is_theirs():
	assert scope(contacts={"Laura"}).covers("Laura", "Northwind")


def test_a_ticket_of_a_customer_they_are_portal_user_of_is_theirs_whoever_raised_it():
	assert scope(customers={"Northwind"}).covers("Someone Else", "Northwind")


def test_other_contacts_and_customers_are_not_theirs():
	user = scope(contacts={"Laura"}, customers={"Northwind"})
	assert not user.covers("Ivan", "Volga")
	assert not user.covers(None, None)
	assert not user.covers("", "")


def test_a_user_with_no_contact_and_no_customer_has_an_empty_scope():
	assert scope().is_empty
	assert not scope(contacts={"Laura"}).is_empty
	assert not scope().covers("Laura", "Northwind")


def test_a_new_ticket_keeps_the_party_the_user_sent_only_when_it_is_their_own():
	user = scope(contacts={"Laura", "Laura (old)"}, customers={"Northwind", "Northwind EU"})
	assert user.party_for_new_ticket("Laura (old)", "Northwind EU") == ("Laura (old)", "Northwind EU")
	# Spoofed values are replaced by the user's own, chosen stably.
	assert user.party_for_new_ticket("Ivan", "Volga") == ("Laura", "Northwind")
	assert user.party_for_new_ticket(None, None) == ("Laura", "Northwind")


def test_a_new_ticket_of_a_contact_only_user_gets_no_customer_from_the_client():
	assert scope(contacts={"Laura"}).party_for_new_ticket("Laura", "Volga") == ("Laura", None)
