"""Committed records for tests that use real processes and connections (web servers, workers, a second
database connection): they cannot share the test's transaction, so what they need is committed and
removed afterwards. Everything made here carries a marker so the cleanup finds it."""

import html.parser
import re

import frappe


def api_user(roles: tuple[str, ...] = ("Support Integration",)) -> tuple[str, str]:
	"""A committed integration user with an API key; returns (user, Authorization header)."""
	from support_center.tests.factories import make_user

	user = make_user(list(roles))
	secret = frappe.generate_hash(length=16)
	doc = frappe.get_doc("User", user)
	doc.api_key = frappe.generate_hash(length=15)
	doc.api_secret = secret
	doc.save(ignore_permissions=True)
	frappe.db.commit()
	return user, f"token {doc.api_key}:{secret}"


def password_user(roles: list[str], user_type: str = "System User", password: str = "Load-test-1!") -> str:
	from frappe.utils.password import update_password

	from support_center.tests.factories import make_user

	user = make_user(roles, user_type)
	update_password(user, password)
	return user


def remove_conversations(like: str) -> None:
	"""Delete the tickets, messages, contacts and intake records of conversations matching ``like``."""
	tickets = frappe.get_all("Ticket", filters={"external_conversation": ("like", like)}, pluck="name")
	intake = frappe.get_all("Intake Message", filters={"conversation_id": ("like", like)}, pluck="name")
	remove_tickets(tickets)
	for name in intake:
		remove_files("Intake Message", name)
		frappe.db.delete("Intake Message", {"name": name})
	frappe.db.commit()


def remove_tickets(tickets: list) -> None:
	contacts = {
		c for c in frappe.get_all("Ticket", filters={"name": ("in", tickets or [""])}, pluck="contact") if c
	}
	for name in tickets:
		for communication in frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": str(name)},
			pluck="name",
		):
			remove_files("Communication", communication)
			frappe.db.delete("Communication Link", {"parent": communication})
			frappe.db.delete("Communication", {"name": communication})
		remove_files("Ticket", name)
		for doctype, field in (("Comment", "reference_name"), ("Notification Log", "document_name")):
			frappe.db.delete(doctype, {field: str(name)})
		frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": str(name)})
		frappe.db.delete("Version", {"ref_doctype": "Ticket", "docname": str(name)})
		frappe.db.delete("Email Queue", {"reference_doctype": "Ticket", "reference_name": str(name)})
		frappe.db.delete("Ticket", {"name": name})
	for contact in contacts:
		if not frappe.db.exists("Ticket", {"contact": contact}):
			frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
	frappe.db.commit()


def remove_files(doctype: str, name) -> None:
	for file in frappe.get_all(
		"File", filters={"attached_to_doctype": doctype, "attached_to_name": str(name)}, pluck="name"
	):
		frappe.delete_doc("File", file, force=True, ignore_permissions=True)


def remove_users(users: list[str]) -> None:
	for user in users:
		frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	frappe.db.commit()


class _ActiveMarkup(html.parser.HTMLParser):
	"""Finds what would run in a browser: script-like tags, event handler attributes, javascript: URLs."""

	DANGEROUS_TAGS = frozenset(
		{"script", "iframe", "frame", "object", "embed", "applet", "base", "form", "meta", "link"}
	)

	def __init__(self):
		super().__init__(convert_charrefs=True)
		self.found: list[str] = []

	def handle_starttag(self, tag, attrs):
		if tag in self.DANGEROUS_TAGS:
			self.found.append(f"<{tag}>")
		for name, value in attrs:
			if name.startswith("on"):
				self.found.append(f"{tag} {name}=")
			if value and re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE):
				self.found.append(f"{tag} {name}={value[:30]}")


def active_markup(value: str | None) -> list[str]:
	"""What in a stored value would run as script if shown as HTML in the desk or the portal."""
	if not value:
		return []
	parser = _ActiveMarkup()
	parser.feed(str(value))
	parser.close()
	return parser.found


def run_queued_deliveries() -> int:
	"""What the site's background worker does with the messages the served site took in: no worker runs
	during the tests, so each delivery job this site queued is taken off the queue and run here."""
	from frappe.utils.background_jobs import get_queue

	from support_center.intake.core import deliver_queued

	ran = 0
	for job in get_queue("short").get_jobs():
		call = job.kwargs or {}
		if (
			call.get("site") != frappe.local.site
			or call.get("method") != "support_center.intake.core.deliver_queued"
		):
			continue
		job.delete()
		deliver_queued(**call["kwargs"])
		ran += 1
	return ran
