"""Website comments to tickets (support_center/channels/website_comments.py): a comment with a support word
or an agent's click becomes a ticket, the visitor's next comment on the page joins it, and the agent's
public answer is posted under the page once; internal notes never."""

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.api.channels import reply
from support_center.api.website_comments import make_ticket, page_comments
from support_center.channels import delivery
from support_center.conversation.notes import add_note
from support_center.tests.factories import make_user, unique


class TestWebsiteComments(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		# One Website Comments channel at a time: the first enabled one takes the comments.
		frappe.db.set_value("Support Channel", {"channel_type": "Website Comments"}, "enabled", 0)

	def channel(self, words: str = "") -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Support Channel",
					"channel_name": unique("Comments"),
					"channel_type": "Website Comments",
					"enabled": 1,
					"trigger_words": words,
					"public_name": "Acme Support",
				}
			)
			.insert()
			.name
		)

	def page(self) -> frappe._dict:
		slug = unique("page").lower().replace(" ", "-")
		return frappe.get_doc(
			{"doctype": "Web Page", "title": slug, "route": slug, "published": 1, "main_section": "<p>Hi</p>"}
		).insert()

	def comment(self, page, text: str, email: str = "shelly@example.com", name: str = "Shelly Johnson"):
		return page.add_comment("Comment", text=text, comment_email=email, comment_by=name)

	def tickets(self, channel: str) -> list:
		return frappe.get_all("Ticket", filters={"support_channel": channel}, pluck="name")

	def test_support_words_make_a_ticket_and_the_visitors_next_comment_joins_it(self):
		channel = self.channel("refund\ndoes not work")
		page = self.page()
		self.comment(page, "Lovely article, thanks")
		self.assertEqual(self.tickets(channel), [])
		first = self.comment(page, "The coupon does NOT work and I want a refund")
		[ticket] = self.tickets(channel)
		doc = frappe.get_doc("Ticket", ticket)
		self.assertEqual((doc.channel, doc.raised_by_name), ("Website Comment", "Shelly Johnson"))
		self.assertIn(page.route, doc.description)
		self.comment(page, "Hello? Anyone?")
		self.assertEqual(self.tickets(channel), [ticket])
		self.assertTrue(
			frappe.db.exists(
				"Communication", {"reference_name": str(ticket), "content": ("like", "%Anyone?%")}
			)
		)
		# Another visitor's plain comment on the page is theirs, not this ticket's.
		self.comment(page, "Works for me", email="leo@example.com", name="Leo")
		self.assertEqual(self.tickets(channel), [ticket])
		# The agent's click on an already taken comment is the same ticket.
		self.assertEqual(make_ticket(first.name)["ticket"], ticket)
		self.assertEqual(frappe.db.count("Intake Message", {"support_channel": channel}), 2)

	def test_the_answer_is_posted_under_the_page_once_and_notes_never(self):
		channel = self.channel("refund")
		page = self.page()
		self.comment(page, "refund please")
		[ticket] = self.tickets(channel)
		add_note(ticket, "INTERNAL: check the order")
		communication = reply(ticket, text="Your refund was sent today.")["communication"]
		answers = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Web Page",
				"reference_name": page.name,
				"comment_by": "Acme Support",
			},
			fields=["name", "content", "published"],
		)
		self.assertEqual(len(answers), 1)
		self.assertIn("@Shelly Johnson", answers[0].content)
		self.assertIn("Your refund was sent today.", answers[0].content)
		self.assertTrue(answers[0].published)
		self.assertFalse(
			frappe.db.exists("Comment", {"reference_name": page.name, "content": ("like", "%INTERNAL%")})
		)
		# Our own answer is no new support matter, and a second run of the job posts nothing more.
		record = frappe.get_doc("Channel Delivery", {"communication": communication})
		self.assertEqual(record.status, "Sent")
		delivery.attempt(record.name)
		self.assertEqual(
			frappe.db.count("Comment", {"reference_name": page.name, "comment_by": "Acme Support"}), 1
		)
		self.assertEqual(self.tickets(channel), [ticket])

	def test_an_agent_makes_a_ticket_of_any_comment_and_customers_cannot(self):
		channel = self.channel("")
		page = self.page()
		comment = self.comment(page, "Where do I find the manual?")
		self.assertEqual(self.tickets(channel), [])
		listed = page_comments("Web Page", page.name)
		self.assertEqual([(c.name, c.ticket) for c in listed], [(comment.name, None)])
		agent = make_user(["Support Team"])
		frappe.set_user(agent)
		made = make_ticket(comment.name)
		self.assertTrue(made["created"])
		self.assertEqual(make_ticket(comment.name)["ticket"], made["ticket"])
		self.assertEqual(page_comments("Web Page", page.name)[0].ticket, made["ticket"])
		frappe.set_user(make_user(["Customer"], "Website User"))
		with self.assertRaises(frappe.PermissionError):
			make_ticket(comment.name)
