// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("Support Channel", {
	refresh(frm) {
		if (frm.is_new()) return;
		if (frm.doc.channel_type === "Telegram") {
			frm.add_custom_button(__("Register Webhook"), () =>
				frm.call("register_webhook").then(() => frm.reload_doc())
			);
		}
		if (frm.doc.last_error) {
			frm.dashboard.set_headline_alert(
				`<div class="text-danger">${__("Last error")}: ${frappe.utils.escape_html(frm.doc.last_error)}</div>`
			);
		}
	},
});
