"""A real mailbox for tests with worker processes: a throwaway Dovecot, an Email Account (IMAP, unseen
mail, Append To Ticket) that pulls from it, and the cleanup of everything the pulls committed."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import frappe
from frappe.utils import now_datetime

from support_center.tests.live_data import remove_files, remove_tickets
from support_center.tests.mail_servers import Dovecot

PASSWORD = "imap-secret"


class Mailbox:
	def __init__(self):
		self.domain = f"{frappe.generate_hash(length=8).lower()}.example.com"
		self.address = f"support@{self.domain}"
		self.dovecot = Dovecot(self.address, PASSWORD).start()
		try:
			self.account = (
				frappe.get_doc(
					{
						"doctype": "Email Account",
						"email_account_name": f"Support {self.domain}",
						"email_id": self.address,
						"password": PASSWORD,
						"enable_incoming": 1,
						"use_imap": 1,
						"use_ssl": 0,
						"use_starttls": 0,
						"email_server": "127.0.0.1",
						"incoming_port": str(self.dovecot.port),
						"email_sync_option": "UNSEEN",
						"initial_sync_count": "100",
						"append_to": "Ticket",
						"imap_folder": [{"folder_name": "INBOX", "append_to": "Ticket"}],
						"enable_outgoing": 0,
						"enable_auto_reply": 0,
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
			frappe.db.commit()
			# The first pull learns the mailbox's UIDVALIDITY; from then on it takes only unseen mail.
			self.pull()
		except Exception:
			self.dovecot.stop()
			raise

	def pull(self) -> None:
		frappe.get_doc("Email Account", self.account).receive()
		frappe.db.commit()

	def deliver(self, count: int, label: str) -> list[str]:
		"""Put ``count`` new mails from different senders in the mailbox; returns their Message-IDs."""
		ids = []
		for index in range(count):
			message = EmailMessage()
			message["From"] = f"customer-{label}-{index}@{self.domain}"
			message["To"] = self.address
			message["Subject"] = f"Request {label} {index}"
			message["Date"] = format_datetime(now_datetime().astimezone())
			message_id = make_msgid(domain=self.domain)
			message["Message-ID"] = message_id
			message.set_content(f"Body of request {label} {index}.")
			self.dovecot.append(bytes(message))
			ids.append(message_id.strip("<>"))
		return ids

	def taken_in(self, message_ids: list[str]) -> dict[str, int]:
		"""How many Communications each message became (1 each when nothing was lost or doubled)."""
		frappe.db.commit()  # a fresh snapshot
		counts = dict.fromkeys(message_ids, 0)
		for row in frappe.get_all(
			"Communication",
			filters={"message_id": ("in", message_ids + [f"<{m}>" for m in message_ids])},
			fields=["message_id"],
		):
			counts[row.message_id.strip("<>")] += 1
		return counts

	def tickets(self) -> int:
		frappe.db.commit()
		return frappe.db.count("Ticket", {"raised_by": ("like", f"%{self.domain}")})

	def stop(self) -> None:
		try:
			like = f"%{self.domain}%"
			remove_tickets(frappe.get_all("Ticket", filters={"raised_by": ("like", like)}, pluck="name"))
			for name in frappe.get_all(
				"Communication", filters={"email_account": self.account}, pluck="name"
			):
				remove_files("Communication", name)
				frappe.db.delete("Communication Link", {"parent": name})
				frappe.db.delete("Communication", {"name": name})
			for name in frappe.get_all(
				"Intake Message", filters={"email_account": self.account}, pluck="name"
			):
				remove_files("Intake Message", name)
				frappe.db.delete("Intake Message", {"name": name})
			frappe.db.delete("Unhandled Email", {"email_account": self.account})
			for contact in frappe.get_all(
				"Contact Email", filters={"email_id": ("like", like)}, pluck="parent"
			):
				frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
			frappe.delete_doc("Email Account", self.account, force=True, ignore_permissions=True)
			frappe.db.commit()
		finally:
			self.dovecot.stop()
