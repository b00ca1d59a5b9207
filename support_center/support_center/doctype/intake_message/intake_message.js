// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("Intake Message", {
	refresh(frm) {
		if (frm.doc.status !== "Processed" && frm.has_perm("write")) {
			frm.add_custom_button(__("Retry"), () =>
				frappe
					.call("support_center.api.intake.retry", { intake_message: frm.doc.name })
					.then(() => frm.reload_doc())
			);
		}
	},
});
