"""Which tickets a customer's portal user may reach: pure rules, no database."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalScope:
	"""The contacts a user speaks as, and the customers they are a portal user of."""

	contacts: frozenset[str]
	customers: frozenset[str]

	@property
	def is_empty(self) -> bool:
		return not (self.contacts or self.customers)

	def covers(self, contact: str | None, customer: str | None) -> bool:
		"""A ticket is theirs when one of their contacts raised it or it belongs to one of their customers."""
		return bool((contact and contact in self.contacts) or (customer and customer in self.customers))

	def party_for_new_ticket(
		self, contact: str | None, customer: str | None
	) -> tuple[str | None, str | None]:
		"""The contact and customer a ticket filed by this user gets.

		What the client sent is kept only where it is the user's own; otherwise the user's own
		contact and customer are used (the first by name when there are several, so it is stable).
		"""
		if contact not in self.contacts:
			contact = min(self.contacts) if self.contacts else None
		if customer not in self.customers:
			customer = min(self.customers) if self.customers else None
		return contact, customer
