"""SLA Compliance: First-response and resolution breach rates, tickets breached, at risk and paused now. (support_center/kpi/reports.py)."""

from support_center.kpi.reports import sla_compliance


def execute(filters=None):
	return sla_compliance(filters)
