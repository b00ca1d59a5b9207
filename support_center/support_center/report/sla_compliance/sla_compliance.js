// SLA Compliance: the shared KPI filters (public/js/kpi_report.js).
frappe.query_reports["SLA Compliance"] = support_center.kpi_report();
