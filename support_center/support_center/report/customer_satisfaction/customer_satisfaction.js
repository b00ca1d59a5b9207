// Customer Satisfaction: the shared KPI filters (public/js/kpi_report.js).
frappe.query_reports["Customer Satisfaction"] = support_center.kpi_report();
