import frappe
from frappe import _
from frappe.utils import cstr, strip_html_tags

from support_center.conversation.visibility import customer_filters

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to see your support tickets."), frappe.PermissionError)

	name = cstr(frappe.form_dict.name)
	if not name.isdigit() or not frappe.db.exists("Ticket", int(name)):
		raise frappe.DoesNotExistError(_("Ticket {0} not found").format(name))

	ticket = frappe.get_doc("Ticket", int(name))
	if not frappe.has_website_permission(ticket):
		raise frappe.PermissionError(_("You are not permitted to see this ticket."))

	context.ticket = ticket
	# Not `description`: Frappe would put that in the page's meta tags.
	context.ticket_description = _as_text(ticket.description)
	# Only messages exchanged with the customer: internal notes are Comments and never listed here, and
	# internal mail (consults, mail with third parties) is filtered as everywhere (conversation/visibility.py).
	context.messages = [
		frappe._dict(message, text=_as_text(message.content))
		for message in frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": ticket.name, **customer_filters()},
			fields=["sender", "sender_full_name", "sent_or_received", "content", "communication_date"],
			order_by="communication_date asc",
		)
	]
	# Frappe prints the title raw in breadcrumbs and un-escapes it (striptags) in <title>, so it carries
	# nothing a user wrote; the subject is shown, escaped, in the page itself.
	context.title = _("Ticket {0}").format(ticket.name)
	context.show_sidebar = True
	context.parents = [{"route": "support/tickets", "title": _("Support Tickets")}]


def _as_text(html: str | None) -> str:
	# Mail and editor HTML is shown as text: what a customer or an email wrote never runs in the page.
	return strip_html_tags(cstr(html).replace("</p>", "\n").replace("<br>", "\n")).strip()
