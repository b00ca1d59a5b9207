// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("SLA Policy", {
	onload(frm) {
		frappe.call("frappe.core.doctype.user.user.get_timezones").then((r) => {
			frm.set_df_property("timezone", "options", r.message.timezones);
		});
	},
});
