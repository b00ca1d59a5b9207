// The messenger a ticket came from (support_center/channels): reply there, see whether replies arrived,
// and, on WhatsApp, whether the 24-hour window still allows a free-form reply.
const SC_CHANNELS = "support_center.api.channels";

frappe.ui.form.on("Ticket", {
	refresh(frm) {
		if (frm.is_new() || !frm.doc.support_channel) return;
		frappe.xcall(`${SC_CHANNELS}.channel_state`, { ticket: frm.doc.name }).then((state) => {
			if (!state || !state.channel) return;
			frm.__sc_channel_state = state;
			sc_show_deliveries(frm, state);
			if (!["Closed"].includes(frm.doc.status)) {
				frm.add_custom_button(__("Reply in {0}", [state.channel_type]), () => sc_reply_dialog(frm, state));
			}
		});
		if (!frm.__sc_delivery_listener) {
			frm.__sc_delivery_listener = true;
			// Desk keeps one form object per doctype, so `frm` is the Ticket form whichever ticket it shows:
			// reload it only while that form is on screen and shows the ticket the delivery belongs to.
			frappe.realtime.on("support_channel_delivery", (data) => {
				const [view, doctype, name] = frappe.get_route() || [];
				if (
					view === "Form" &&
					doctype === "Ticket" &&
					String(name) === String(data.ticket) &&
					String(frm.doc.name) === String(data.ticket)
				) {
					frm.reload_doc();
				}
			});
		}
	},
});

function sc_show_deliveries(frm, state) {
	const failed = (state.deliveries || []).filter((d) => ["Not Delivered", "Retrying"].includes(d.status));
	if (!failed.length) return;
	const esc = frappe.utils.escape_html;
	const rows = failed
		.map((d) => {
			const when =
				d.status === "Retrying" && d.next_attempt_at
					? __("next attempt {0}", [frappe.datetime.comment_when(d.next_attempt_at)])
					: "";
			const retry =
				d.status === "Not Delivered"
					? ` <button class="btn btn-xs btn-default sc-retry-delivery" data-name="${esc(d.name)}">${__("Retry")}</button>`
					: "";
			return `<li><strong class="${d.status === "Not Delivered" ? "text-danger" : "text-warning"}">${esc(
				__(d.status)
			)}</strong> · ${esc(__(d.kind))} · ${esc(d.last_error || "")} ${esc(when)}${retry}</li>`;
		})
		.join("");
	const section = frm.dashboard.add_section(
		`<ul class="list-unstyled mb-0">${rows}</ul>`,
		__("Replies to {0} not delivered", [state.channel])
	);
	$(section)
		.find(".sc-retry-delivery")
		.on("click", (event) => {
			frappe
				.xcall(`${SC_CHANNELS}.retry_delivery`, { delivery: $(event.currentTarget).data("name") })
				.then(() => frm.reload_doc());
		});
}

function sc_reply_dialog(frm, state) {
	const whatsapp = state.channel_type === "WhatsApp";
	const closed_window = whatsapp && !state.window_open;
	const templates = (state.templates || []).map((t) => `${t.name}:${t.language}`);
	const fields = [];
	if (closed_window) {
		fields.push({
			fieldtype: "HTML",
			fieldname: "window_warning",
			options: `<div class="alert alert-warning">${__(
				"More than 24 hours passed since the customer's last WhatsApp message: WhatsApp will refuse a free-form reply. Send an approved template instead."
			)}</div>`,
		});
	}
	if (whatsapp) {
		fields.push({
			fieldtype: "Select",
			fieldname: "template",
			label: __("Approved Template"),
			options: ["", ...templates].join("\n"),
			reqd: closed_window ? 1 : 0,
			description: templates.length ? "" : __("No templates: list them on the Support Channel."),
		});
	}
	fields.push({
		fieldtype: "Small Text",
		fieldname: "text",
		label: __("Reply"),
		reqd: closed_window ? 0 : 1,
		description: __("The customer sees this in {0}.", [state.channel_type]),
	});
	const dialog = new frappe.ui.Dialog({
		title: __("Reply in {0}", [state.channel]),
		fields,
		primary_action_label: __("Send"),
		primary_action(values) {
			frappe
				.xcall(`${SC_CHANNELS}.reply`, {
					ticket: frm.doc.name,
					text: values.text || "",
					template: values.template || null,
				})
				.then(() => {
					dialog.hide();
					frappe.show_alert({ message: __("Reply queued for {0}", [state.channel_type]), indicator: "green" });
					frm.reload_doc();
				});
		},
	});
	dialog.show();
}
