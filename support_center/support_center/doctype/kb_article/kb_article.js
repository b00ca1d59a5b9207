// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

// frappe.ui.form.on("KB Article", {
// 	refresh(frm) {

// 	},
// });
