"""Agents search what customers wrote: the full text of tickets and their conversations, and a ticket shows
a few similar resolved tickets with the reply that resolved them.

How it is indexed: each ticket keeps a hidden ``search_text`` column with MariaDB's InnoDB FULLTEXT index
(``ticket_search_text``). It holds index tokens (``knowledge_base.tokens``: case-folded words, short words
padded, Chinese and Japanese as character bigrams) of the subject (weighted), the description and every
message the customer sees (their messages and the public replies). Internal notes and internal mail are
never written into it, so nothing a customer may read of their own ticket reveals them. Cost per ticket:
no extra query when a ticket is created (the column is filled in its own INSERT) and one UPDATE per
customer-visible message (the message's tokens are appended); the column is about the size of the
conversation's text. ``reindex`` rebuilds one ticket, ``reindex_all`` every ticket in batches.

Internal notes are searched for staff only, by a plain match on the notes (``tabComment``), which is a scan
bounded by the result limit; they are not in the FULLTEXT index.
"""

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Concat, IfNull, Length
from frappe.utils import strip_html

from support_center.conversation.visibility import customer_filters, is_customer_visible
from support_center.knowledge_base.tokens import html_to_text, index_text, query_terms, tokens

INDEX = "ticket_search_text"
FIELD = "search_text"
# What one ticket's index may hold; beyond it, later messages are not indexed (the subject and start are).
MAX_CHARS = 200_000
DONE = ("Resolved", "Closed")


def ensure_fulltext_index() -> None:
	if not frappe.db.has_column("Ticket", FIELD):
		return
	if not frappe.db.has_index("tabTicket", INDEX):
		# frappe.db.add_index makes plain indexes only; INDEX and FIELD are module constants.
		frappe.db.sql_ddl(  # nosemgrep: frappe-using-db-sql -- FULLTEXT index DDL
			f"alter table `tabTicket` add fulltext index {INDEX} ({FIELD})"
		)


def ticket_index_text(subject: str | None, description: str | None, messages: list[str] = ()) -> str:
	text = index_text(subject or "", description or "", extra=" ".join(html_to_text(m) for m in messages))
	return text[:MAX_CHARS]


# Keeping the index
# -----------------


def on_ticket_validate(doc, method=None) -> None:
	"""A new ticket is indexed in its own INSERT; a changed subject or description is indexed again."""
	if doc.is_new():
		doc.set(FIELD, ticket_index_text(doc.subject, doc.description))
	elif doc.has_value_changed("subject") or doc.has_value_changed("description"):
		doc.set(FIELD, ticket_index_text(doc.subject, doc.description, _messages(doc.name)))


def on_communication(doc, method=None) -> None:
	"""Communication after_insert: a message the customer sees is appended to its ticket's index."""
	if doc.reference_doctype != "Ticket" or not doc.reference_name or not is_customer_visible(doc):
		return
	words = " ".join(tokens(doc.text_content or strip_html(doc.content or "")))
	if not words:
		return
	ticket = DocType("Ticket")
	frappe.qb.update(ticket).set(
		ticket[FIELD],
		Concat(IfNull(ticket[FIELD], ""), " ", words),
	).where((ticket.name == doc.reference_name) & (Length(ticket[FIELD]) < MAX_CHARS)).run()


def _messages(ticket) -> list[str]:
	return frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Ticket", "reference_name": str(ticket), **customer_filters()},
		pluck="content",
		order_by="creation asc",
	)


def reindex(ticket) -> None:
	row = frappe.db.get_value("Ticket", ticket, ["subject", "description"], as_dict=True)
	if row:
		frappe.db.set_value(
			"Ticket",
			ticket,
			FIELD,
			ticket_index_text(row.subject, row.description, _messages(ticket)),
			update_modified=False,
		)


