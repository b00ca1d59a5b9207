// Ticket Analytics: the shared KPI filters (public/js/kpi_report.js) and the interval of its trend.
frappe.query_reports["Ticket Analytics"] = support_center.kpi_report({
	extra: [
		{
			fieldname: "interval",
			label: __("Interval"),
			fieldtype: "Select",
			options: ["", "Daily", "Weekly", "Monthly"],
		},
	],
});
