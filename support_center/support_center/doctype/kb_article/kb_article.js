// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("KB Article", {
	refresh(frm) {
		if (frm.is_new()) return;
		if (frm.doc.route) {
			frm.add_custom_button(__("View On Site"), () => window.open("/" + frm.doc.route, "_blank"));
		}
		if (frm.doc.status === "Published") {
			frm.add_custom_button(__("Confirm Review"), () =>
				frm.call("confirm_review").then((r) => {
					frappe.show_alert({ message: __("Next review by {0}", [frappe.datetime.str_to_user(r.message)]), indicator: "green" });
					frm.reload_doc();
				})
			);
		}
		if (!frm.doc.translation_of) {
			frm.add_custom_button(__("Add Translation"), () => {
				frappe.new_doc("KB Article", {
					translation_of: frm.doc.name,
					kb_category: frm.doc.kb_category,
					visibility: frm.doc.visibility,
					title: frm.doc.title,
					content: frm.doc.content,
				});
			});
		}
		if (frm.doc.review_overdue) {
			frm.dashboard.add_comment(__("This article is past its review date."), "orange", true);
		}
	},
});
