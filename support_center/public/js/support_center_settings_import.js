// Moving in: import ERPNext Issues / Helpdesk tickets as a background job (support_center/migration/api.py).
// Frappe shows the job's realtime "progress" events on this form; the report comes back when it ends.
frappe.ui.form.on("Support Center Settings", {
	refresh(frm) {
		const sources = [
			["Issue", __("ERPNext Issues")],
			["HD Ticket", __("Helpdesk Tickets")],
		];
		for (const [source, label] of sources) {
			frm.add_custom_button(
				__("Dry Run: {0}", [label]),
				() => support_center_start_import(source, 1),
				__("Import History")
			);
			frm.add_custom_button(
				__("Import {0}", [label]),
				() =>
					frappe.confirm(
						__(
							"Import every {0} not imported yet as a ticket, with its messages, notes, files and assignments? The records stay readable where they are.",
							[label]
						),
						() => support_center_start_import(source, 0)
					),
				__("Import History")
			);
			frm.add_custom_button(
				__("Last Report: {0}", [label]),
				() =>
					frappe
						.call("support_center.migration.api.last_report", { source })
						.then((r) =>
							r.message
								? support_center_show_import_report(r.message)
								: frappe.msgprint(__("No import of {0} ran in the last day.", [label]))
						),
				__("Import History")
			);
		}
		if (!frm.__support_center_import_listener) {
			frm.__support_center_import_listener = true;
			frappe.realtime.on("support_center_import_done", (report) => {
				frappe.hide_progress();
				support_center_show_import_report(report);
			});
		}
	},
});

function support_center_start_import(source, dry_run) {
	frappe
		.call({
			method: "support_center.migration.api.start_import",
			args: { source, dry_run },
			freeze: true,
		})
		.then((r) => r.message && frappe.show_alert({ message: r.message.message, indicator: "blue" }));
}

function support_center_show_import_report(report) {
	const title = report.dry_run ? __("Dry Run: {0}", [report.source]) : __("Import: {0}", [report.source]);
	const text = (report.lines || []).join("\n");
	frappe.msgprint({
		title,
		wide: true,
		indicator: report.error ? "red" : "green",
		message: `<pre style="white-space: pre-wrap; max-height: 60vh; overflow: auto">${frappe.utils.escape_html(
			text
		)}</pre>`,
	});
}
