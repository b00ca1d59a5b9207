"""Agent Performance: Open tickets, tickets by status, public replies per day, response time, first-contact resolution and rating per agent. (support_center/kpi/reports.py)."""

from support_center.kpi.reports import agent_performance


def execute(filters=None):
	return agent_performance(filters)
