"""A ticket's public replies as a number on the ticket (``public_reply_count``), for first-contact resolution.

A public reply is a message the desk sent on the ticket that is not internal: a Communication of type
"Communication", sent, not ``support_internal`` (README, *KPIs*). First-contact resolution needs each resolved
ticket's count; reading it from the ticket's own row (in the resolution index, ``kpi.indexes``) spares the
KPI queries a look-up in the Communication table per ticket.

A public reply inserted adds one and one deleted takes one away, in a single UPDATE of the ticket's row
(``count + 1`` reads the row's latest value under its lock, so replies sent at the same moment on several
servers all count). Nothing here reads Communications with a lock: counting them inside the UPDATE (as a
first version did) locked the other senders' new rows and deadlocked two agents replying at once. A change
that moves a reply or makes it internal, and the app's own moves without the ORM (merge, split, import),
count again from the Communications (``recount``); the patch ``backfill_public_reply_count`` counts once
for existing tickets.
"""

from __future__ import annotations

from collections.abc import Iterable

import frappe
from frappe.query_builder.functions import IfNull
from frappe.utils import cint
from pypika.functions import Function


class Greatest(Function):
	def __init__(self, *terms):
		super().__init__("GREATEST", *terms)


FIELD = "public_reply_count"


# The public replies of the ticket in the enclosing statement (the KPI queries' definition, README *KPIs*).
PUBLIC_REPLIES = (
	"(select count(*) from `tabCommunication` c where c.reference_doctype = 'Ticket'"
	" and c.reference_name = cast(`tabTicket`.name as char) and c.sent_or_received = 'Sent'"
	" and c.communication_type = 'Communication' and ifnull(c.support_internal, 0) = 0)"
)


def recount(tickets: Iterable[str | int | None]) -> None:
	"""Set the given tickets' count from their Communications (one UPDATE; ``modified`` is left alone). For
	the rare changes and the app's batch moves: its count reads the Communications with locks."""
	names = sorted({int(name) for name in tickets if name and str(name).isdigit()})
	if not names or not frappe.db.has_column("Ticket", FIELD):
		return
	# A constant statement (the correlated count above); the names are a parameter.
	frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		f"update `tabTicket` set `{FIELD}` = {PUBLIC_REPLIES} where `tabTicket`.name in %(names)s",
		{"names": tuple(names)},
	)


def _add(ticket: str | int | None, step: int) -> None:
	if not ticket or not str(ticket).isdigit() or not frappe.db.has_column("Ticket", FIELD):
		return
	table = frappe.qb.DocType("Ticket")
	value = IfNull(table[FIELD], 0) + step
	if step < 0:
		value = Greatest(value, 0)
	frappe.qb.update(table).set(table[FIELD], value).where(table.name == int(ticket)).run()


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
	"""Communication after_insert, on_update and after_delete: a public reply inserted counts one more on its
	ticket, one deleted one less; a save that changed what counts (moved, marked internal) counts again the
	ticket it is on and the one it was on. A customer's message changes nothing and costs no query."""
	if method == "after_insert":
		if is_public_reply(doc):
			_add(doc.get("reference_name"), 1)
		return
	if method == "after_delete":
		if is_public_reply(doc):
			_add(doc.get("reference_name"), -1)
		return
	before = doc.get_doc_before_save()
	if before is None or all(str(doc.get(f) or "") == str(before.get(f) or "") for f in RELEVANT):
		return
	recount(
		version.get("reference_name")
		for version in (doc, before)
		if version.get("reference_doctype") == "Ticket"
	)


def keep_on_ticket_save(doc, method: str | None = None) -> None:
	"""Ticket validate: a Ticket loaded before a reply was sent and saved after it keeps the count the
	database has now (read under the row's lock, which the save takes anyway), not the one it was loaded
	with."""
	if doc.is_new() or not frappe.db.has_column("Ticket", FIELD):
		return
	doc.set(FIELD, cint(frappe.db.get_value("Ticket", doc.name, FIELD, for_update=True)))
