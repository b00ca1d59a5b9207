"""The import from Support Center Settings: a background job with realtime progress in the desk.

Managers only (Support Manager, System Manager): the import writes every Issue's history. The job
publishes Frappe's ``progress`` event to the Settings form (the desk shows its progress bar) and, when it
ends, ``support_center_import_done`` to the user who started it with the report; the last report of each
source is kept for a day (``last_report``).
"""

import frappe
from frappe import _

from support_center.migration.importer import ImportOptions, import_records, parse_since
from support_center.migration.sources import SOURCES

MANAGER_ROLES = frozenset({"Support Manager", "System Manager"})
SETTINGS = "Support Center Settings"
REPORT_KEY = "support_center_import_report"
DONE_EVENT = "support_center_import_done"


def check_manager() -> None:
	if not MANAGER_ROLES & set(frappe.get_roles()):
		raise frappe.PermissionError(_("Only support managers can import history."))


def job_id(source: str) -> str:
	return f"support_center_import::{frappe.scrub(source)}"


@frappe.whitelist(methods=["POST"])
def start_import(source: str = "Issue", dry_run: bool = False, since: str | None = None) -> dict:
	"""Queue the import (or its dry run) of ``source`` ("Issue" or "HD Ticket")."""
	check_manager()
	if source not in SOURCES:
		frappe.throw(_("Unknown source {0}").format(source))
	since_value = parse_since(since)
	job = frappe.enqueue(
		"support_center.migration.api.run_import_job",
		queue="long",
		timeout=4 * 3600,
		job_id=job_id(source),
		deduplicate=True,
		source=source,
		dry_run=bool(frappe.utils.cint(dry_run)),
		since=str(since_value) if since_value else None,
		user=frappe.session.user,
	)
	if job is None:
		return {"queued": False, "message": _("An import of {0} is already running.").format(source)}
	return {"queued": True, "message": _("The import runs in the background; progress shows here.")}


def run_import_job(source: str, dry_run: bool, since: str | None, user: str) -> dict:
	"""The background job: import in committed batches, publishing progress to the Settings form."""
	title = _("Importing {0}").format(source) if not dry_run else _("Dry run: {0}").format(source)

	def progress(done: int, total: int, report) -> None:
		frappe.publish_progress(
			done * 100 / total if total else 100,
			title=title,
			doctype=SETTINGS,
			docname=SETTINGS,
			description=_("{0} of {1} read, {2} imported").format(done, total, report.imported),
		)

	try:
		report = import_records(
			source, ImportOptions(since=parse_since(since), dry_run=dry_run), progress=progress
		).as_dict()
	except Exception as error:
		frappe.db.rollback()
		frappe.log_error(title=_("Support Center import failed"))
		report = {"source": source, "dry_run": dry_run, "error": str(error), "lines": [str(error)]}
	frappe.cache.set_value(f"{REPORT_KEY}:{source}", report, expires_in_sec=86400)
	frappe.publish_realtime(DONE_EVENT, report, user=user)
	return report


@frappe.whitelist()
def last_report(source: str = "Issue") -> dict | None:
	"""The report of the last import (or dry run) of ``source``, for a day."""
	check_manager()
	if source not in SOURCES:
		frappe.throw(_("Unknown source {0}").format(source))
	return frappe.cache.get_value(f"{REPORT_KEY}:{source}")
