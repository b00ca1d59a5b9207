// Customer Feedback: the shared KPI filters (public/js/kpi_report.js) over 90 days, by kind of feedback.
frappe.query_reports["Customer Feedback"] = support_center.kpi_report({
	days: 90,
	group_by: false,
	extra: [
		{
			fieldname: "customer_voice",
			label: __("Customer Voice"),
			fieldtype: "Select",
			options: ["", "Suggestion", "Complaint", "Bug Report"],
		},
	],
});
