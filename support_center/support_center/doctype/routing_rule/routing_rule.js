// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("Routing Rule", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Tickets Routed by This Rule"), () =>
			frappe.set_route("List", "Ticket", { routing_rule: frm.doc.name })
		);
	},
});
