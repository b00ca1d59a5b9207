"""'Was this helpful?': one vote per visitor and article (a visitor may change their mind), with an
optional comment. The article's counters are recounted from the votes in one UPDATE, not a document save."""

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from support_center.knowledge_base import access, visitors

MAX_COMMENT = 1000


def cast_vote(article: str, helpful: bool, comment: str | None = None) -> dict:
	row = frappe.db.get_value(
		"KB Article", article, ["name", "status", "visibility", "language"], as_dict=True
	)
	if not row or row.status != "Published" or not access.can_read_article(row):
		frappe.throw(_("This article is not available."), frappe.DoesNotExistError)
	comment = (comment or "").strip()[:MAX_COMMENT] or None
	voter = visitors.visitor_hash()
	address = visitors.address_hash()
	existing = frappe.db.get_value("KB Feedback", {"article": article, "voter": voter}, "name")
	if not existing and frappe.session.user == "Guest" and _recent_vote_from(article, address):
		# A guest who dropped the cookie votes once more from the same address and browser: not counted.
		frappe.throw(_("Your vote on this article is already counted."), frappe.DuplicateEntryError)
	if existing:
		values = {"helpful": 1 if helpful else 0}
		if comment:
			values["comment"] = comment
		frappe.db.set_value("KB Feedback", existing, values)
	else:
		frappe.get_doc(
			{
				"doctype": "KB Feedback",
				"article": article,
				"helpful": 1 if helpful else 0,
				"comment": comment,
				"language": row.language,
				"user": None if frappe.session.user == "Guest" else frappe.session.user,
				"voter": voter,
				"address_hash": address,
			}
		).insert(ignore_permissions=True)
	recount(article)
	return {"helpful": bool(helpful), "changed": bool(existing)}


def _recent_vote_from(article: str, address: str) -> bool:
	return bool(
		frappe.db.exists(
			"KB Feedback",
			{
				"article": article,
				"address_hash": address,
				"creation": (">", add_to_date(now_datetime(), hours=-24)),
			},
		)
	)


def recount(article: str) -> None:
	# One UPDATE recounts both columns from the feedback rows (correlated subqueries, no read-then-write race).
	frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""update `tabKB Article` set
			helpful_count = (select count(*) from `tabKB Feedback` where article = %(a)s and helpful = 1),
			not_helpful_count = (select count(*) from `tabKB Feedback` where article = %(a)s and helpful = 0)
		where name = %(a)s""",
		{"a": article},
	)
