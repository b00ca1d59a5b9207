// Website Comments: one click makes a ticket of a comment (support_center/api/website_comments.py).
frappe.query_reports["Website Comments"] = {
	filters: [
		{ fieldname: "days", label: __("Last Days"), fieldtype: "Int", default: 30 },
		{ fieldname: "open_only", label: __("Without Ticket Only"), fieldtype: "Check", default: 0 },
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "name" && data) {
			if (data.ticket) return "";
			return `<button class="btn btn-xs btn-default sc-make-ticket" data-comment="${frappe.utils.escape_html(
				data.name
			)}">${__("Make Ticket")}</button>`;
		}
		if (column.fieldname === "page" && data && data.route) {
			return `<a href="/${encodeURI(data.route)}" target="_blank" rel="noopener">${frappe.utils.escape_html(
				value || ""
			)}</a>`;
		}
		return default_formatter(value, row, column, data);
	},
	onload(report) {
		report.page.wrapper.on("click", ".sc-make-ticket", (event) => {
			const button = $(event.currentTarget);
			button.prop("disabled", true);
			frappe
				.xcall("support_center.api.website_comments.make_ticket", { comment: button.data("comment") })
				.then((result) => {
					frappe.show_alert({ message: __("Ticket {0}", [result.ticket]), indicator: "green" });
					report.refresh();
				})
				.catch(() => button.prop("disabled", false));
		});
	},
};
