"""Customer Feedback: Tickets agents marked as a suggestion, complaint or bug report, by category and month. (support_center/kpi/reports.py)."""

from support_center.kpi.reports import customer_feedback


def execute(filters=None):
	return customer_feedback(filters)
