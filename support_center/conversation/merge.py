"""Merging ticket A into ticket B, and keeping A's thread pointing at B afterwards.

A's Communications, internal notes and attachments move to B with their timestamps untouched (set-based
updates of the reference, never re-inserts); A is closed with ``merged_into = B`` and both get a note.
Later messages that still reference A (a reply to a mail sent from A, found by Frappe's intake through
the Email Queue) are moved to the end of the ``merged_into`` chain before they are inserted.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import escape_html, get_fullname

from support_center.conversation.notes import add_note
from support_center.kpi import replies

MAX_CHAIN = 50


class MergeCycleError(frappe.ValidationError):
	pass


class DifferentCustomersError(frappe.ValidationError):
	"""The tickets belong to different parties; the desk asks the agent and sends the confirmation."""


def final_ticket(name: str | int) -> str:
	"""The ticket a (possibly merged) ticket's messages belong to: the end of its ``merged_into`` chain."""
	current, seen = str(name), []
	while True:
		target = frappe.db.get_value("Ticket", current, "merged_into")
		if not target:
			return current
		seen.append(current)
		if str(target) in seen or len(seen) > MAX_CHAIN:
			raise MergeCycleError(_("Ticket {0} is merged in a cycle: {1}").format(name, " → ".join(seen)))
		current = str(target)


def party_of(ticket) -> tuple[str, str] | None:
	"""Whose conversation a ticket holds: its customer, else its contact, else its sender's address."""
	if ticket.customer:
		return ("Customer", ticket.customer)
	if ticket.contact:
		return ("Contact", ticket.contact)
	if ticket.raised_by:
		return ("Email", ticket.raised_by.strip().lower())
	return None


def party_label(ticket) -> str:
	party = party_of(ticket)
	if not party:
		return _("nobody")
	if party[0] == "Customer":
		return ticket.customer_name or ticket.customer
	if party[0] == "Contact":
		return frappe.db.get_value("Contact", ticket.contact, "full_name") or ticket.contact
	return ticket.raised_by


def check_same_party(source, target, confirm_different_customers: bool = False) -> None:
	"""Merging moves one party's messages and files where the other party reads them: only on purpose."""
	mine, theirs = party_of(source), party_of(target)
	if confirm_different_customers or not mine or not theirs or mine == theirs:
		return
	# The desk shows the message as HTML, and the names are what people typed.
	mine_label, theirs_label = escape_html(party_label(source)), escape_html(party_label(target))
	frappe.throw(
		_(
			"Ticket {0} belongs to {1} and ticket {2} to {3}. Merging shows {1}'s conversation and files "
			"to {3}. Confirm that you want to merge tickets of different customers."
		).format(source.name, mine_label, target.name, theirs_label),
		DifferentCustomersError,
		title=_("Different customers"),
	)


def check_merge(source, target, confirm_different_customers: bool = False) -> None:
	if str(source.name) == str(target.name):
		frappe.throw(_("A ticket cannot be merged into itself."))
	if source.merged_into:
		frappe.throw(
			_("Ticket {0} is already merged into ticket {1}.").format(source.name, source.merged_into)
		)
	if target.merged_into:
		frappe.throw(
			_("Ticket {0} has been merged into ticket {1}; merge into that ticket instead.").format(
				target.name, target.merged_into
			)
		)
	check_same_party(source, target, confirm_different_customers)


def merge(source, target, confirm_different_customers: bool = False) -> None:
	"""Move everything of ``source`` to ``target`` and close ``source``. Permissions are the caller's."""
	check_merge(source, target, confirm_different_customers)
	src, dst = str(source.name), str(target.name)

	communication = DocType("Communication")
	(
		frappe.qb.update(communication)
		.set(communication.reference_name, dst)
		.where((communication.reference_doctype == "Ticket") & (communication.reference_name == src))
		.run()
	)
	# The messages moved without the ORM: both tickets' public reply counts (kpi/replies.py).
	replies.recount([src, dst])
	link = DocType("Communication Link")
	(
		frappe.qb.update(link)
		.set(link.link_name, dst)
		.where((link.link_doctype == "Ticket") & (link.link_name == src))
		.run()
	)
	comment = DocType("Comment")
	(
		frappe.qb.update(comment)
		.set(comment.reference_name, dst)
		.where(
			(comment.reference_doctype == "Ticket")
			& (comment.reference_name == src)
			& comment.comment_type.isin(["Comment", "Attachment"])
		)
		.run()
	)
	file = DocType("File")
	(
		frappe.qb.update(file)
		.set(file.attached_to_name, dst)
		.where((file.attached_to_doctype == "Ticket") & (file.attached_to_name == src))
		.run()
	)
	for doc in (source, target):
		frappe.db.set_value("Ticket", doc.name, "_comments", None, update_modified=False)

	who = get_fullname(frappe.session.user)
	source.reload()
	source.merged_into = target.name
	if source.status != "Closed":
		source.status = "Closed"
		source.flags.status_set_by_app = True
	source.save(ignore_permissions=True)
	source.flags.status_set_by_app = False
	add_note(src, _("Merged into ticket #{0} by {1}.").format(dst, who))
	add_note(dst, _("Ticket #{0} ({1}) was merged into this ticket by {2}.").format(src, source.subject, who))
	target.notify_update()


def redirect_communication(doc, method=None) -> None:
	"""Communication before_insert / validate: a message for a merged ticket goes to where it was merged."""
	if doc.reference_doctype != "Ticket" or not doc.reference_name:
		return
	if not frappe.db.get_value("Ticket", doc.reference_name, "merged_into"):
		return
	try:
		doc.reference_name = final_ticket(doc.reference_name)
	except MergeCycleError:
		frappe.log_error(title=_("Merged tickets form a cycle"), reference_doctype="Ticket")
