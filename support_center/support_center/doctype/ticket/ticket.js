// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

// Who else is viewing: Frappe's form shows the other viewers (frappe.ui.form.FormViewers) on every form.

const SC_API = "support_center.api.ticket";

function sc_latest_reply_seen(frm) {
	// Server times only: the newest message the agent had on screen when the form (re)loaded.
	const messages = (frm.get_docinfo() || {}).communications || [];
	return messages.reduce((latest, m) => (m.creation > latest ? m.creation : latest), frm.doc.creation);
}

function sc_reassign_dialog(frm, escalate) {
	const fields = [
		{
			fieldname: "team",
			fieldtype: "Link",
			options: "User Group",
			label: __("Team"),
			reqd: escalate ? 1 : 0,
		},
		{ fieldname: "note", fieldtype: "Small Text", label: __("Note") },
	];
	if (!escalate) {
		fields.splice(1, 0, { fieldname: "user", fieldtype: "Link", options: "User", label: __("Agent") });
	}
	const dialog = new frappe.ui.Dialog({
		title: escalate ? __("Escalate") : __("Reassign"),
		fields,
		primary_action_label: escalate ? __("Escalate") : __("Reassign"),
		primary_action(values) {
			frappe
				.call(`${SC_API}.${escalate ? "escalate" : "reassign"}`, { ticket: frm.doc.name, ...values })
				.then(() => {
					dialog.hide();
					frm.reload_doc();
				});
		},
	});
	dialog.show();
}

frappe.ui.form.on("Ticket", {
	onload_post_render(frm) {
		frm.__sc_seen = sc_latest_reply_seen(frm);
	},
	refresh(frm) {
		frm.__sc_seen = sc_latest_reply_seen(frm);
		if (frm.is_new() || !frappe.user.has_role(["Support Team", "Support Manager", "System Manager"])) {
			return;
		}
		frm.add_custom_button(__("Reassign"), () => sc_reassign_dialog(frm, false), __("Assign"));
		frm.add_custom_button(__("Escalate"), () => sc_reassign_dialog(frm, true), __("Assign"));
	},
});

// A reply sent after another agent's newer reply asks first.
if (frappe.ui.form.CommunicationComposer && !frappe.ui.form.CommunicationComposer.__sc_patched) {
	const composer = frappe.ui.form.CommunicationComposer;
	const send_email = composer.prototype.send_email;
	composer.__sc_patched = true;
	composer.prototype.send_email = function (...args) {
		const frm = this.frm;
		if (!frm || frm.doctype !== "Ticket" || this.__sc_confirmed) {
			this.__sc_confirmed = false;
			return send_email.apply(this, args);
		}
		frappe
			.xcall(`${SC_API}.newer_reply_exists`, { ticket: frm.doc.name, since: frm.__sc_seen })
			.then((newer) => {
				if (!newer) return send_email.apply(this, args);
				frappe.confirm(
					__("Another agent replied to this ticket after you opened it. Send your reply anyway?"),
					() => {
						this.__sc_confirmed = true;
						frm.__sc_seen = frappe.datetime.now_datetime();
						return this.send_email(...args);
					}
				);
			});
	};
}
