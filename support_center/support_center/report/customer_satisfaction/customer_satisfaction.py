"""Customer Satisfaction: Ratings, share of 4-5 star ratings, survey response rate and the loyalty score. (support_center/kpi/reports.py)."""

from support_center.kpi.reports import customer_satisfaction


def execute(filters=None):
	return customer_satisfaction(filters)
