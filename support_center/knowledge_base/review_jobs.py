"""Stale answers get fixed: articles past their review date are listed for their owners (the workspace's
"Review overdue" list reads `review_overdue`) and each owner gets one notification a day."""

import frappe
from frappe import _
from frappe.utils import nowdate

from support_center.portal.languages import portal_language


def mark_overdue() -> None:
	"""Set-based: `review_overdue` on exactly the published articles whose review date has passed."""
	# One set-based UPDATE touching only the rows whose flag changes (no document saves).
	frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""update `tabKB Article` set review_overdue = if(status = 'Published' and review_by is not null
			and review_by < %(today)s, 1, 0)
		where review_overdue != if(status = 'Published' and review_by is not null
			and review_by < %(today)s, 1, 0)""",
		{"today": nowdate()},
	)


def overdue_by_owner() -> dict[str, list[dict]]:
	rows = frappe.get_all(
		"KB Article",
		filters={"status": "Published", "review_by": ("<", nowdate())},
		fields=["name", "title", "review_by", "article_owner", "owner"],
		order_by="review_by asc",
	)
	owners: dict[str, list[dict]] = {}
	for row in rows:
		owners.setdefault(row.article_owner or row.owner, []).append(row)
	return owners


def send_review_reminders() -> int:
	"""Daily: one Notification Log per owner with overdue articles (Frappe mails it as the user prefers)."""
	mark_overdue()
	sent = 0
	for owner, articles in overdue_by_owner().items():
		if not frappe.db.get_value("User", owner, "enabled"):
			continue
		lang = portal_language(frappe.db.get_value("User", owner, "language"))
		titles = ", ".join(a.title for a in articles[:5]) + ("…" if len(articles) > 5 else "")
		subject = _("{0} knowledge base article(s) are past their review date: {1}", lang=lang).format(
			len(articles), titles
		)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": owner,
				"type": "Alert",
				"subject": frappe.utils.escape_html(subject),
				"document_type": "KB Article",
				"document_name": articles[0].name,
				"email_content": _(
					"Open each article, check it is still right and use Confirm Review (or edit and save it).",
					lang=lang,
				),
			}
		).insert(ignore_permissions=True)
		sent += 1
	return sent