def reindex_all(batch: int = 500) -> int:
	"""Every ticket's index, from its subject, description and customer-visible messages."""
	names = frappe.get_all("Ticket", pluck="name", order_by="name asc")
	for start in range(0, len(names), batch):
		chunk = [str(name) for name in names[start : start + batch]]
		rows = frappe.get_all(
			"Ticket", filters={"name": ("in", chunk)}, fields=["name", "subject", "description"]
		)
		messages: dict[str, list[str]] = {}
		for row in frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Ticket", "reference_name": ("in", chunk), **customer_filters()},
			fields=["reference_name", "content"],
			order_by="creation asc",
		):
			messages.setdefault(str(row.reference_name), []).append(row.content or "")
		frappe.db.bulk_update(
			"Ticket",
			{
				row.name: {
					FIELD: ticket_index_text(row.subject, row.description, messages.get(str(row.name), []))
				}
				for row in rows
			},
			chunk_size=100,
			update_modified=False,
		)
	return len(names)


# Searching
# ---------


def all_terms(query: str) -> str:
	"""Boolean-mode text where every word must occur (a word's inflections through its stem)."""
	return " ".join(f"+{term}" for term in query_terms(query))


def search(query: str, limit: int = 20, include_notes: bool = False) -> list[dict]:
	"""Tickets whose subject, description or customer-visible conversation has every word of the query;
	with ``include_notes`` (staff) also tickets whose internal notes contain the query."""
	text = (query or "").strip()
	if not text:
		return []
	against = all_terms(text)
	found: dict[str, dict] = {}
	if against:
		# FULLTEXT MATCH has no query-builder form; FIELD is a module constant, the rest are parameters.
		for row in frappe.db.sql(  # nosemgrep: frappe-using-db-sql
			f"""select name, subject, status, customer_name, modified,
				match({FIELD}) against (%(against)s in boolean mode) as score
			from `tabTicket`
			where match({FIELD}) against (%(against)s in boolean mode)
			order by score desc, modified desc
			limit %(limit)s""",
			{"against": against, "limit": int(limit)},
			as_dict=True,
		):
			row["found_in"] = "conversation"
			found[str(row.name)] = row
	if include_notes and len(found) < limit:
		comment, ticket = DocType("Comment"), DocType("Ticket")
		rows = (
			frappe.qb.from_(comment)
			.join(ticket)
			.on(ticket.name == comment.reference_name)
			.select(ticket.name, ticket.subject, ticket.status, ticket.customer_name, ticket.modified)
			.where(
				(comment.reference_doctype == "Ticket")
				& (comment.comment_type == "Comment")
				& (comment.content.like(f"%{_escape_like(text)}%"))
			)
			.distinct()
			.limit(int(limit) - len(found))
			.run(as_dict=True)
		)
		for row in rows:
			found.setdefault(str(row.name), {**row, "score": 0, "found_in": "internal note"})
	return list(found.values())[: int(limit)]


def _escape_like(text: str) -> str:
	return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def similar_resolved(ticket, limit: int = 3) -> list[dict]:
	"""Resolved tickets most like this one (any word may match, more matches rank higher), each with the
	last public reply it got."""
	against = " ".join(query_terms(f"{ticket.subject or ''} {html_to_text(ticket.description or '')[:600]}"))
	if not against:
		return []
	# FULLTEXT MATCH has no query-builder form; FIELD is a module constant, the rest are parameters.
	rows = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		f"""select name, subject, status, customer_name, resolved_on,
			match({FIELD}) against (%(against)s in boolean mode) as score
		from `tabTicket`
		where match({FIELD}) against (%(against)s in boolean mode)
			and status in %(done)s and name != %(name)s and ifnull(merged_into, '') = ''
		order by score desc
		limit %(limit)s""",
		{"against": against, "done": DONE, "name": str(ticket.name), "limit": int(limit)},
		as_dict=True,
	)
	if not rows:
		return []
	comm = DocType("Communication")
	replies = (
		frappe.qb.from_(comm)
		.select(comm.reference_name, comm.content, comm.creation)
		.where(
			(comm.reference_doctype == "Ticket")
			& (comm.reference_name.isin([str(row.name) for row in rows]))
			& (comm.sent_or_received == "Sent")
			& (comm.communication_type == "Communication")
			& (IfNull(comm.support_internal, 0) == 0)
		)
		.orderby(comm.creation)
		.run(as_dict=True)
	)
	last = {}
	for reply in replies:
		last[str(reply.reference_name)] = reply.content
	for row in rows:
		row["resolution"] = strip_html(last.get(str(row.name)) or "").strip()[:400]
	return rows
