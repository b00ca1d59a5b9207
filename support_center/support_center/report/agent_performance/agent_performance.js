// Agent Performance: the shared KPI filters (public/js/kpi_report.js), without grouping: a row per agent.
frappe.query_reports["Agent Performance"] = support_center.kpi_report({ group_by: false });
