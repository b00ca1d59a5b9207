// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

const TICKET_STATUS_COLORS = {
	Open: "red",
	Replied: "blue",
	"Waiting on Customer": "orange",
	Resolved: "green",
	Closed: "gray",
};

frappe.listview_settings["Ticket"] = {
	add_fields: ["status", "priority", "customer_name"],
	get_indicator(doc) {
		return [__(doc.status), TICKET_STATUS_COLORS[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
