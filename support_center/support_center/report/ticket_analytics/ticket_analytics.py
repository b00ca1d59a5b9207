"""Ticket Analytics: New, resolved and open tickets, backlog, response and resolution times, first-contact resolution, reopens and repeat contacts. (support_center/kpi/reports.py)."""

from support_center.kpi.reports import ticket_analytics


def execute(filters=None):
	return ticket_analytics(filters)
