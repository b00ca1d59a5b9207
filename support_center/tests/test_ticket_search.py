"""Ticket search: agents find what customers wrote; internal notes for staff only; similar resolved tickets."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import ticket_search as api
from support_center.conversation.notes import add_note
from support_center.search import tickets as search
from support_center.tests.factories import make_agent, make_ticket, portal_customer, unique


def message(ticket, text: str, direction: str = "Received", **values) -> None:
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": direction,
			"content": f"<p>{text}</p>",
			"sender": "someone@customer.test",
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
			**values,
		}
	).insert(ignore_permissions=True)


class TestTicketSearch(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		search.ensure_fulltext_index()
		# InnoDB FULLTEXT sees rows only once committed; the class's rows are removed again below.
		cls.word = "zq" + frappe.generate_hash(length=6)

	def setUp(self):
		frappe.set_user("Administrator")
		self.agent = make_agent()

	def tearDown(self):
		frappe.set_user("Administrator")

	def committed_tickets(self):
		"""Tickets made and committed for this test (FULLTEXT does not see uncommitted rows), then deleted."""
		made = []

		def cleanup():
			for name in made:
				frappe.db.delete(
					"Communication", {"reference_doctype": "Ticket", "reference_name": str(name)}
				)
				frappe.db.delete("Comment", {"reference_doctype": "Ticket", "reference_name": str(name)})
				frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": str(name)})
				frappe.db.delete("Ticket", {"name": name})
			frappe.db.commit()  # nosemgrep: the rows were committed for the FULLTEXT index

		self.addCleanup(cleanup)
		return made

	def test_customer_messages_and_public_replies_are_found_notes_only_by_staff_search(self):
		made = self.committed_tickets()
		word = self.word
		ticket = make_ticket(subject="Printer trouble")
		made.append(ticket.name)
		message(ticket, f"The {word}printer shows error E42 on every page")
		message(ticket, f"Please reset the fuser {word}fuser", "Sent", sender=self.agent)
		add_note(ticket.name, f"internal {word}secret", user=self.agent)
		other = make_ticket(subject="Unrelated")
		made.append(other.name)
		frappe.db.commit()  # nosemgrep: see committed_tickets
		frappe.set_user(self.agent)
		self.assertEqual([r["name"] for r in api.search(f"{word}printer E42")], [ticket.name])
		self.assertEqual([r["name"] for r in api.search(f"{word}fuser")], [ticket.name])
		# Every word must occur.
		self.assertEqual(api.search(f"{word}printer nonexistentword"), [])
		noted = api.search(f"{word}secret")
		self.assertEqual([(r["name"], r["found_in"]) for r in noted], [(ticket.name, "internal note")])
		frappe.set_user("Administrator")
		# The index never holds internal notes, so the customer's REST filters cannot probe them.
		self.assertNotIn(f"{word}secret", frappe.db.get_value("Ticket", ticket.name, "search_text"))

	def test_similar_resolved_tickets_come_with_the_reply_that_resolved_them(self):
		made = self.committed_tickets()
		word = self.word
		resolved = make_ticket(subject=f"Label printer {word}label prints blank labels")
		made.append(resolved.name)
		message(resolved, "Replace the thermal ribbon, then calibrate.", "Sent", sender=self.agent)
		frappe.db.set_value("Ticket", resolved.name, "status", "Resolved")
		open_one = make_ticket(subject=f"Blank labels from the {word}label printer")
		made.append(open_one.name)
		frappe.db.commit()  # nosemgrep: see committed_tickets
		frappe.set_user(self.agent)
		[similar] = [row for row in api.similar(open_one.name) if row["name"] == resolved.name]
		self.assertIn("thermal ribbon", similar["resolution"])

	def test_customers_cannot_search(self):
		customer = portal_customer()
		frappe.set_user(customer.user)
		with self.assertRaises(frappe.PermissionError):
			api.search("anything")
		ticket = make_ticket(contact=customer.contact, customer=customer.customer, raised_by=customer.user)
		with self.assertRaises(frappe.PermissionError):
			api.similar(ticket.name)

	def test_a_new_ticket_is_indexed_in_its_insert(self):
		ticket = make_ticket(subject=unique("Подключение принтера"), description="<p>請求書が届きません</p>")
		text = frappe.db.get_value("Ticket", ticket.name, "search_text")
		self.assertIn("подключение", text)
		self.assertIn("z", text)  # the Japanese text as bigram tokens
