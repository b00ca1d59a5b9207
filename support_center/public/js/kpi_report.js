// The filters every support KPI report shares (support_center/kpi/reports.py reads them): the period,
// then category, team, agent, customer and channel. Each report's own file names what it adds.
frappe.provide("support_center");

support_center.kpi_report = function ({ days = 30, group_by = true, extra = [] } = {}) {
	const filters = [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_days(frappe.datetime.get_today(), 1 - days),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
	];
	if (group_by) {
		filters.push({
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: ["Category", "Channel", "Team", "Agent", "Customer", "Priority"],
			default: "Category",
		});
	}
	filters.push(
		...extra,
		{ fieldname: "category", label: __("Category"), fieldtype: "Link", options: "Support Category" },
		{ fieldname: "team", label: __("Team"), fieldtype: "Link", options: "User Group" },
		{ fieldname: "agent", label: __("Agent"), fieldtype: "Link", options: "User" },
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "channel", label: __("Channel"), fieldtype: "Select", options: [""] }
	);
	return {
		filters,
		onload(report) {
			// The channels are the Ticket's own options, whatever a site added to them.
			frappe.model.with_doctype("Ticket", () => {
				const field = frappe.meta.get_docfield("Ticket", "channel");
				const channel = report.get_filter("channel");
				if (field && channel) {
					channel.df.options = ["", ...(field.options || "").split("\n").filter(Boolean)];
					channel.refresh();
				}
			});
		},
	};
};
