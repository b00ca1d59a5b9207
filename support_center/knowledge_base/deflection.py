"""Deflection on /support/new: suggestions the customer opened while writing a request.

Each suggestion opened in a session is one `KB Deflection` row, outcome "Opened" (deflected: no ticket
followed). "This solved it" makes it "Solved" (deflected for sure). A ticket filed on the portal by the
same visitor within DEFLECTION_WINDOW_HOURS turns that session's "Opened" rows into "Ticket Filed" (not
deflected), with the ticket linked.
"""

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from support_center.knowledge_base import access, visitors
from support_center.portal.languages import visitor_language

DEFLECTION_WINDOW_HOURS = 24
OUTCOMES = ("Opened", "Solved", "Ticket Filed")


def record(article: str, outcome: str, query: str | None = None) -> dict:
	if outcome not in ("Opened", "Solved"):
		frappe.throw(_("Unknown outcome {0}.").format(outcome))
	row = frappe.db.get_value("KB Article", article, ["name", "status", "visibility"], as_dict=True)
	if not row or row.status != "Published" or not access.can_read_article(row):
		frappe.throw(_("This article is not available."), frappe.DoesNotExistError)
	session = visitors.visitor_hash()
	since = add_to_date(now_datetime(), hours=-DEFLECTION_WINDOW_HOURS)
	existing = frappe.db.get_value(
		"KB Deflection",
		{"article": article, "session_hash": session, "creation": (">", since)},
		["name", "outcome"],
		as_dict=True,
	)
	if existing:
		if outcome == "Solved" and existing.outcome != "Solved":
			frappe.db.set_value("KB Deflection", existing.name, {"outcome": "Solved", "deflected": 1})
		return {"name": existing.name, "outcome": "Solved" if outcome == "Solved" else existing.outcome}
	doc = frappe.get_doc(
		{
			"doctype": "KB Deflection",
			"article": article,
			"outcome": outcome,
			"deflected": 1,
			"session_hash": session,
			"query": (query or "").strip()[:140] or None,
			"language": visitor_language(),
			"user": None if frappe.session.user == "Guest" else frappe.session.user,
		}
	).insert(ignore_permissions=True)
	return {"name": doc.name, "outcome": outcome}


def on_ticket_after_insert(doc, method=None) -> None:
	"""A ticket filed on the portal: the session's opened suggestions did not deflect it."""
	if doc.get("channel") != "Portal" or not getattr(frappe.local, "request", None):
		return
	if frappe.session.user == "Guest" and not visitors.visitor_token(create=False):
		return
	deflection = frappe.qb.DocType("KB Deflection")
	(
		frappe.qb.update(deflection)
		.set(deflection.outcome, "Ticket Filed")
		.set(deflection.deflected, 0)
		.set(deflection.ticket, doc.name)
		.where(
			(deflection.session_hash == visitors.visitor_hash())
			& (deflection.outcome == "Opened")
			& (deflection.creation > add_to_date(now_datetime(), hours=-DEFLECTION_WINDOW_HOURS))
		)
	).run()
