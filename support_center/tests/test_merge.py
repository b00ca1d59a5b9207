"""Merging tickets: everything moves with its timestamps, the source closes, its thread follows."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api import ticket_merge as api
from support_center.conversation.merge import DifferentCustomersError, MergeCycleError, final_ticket
from support_center.conversation.notes import add_note
from support_center.tests.factories import make_agent, make_ticket, portal_customer


def message(ticket, content: str, sender: str = "customer@example.com"):
	return frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"subject": f"Re: {ticket.subject}",
			"content": content,
			"sender": sender,
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
		}
	).insert(ignore_permissions=True)


def attach(ticket, name: str):
	return frappe.get_doc(
		{
			"doctype": "File",
			"file_name": name,
			"content": b"data",
			"attached_to_doctype": "Ticket",
			"attached_to_name": str(ticket.name),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)


class TestMerge(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def test_merge_moves_conversation_notes_and_files_keeping_timestamps(self):
		agent = make_agent()
		source, target = make_ticket(subject="A"), make_ticket(subject="B")
		old = message(source, "first message")
		frappe.db.set_value(
			"Communication",
			old.name,
			{"communication_date": "2025-01-02 03:04:05", "creation": "2025-01-02 03:04:05"},
		)
		note = add_note(source.name, "note on A")
		frappe.db.set_value("Comment", note.name, "creation", "2025-01-03 00:00:00")
		file = attach(source, "a.txt")
		frappe.set_user(agent)
		self.assertEqual(api.merge(source.name, target.name), target.name)
		frappe.set_user("Administrator")

		moved = frappe.db.get_value(
			"Communication", old.name, ["reference_name", "communication_date", "creation"], as_dict=True
		)
		self.assertEqual(str(moved.reference_name), str(target.name))
		self.assertEqual(str(moved.communication_date), "2025-01-02 03:04:05")
		self.assertEqual(str(moved.creation), "2025-01-02 03:04:05")
		note_row = frappe.db.get_value("Comment", note.name, ["reference_name", "creation"], as_dict=True)
		self.assertEqual(
			(str(note_row.reference_name), str(note_row.creation)), (str(target.name), "2025-01-03 00:00:00")
		)
		self.assertEqual(str(frappe.db.get_value("File", file.name, "attached_to_name")), str(target.name))

		source.reload()
		self.assertEqual((str(source.merged_into), source.status), (str(target.name), "Closed"))
		for ticket, text in (
			(source, f"Merged into ticket #{target.name}"),
			(target, f"Ticket #{source.name}"),
		):
			notes = frappe.get_all(
				"Comment",
				filters={
					"reference_doctype": "Ticket",
					"reference_name": str(ticket.name),
					"comment_type": "Comment",
				},
				pluck="content",
			)
			self.assertTrue(any(text in n for n in notes), (ticket.name, notes))

	def test_later_messages_on_the_source_land_on_the_target_following_chains(self):
		a, b, c = make_ticket(), make_ticket(), make_ticket()
		api.merge(a.name, b.name)
		api.merge(b.name, c.name)
		self.assertEqual(final_ticket(a.name), str(c.name))
		late = message(a, "late reply on A's thread")
		self.assertEqual(str(late.reference_name), str(c.name))
		c.reload()
		self.assertEqual(c.status, "Open")

	def test_cycles_are_detected(self):
		a, b = make_ticket(), make_ticket()
		frappe.db.set_value("Ticket", a.name, "merged_into", b.name)
		frappe.db.set_value("Ticket", b.name, "merged_into", a.name)
		self.assertRaises(MergeCycleError, final_ticket, a.name)

	def test_refusals(self):
		a, b, c = make_ticket(), make_ticket(), make_ticket()
		with self.assertRaises(frappe.ValidationError) as error:
			api.merge(a.name, a.name)
		self.assertIn("itself", str(error.exception))
		api.merge(b.name, c.name)
		with self.assertRaises(frappe.ValidationError) as error:
			api.merge(a.name, b.name)
		self.assertIn("merge into that ticket instead", str(error.exception))
		self.assertRaises(frappe.ValidationError, api.merge, b.name, a.name)

	def test_permissions(self):
		customer = portal_customer()
		a = make_ticket(contact=customer.contact, customer=customer.customer)
		b = make_ticket(contact=customer.contact, customer=customer.customer)
		frappe.set_user(customer.user)
		self.assertRaises(frappe.PermissionError, api.merge, a.name, b.name)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("Ticket", a.name, "merged_into"))

	def test_bulk_merge(self):
		agent = make_agent()
		a, b, target = make_ticket(), make_ticket(), make_ticket()
		message(a, "from a")
		message(b, "from b")
		frappe.set_user(agent)
		self.assertEqual(api.bulk_merge(frappe.as_json([a.name, b.name, target.name]), target.name), 2)
		frappe.set_user("Administrator")
		contents = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": str(target.name)},
			pluck="content",
		)
		self.assertEqual(sorted(contents), ["from a", "from b"])
		self.assertEqual(
			{str(frappe.db.get_value("Ticket", t.name, "merged_into")) for t in (a, b)}, {str(target.name)}
		)

	def test_tickets_of_different_customers_merge_only_when_confirmed(self):
		agent = make_agent()
		first, second = portal_customer(), portal_customer()
		source = make_ticket(contact=first.contact, customer=first.customer)
		target = make_ticket(contact=second.contact, customer=second.customer)
		message(source, "first customer's secret", sender=first.user)
		frappe.set_user(agent)
		with self.assertRaises(DifferentCustomersError) as error:
			api.merge(source.name, target.name)
		for customer in (first.customer, second.customer):
			self.assertIn(frappe.db.get_value("Customer", customer, "customer_name"), str(error.exception))
		with self.assertRaises(DifferentCustomersError):
			api.bulk_merge(frappe.as_json([source.name]), target.name)
		frappe.set_user("Administrator")
		# nothing moved
		self.assertFalse(frappe.db.get_value("Ticket", source.name, "merged_into"))
		self.assertEqual(
			frappe.get_all(
				"Communication",
				filters={"reference_doctype": "Ticket", "reference_name": str(target.name)},
			),
			[],
		)

		frappe.set_user(agent)
		self.assertEqual(api.merge(source.name, target.name, confirm_different_customers=True), target.name)
		frappe.set_user("Administrator")
		self.assertEqual(str(frappe.db.get_value("Ticket", source.name, "merged_into")), str(target.name))

	def test_bulk_merge_of_different_customers_needs_the_confirmation_too(self):
		agent = make_agent()
		first, second = portal_customer(), portal_customer()
		same = make_ticket(contact=second.contact, customer=second.customer)
		other = make_ticket(contact=first.contact, customer=first.customer)
		target = make_ticket(contact=second.contact, customer=second.customer)
		frappe.set_user(agent)
		with self.assertRaises(DifferentCustomersError) as error:
			api.bulk_merge(frappe.as_json([same.name, other.name]), target.name)
		self.assertIn(frappe.db.get_value("Customer", first.customer, "customer_name"), str(error.exception))
		# one refusal stops the whole batch
		self.assertFalse(frappe.db.get_value("Ticket", same.name, "merged_into"))
		self.assertEqual(
			api.bulk_merge(
				frappe.as_json([same.name, other.name]), target.name, confirm_different_customers=True
			),
			2,
		)
		frappe.set_user("Administrator")
		# tickets of the same customer never ask
		a = make_ticket(contact=first.contact, customer=first.customer)
		b = make_ticket(contact=first.contact, customer=first.customer)
		frappe.set_user(agent)
		self.assertEqual(api.merge(a.name, b.name), b.name)
