// A Customer's form: its support at a glance (support_center/kpi/customer.py), beside the Support connections.
frappe.ui.form.on("Customer", {
	refresh(frm) {
		if (frm.is_new() || !frappe.model.can_get_report("Ticket")) return;
		frappe
			.xcall("support_center.kpi.customer.customer_support_summary", { customer: frm.doc.name })
			.then((summary) => {
				if (!summary || frm.doc.name !== frm.docname) return;
				const rating =
					summary.average_rating === null
						? __("no ratings")
						: __("{0} / 5 ({1} ratings)", [summary.average_rating, summary.ratings]);
				const last = summary.last_contact
					? frappe.datetime.prettyDate(summary.last_contact)
					: __("never");
				frm.dashboard.add_indicator(__("Tickets: {0}", [summary.tickets]), "blue");
				frm.dashboard.add_indicator(
					__("Open Tickets: {0}", [summary.open_tickets]),
					summary.open_tickets ? "orange" : "green"
				);
				frm.dashboard.add_indicator(__("Average Rating: {0}", [rating]), "yellow");
				frm.dashboard.add_indicator(__("Last Contact: {0}", [last]), "gray");
			});
	},
});
