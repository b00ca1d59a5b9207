"""Consult a colleague: send a ticket's context to any address; the answer comes back as an internal note.

The consult is a Communication of type "Comment" (sent, referencing the ticket): Frappe's timeline, our
portal, the SLA clock and the workflow only look at type "Communication", so it is invisible to the
customer and moves nothing. Its Message-ID is that of the mail, so Frappe's intake (``InboundMail``)
finds it as the parent of the colleague's answer and stores the answer's ``in_reply_to`` = the consult.
``intercept_reply`` (Communication before_insert) recognises that and turns the answer into an internal
Communication of type "Comment" too; ``note_reply`` (after_insert) copies it onto the ticket as a note.
The same holds for the whole thread: a colleague's reply to the answer, and auto-replies, stay internal.
"""

from email.utils import getaddresses, make_msgid

import frappe
from frappe import _
from frappe.utils import escape_html, get_fullname, strip_html, validate_email_address

from support_center.conversation.notes import add_note

CONSULT = "Comment"
AUTOMATED = "Automated Message"
MAX_RECIPIENTS = 20


def parse_recipients(recipients: str) -> list[str]:
	addresses = [address.strip() for _name, address in getaddresses([recipients or ""]) if address.strip()]
	if not addresses:
		frappe.throw(_("Give at least one email address to consult."))
	if len(addresses) > MAX_RECIPIENTS:
		frappe.throw(_("Consult at most {0} addresses at once.").format(MAX_RECIPIENTS))
	for address in addresses:
		if not validate_email_address(address):
			frappe.throw(_("{0} is not a valid email address.").format(address))
	return list(dict.fromkeys(addresses))


def last_customer_message(ticket) -> str:
	rows = frappe.get_all(
		"Communication",
		filters={
			"reference_doctype": "Ticket",
			"reference_name": str(ticket.name),
			"communication_type": "Communication",
			"sent_or_received": "Received",
		},
		fields=["content", "text_content"],
		order_by="communication_date desc, creation desc",
		limit=1,
	)
	if rows:
		return (rows[0].text_content or strip_html(rows[0].content or "")).strip()
	return strip_html(ticket.description or "").strip()


def consult(ticket, recipients: str, message: str) -> str:
	"""Mail the ticket's context and the agent's question; returns the consult's Communication name."""
	addresses = parse_recipients(recipients)
	question = (message or "").strip()
	if not question:
		frappe.throw(_("Write the question for your colleague."))
	agent = get_fullname(frappe.session.user)
	subject = _("Question about ticket #{0}: {1}").format(ticket.name, ticket.subject)
	customer_text = last_customer_message(ticket) or _("(no message from the customer yet)")
	body = "".join(
		(
			f"<p>{escape_html(_('{0} asks:').format(agent))}</p>",
			f"<blockquote>{escape_html(question)}</blockquote>",
			f"<p><b>{escape_html(_('Ticket #{0}: {1}').format(ticket.name, ticket.subject))}</b></p>",
			f"<p>{escape_html(_('The customer wrote:'))}</p>",
			f"<pre style='white-space: pre-wrap'>{escape_html(customer_text)}</pre>",
			f"<p><i>{escape_html(_('Reply to this email; your answer reaches the agent only.'))}</i></p>",
		)
	)
	message_id = make_msgid(domain=frappe.local.site).strip("<>")
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": CONSULT,
			"communication_medium": "Email",
			"sent_or_received": "Sent",
			"subject": subject,
			"content": body,
			"sender": frappe.db.get_value("User", frappe.session.user, "email") or frappe.session.user,
			"recipients": ", ".join(addresses),
			"reference_doctype": "Ticket",
			"reference_name": str(ticket.name),
			"message_id": message_id,
		}
	)
	communication.flags.skip_add_signature = True
	communication.insert(ignore_permissions=True)
	frappe.sendmail(
		recipients=addresses,
		subject=subject,
		message=body,
		reference_doctype="Ticket",
		reference_name=ticket.name,
		communication=communication.name,
		message_id=message_id,
	)
	add_note(
		ticket.name,
		_("Consulted {0}: {1}").format(", ".join(addresses), escape_html(question)),
	)
	return communication.name


def in_consult_thread(name: str | None) -> bool:
	"""Whether a Communication is a consult or a mail in its thread (all of them are of type CONSULT)."""
	if not name:
		return False
	row = frappe.db.get_value(
		"Communication", name, ["communication_type", "reference_doctype"], as_dict=True
	)
	return bool(row and row.communication_type == CONSULT and row.reference_doctype == "Ticket")


def intercept_reply(doc, method=None) -> None:
	"""Communication before_insert: mail in a consult's thread never becomes a public message.

	That is the colleague's answer, a reply to the answer (another colleague's, or the first one's again)
	and an auto-reply (out of office) to any of them: whatever answers a mail of the thread, found by
	In-Reply-To or, in the ticket mailbox, by References (``SupportInboundMail.parent_communication``).
	"""
	if doc.sent_or_received != "Received" or doc.communication_type not in ("Communication", AUTOMATED):
		return
	if not in_consult_thread(doc.in_reply_to):
		return
	consult_ticket = frappe.db.get_value("Communication", doc.in_reply_to, "reference_name")
	doc.flags.consult_auto_reply = doc.communication_type == AUTOMATED
	doc.communication_type = CONSULT
	doc.reference_doctype = "Ticket"
	doc.reference_name = consult_ticket
	doc.flags.consult_reply = True


def note_reply(doc, method=None) -> None:
	"""Communication after_insert: the colleague's answer as an internal note on the ticket."""
	if not doc.flags.consult_reply:
		return
	text = (doc.text_content or strip_html(doc.content or "")).strip()
	sender = escape_html(doc.sender_full_name or doc.sender or "")
	if doc.flags.consult_auto_reply:
		heading = _("Automatic reply from {0} to a consult:").format(sender)
	else:
		heading = _("Answer from {0} to a consult:").format(sender)
	add_note(
		doc.reference_name,
		heading + f"<blockquote>{escape_html(text)}</blockquote>",
		user=doc.sender or "Administrator",
	)
	if not doc.flags.consult_auto_reply:
		from support_center.notifications.alerts import consult_answered

		author = frappe.db.get_value(
			"Communication", {"name": doc.in_reply_to, "sent_or_received": "Sent"}, "sender"
		)
		consult_answered(doc.reference_name, author, doc.sender_full_name or doc.sender or "", text)
