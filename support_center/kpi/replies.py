"""A ticket's public replies as a number on the ticket (``public_reply_count``), for first-contact resolution.

A public reply is a message the desk sent on the ticket that is not internal: a Communication of type
"Communication", sent, not ``support_internal`` (README, *KPIs*). First-contact resolution needs each resolved
ticket's count; reading it from the ticket's own row (in the resolution index, ``kpi.indexes``) spares the
KPI queries a look-up in the Communication table per ticket.

The number is never added to or taken from: ``recount`` sets it from the Communications themselves, so it
is right after any change, however often it runs. It runs when a Communication on a ticket is inserted,
saved or deleted (``hooks``), and after the app moves messages between tickets without the ORM (merge,
split, import). The patch ``backfill_public_reply_count`` counts it once for existing tickets.
"""

from __future__ import annotations

from collections.abc import Iterable

import frappe
from frappe.utils import cint

FIELD = "public_reply_count"


# The public replies of the ticket in the enclosing statement (the KPI queries' definition, README *KPIs*).
PUBLIC_REPLIES = (
	"(select count(*) from `tabCommunication` c where c.reference_doctype = 'Ticket'"
	" and c.reference_name = cast(`tabTicket`.name as char) and c.sent_or_received = 'Sent'"
	" and c.communication_type = 'Communication' and ifnull(c.support_internal, 0) = 0)"
)


def recount(tickets: Iterable[str | int | None]) -> None:
	"""Set the given tickets' count from their Communications (one UPDATE; ``modified`` is left alone)."""
	names = sorted({int(name) for name in tickets if name and str(name).isdigit()})
	if not names or not frappe.db.has_column("Ticket", FIELD):
		return
	# A constant statement (the correlated count above); the names are a parameter.
	frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		f"update `tabTicket` set `{FIELD}` = {PUBLIC_REPLIES} where `tabTicket`.name in %(names)s",
		{"names": tuple(names)},
	)


def is_public_reply(doc) -> bool:
	return (
		doc.get("reference_doctype") == "Ticket"
		and doc.get("sent_or_received") == "Sent"
		and doc.get("communication_type") == "Communication"
		and not cint(doc.get("support_internal"))
	)


RELEVANT = (
	"reference_doctype",
	"reference_name",
	"sent_or_received",
	"communication_type",
	"support_internal",
)


def on_communication_change(doc, method: str | None = None) -> None:
	"""Communication after_insert, on_update and after_delete: recount the ticket a public reply is on, and
	on a save that changed what counts (moved, marked internal) the ticket it was on before as well. A
	customer's message changes nothing and costs no query."""
	tickets = []
	before = doc.get_doc_before_save() if method == "on_update" else None
	if method == "on_update":
		if before is None or all(str(doc.get(f) or "") == str(before.get(f) or "") for f in RELEVANT):
			return
		for version in (doc, before):
			if version.get("reference_doctype") == "Ticket":
				tickets.append(version.get("reference_name"))
	elif is_public_reply(doc):
		tickets.append(doc.get("reference_name"))
	recount(tickets)


def keep_on_ticket_save(doc, method: str | None = None) -> None:
	"""Ticket validate: a Ticket loaded before a reply was sent and saved after it keeps the count the
	database has (``recount`` wrote it there), not the one it was loaded with."""
	before = doc.get_doc_before_save()
	if before is not None:
		doc.set(FIELD, before.get(FIELD) or 0)
