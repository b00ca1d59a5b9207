"""Who may read a private file that belongs to a ticket.

Frappe lets the owner of any File record download its file, and lets anyone create a File record that
points at an existing ``file_url``, becoming its owner. So access here follows the ticket, never the
ownership of some record: a customer reads a private file of a ticket only when

* it came with a message they can read (a File on a customer-visible Communication: their own mail and
  uploads, the desk's public replies), or
* they (or a colleague of their company) uploaded it to the ticket themselves: the earliest File record
  of that URL is theirs and is attached to a ticket they can read.

Everything else on a ticket is internal: images pasted into internal notes, consult answers' files, and
files an agent attaches in the form's sidebar. An agent shows a file to the customer by sending it with a
reply. Staff read every file, as before.
"""

import frappe
from frappe import _
from frappe.core.doctype.file.file import File

from support_center.permissions.ticket import is_support_staff

TICKET_PARTS = frozenset({"Ticket", "Communication", "Comment", "Intake Message"})


def _records_of(file_url: str) -> list:
	return frappe.get_all(
		"File",
		filters={"file_url": file_url},
		fields=["name", "owner", "attached_to_doctype", "attached_to_name", "creation"],
		order_by="creation asc, name asc",
	)


def _belongs_to_ticket(record) -> bool:
	if record.attached_to_doctype == "Ticket":
		return True
	if record.attached_to_doctype in ("Communication", "Comment") and record.attached_to_name:
		return (
			frappe.db.get_value(record.attached_to_doctype, record.attached_to_name, "reference_doctype")
			== "Ticket"
		)
	return record.attached_to_doctype == "Intake Message"


def may_read_ticket_file(records: list, user: str) -> bool:
	from support_center.conversation.visibility import is_customer_visible

	first_owner = records[0].owner if records else None
	for record in records:
		if record.attached_to_doctype == "Communication" and record.attached_to_name:
			if not frappe.db.exists("Communication", record.attached_to_name):
				continue
			message = frappe.get_doc("Communication", record.attached_to_name)
			if (
				message.reference_doctype == "Ticket"
				and frappe.db.exists("Ticket", message.reference_name)
				and is_customer_visible(message)
				and frappe.has_permission("Ticket", "read", doc=message.reference_name, user=user)
			):
				return True
		elif record.attached_to_doctype == "Ticket" and record.attached_to_name:
			uploaded_by_customer = record.owner == first_owner and not is_support_staff(record.owner)
			# Identical uploads share one file_url: a record may point at a ticket deleted since.
			if (
				uploaded_by_customer
				and frappe.db.exists("Ticket", record.attached_to_name)
				and frappe.has_permission("Ticket", "read", doc=record.attached_to_name, user=user)
			):
				return True
	return False


def read_verdict(doc, user: str) -> bool | None:
	"""True or False where the rules above decide whether ``user`` may read the file, None where Frappe's
	own rules do (public files, files of other records)."""
	if not doc.is_private or not doc.file_url:
		return None
	records = _records_of(doc.file_url)
	if any(_belongs_to_ticket(record) for record in records):
		return is_support_staff(user) or may_read_ticket_file(records, user)
	# Not a ticket's file: owning a record made after someone else's upload of the same file proves nothing.
	if records and doc.owner == user and records[0].owner != user:
		return False
	return None


def file_has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	"""File has_permission hook (REST, get_list): can only take access away."""
	if ptype not in (None, "read", "select", "print", "export", "email"):
		return None
	return False if read_verdict(doc, user or frappe.session.user) is False else None


class SupportFile(File):
	def before_insert(self):
		# Before Frappe's own before_insert, which reads the file at file_url into ``content``.
		refuse_claimed_file(self)
		super().before_insert()

	def is_downloadable(self) -> bool:
		# Frappe's download path asks the File module directly, past the has_permission hooks.
		verdict = read_verdict(self, frappe.session.user)
		return super().is_downloadable() if verdict is None else verdict


def refuse_claimed_file(doc) -> None:
	"""A new record for an existing private file is an upload of nothing: the caller must already be able
	to read that file."""
	if doc.flags.ignore_permissions or doc.get("content") or doc.is_folder:
		return
	file_url = doc.file_url or ""
	if not file_url.startswith("/private/") or is_support_staff():
		return
	readable = any(frappe.has_permission("File", "read", doc=record.name) for record in _records_of(file_url))
	if not readable:
		frappe.throw(_("You cannot attach a file you have no access to."), frappe.PermissionError)


def customer_visible_attachments(attachments: list[dict]) -> list[dict]:
	"""The part of a ticket's docinfo attachments the session user may download."""
	user = frappe.session.user
	if is_support_staff(user):
		return attachments
	kept = []
	for attachment in attachments:
		file_url = attachment.get("file_url") or ""
		if not file_url.startswith("/private/") or may_read_ticket_file(_records_of(file_url), user):
			kept.append(attachment)
	return kept
