// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

// frappe.ui.form.on("Support Category", {
// 	refresh(frm) {

// 	},
// });
