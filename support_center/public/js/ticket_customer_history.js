// The customer's other recent tickets, beside the one being worked.
frappe.ui.form.on("Ticket", {
	refresh(frm) {
		if (frm.is_new() || !(frm.doc.customer || frm.doc.contact || frm.doc.raised_by)) return;
		frappe
			.call("support_center.api.customer_history.recent_tickets", { ticket: frm.doc.name })
			.then(({ message: tickets }) => {
				if (!tickets || !tickets.length) return;
				const rows = tickets
					.map(
						(t) => `<li><a href="/app/ticket/${encodeURIComponent(t.name)}">#${frappe.utils.escape_html(
							String(t.name)
						)} ${frappe.utils.escape_html(t.subject || "")}</a>
						<span class="text-muted small">· ${frappe.utils.escape_html(__(t.status))} · ${frappe.utils.escape_html(
							__(t.channel)
						)} · ${frappe.datetime.comment_when(t.creation)}</span></li>`
					)
					.join("");
				frm.dashboard.add_section(
					`<ul class="list-unstyled mb-0">${rows}</ul>`,
					__("Recent tickets of this customer")
				);
			});
	},
});
