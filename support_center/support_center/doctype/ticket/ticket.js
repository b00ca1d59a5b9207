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
	},
});

// A reply sent after another agent's newer reply asks first.
if (frappe.views.CommunicationComposer && !frappe.views.CommunicationComposer.__sc_patched) {
	const composer = frappe.views.CommunicationComposer;
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

// Conversation: canned replies in the reply box, consult a colleague, merge (support_center/conversation).
const SC_STAFF = ["Support Team", "Support Manager", "System Manager"];

frappe.ui.form.on("Ticket", {
	refresh(frm) {
		if (frm.is_new() || !frappe.user.has_role(SC_STAFF)) return;
		if (frm.doc.merged_into) {
			frm.dashboard.set_headline(
				__("This ticket was merged into ticket {0}.", [
					`<a href="/app/ticket/${encodeURIComponent(frm.doc.merged_into)}">#${frappe.utils.escape_html(String(frm.doc.merged_into))}</a>`,
				])
			);
		}
	},
});

function sc_merge_dialog(frm) {
	frappe.prompt(
		[
			{
				fieldname: "target",
				fieldtype: "Link",
				options: "Ticket",
				label: __("Merge into Ticket"),
				reqd: 1,
				get_query: () => ({ filters: { name: ["!=", frm.doc.name], merged_into: ["is", "not set"] } }),
			},
		],
		(values) => {
			frappe.confirm(
				__(
					"Move the whole conversation, notes and attachments of ticket {0} to ticket {1} and close ticket {0}? This cannot be undone.",
					[frm.doc.name, values.target]
				),
				() =>
					sc_merge_call("support_center.api.ticket_merge.merge", {
						source: frm.doc.name,
						target: values.target,
					}).then((target) => frappe.set_route("Form", "Ticket", String(target)))
			);
		},
		__("Merge into…"),
		__("Merge")
	);
}

// Tickets of different customers merge only when the agent confirms the server's warning, which names both.
function sc_merge_call(method, args) {
	return new Promise((resolve) => {
		const send = (confirmed) =>
			frappe.call({
				method,
				args: { ...args, confirm_different_customers: confirmed ? 1 : 0 },
				error_handlers: {
					DifferentCustomersError: (r) =>
						frappe.confirm(sc_server_message(r) + "<br><br>" + __("Merge anyway?"), () => send(true)),
				},
				callback: (r) => resolve(r.message),
			});
		send(false);
	});
}

function sc_server_message(r) {
	try {
		const first = JSON.parse(JSON.parse(r._server_messages)[0]);
		return first.message || "";
	} catch (e) {
		return __("The tickets belong to different customers.");
	}
}

function sc_consult_dialog(frm) {
	frappe.prompt(
		[
			{ fieldname: "recipients", fieldtype: "Data", options: "Email", label: __("Email Addresses"), reqd: 1 },
			{ fieldname: "message", fieldtype: "Small Text", label: __("Your Question"), reqd: 1 },
		],
		(values) =>
			frappe
				.xcall("support_center.api.ticket_consult.consult", { ticket: frm.doc.name, ...values })
				.then(() => {
					frappe.show_alert({ message: __("Sent. The answer will appear here as an internal note."), indicator: "green" });
					frm.reload_doc();
				}),
		__("Consult a Colleague"),
		__("Send")
	);
}

// The email composer gets a canned-reply picker (search as you type, filtered by the ticket's category and
// the agent's scope); the chosen reply is rendered on the server and inserted into the message.
if (frappe.views.CommunicationComposer && !frappe.views.CommunicationComposer.__sc_canned) {
	const composer = frappe.views.CommunicationComposer;
	const get_fields = composer.prototype.get_fields;
	composer.__sc_canned = true;
	composer.prototype.get_fields = function () {
		const fields = get_fields.call(this);
		const frm = this.frm;
		if (!frm || frm.doctype !== "Ticket" || !frappe.user.has_role(SC_STAFF)) return fields;
		const at = fields.findIndex((df) => df.fieldname === "content");
		fields.splice(at < 0 ? fields.length : at, 0, {
			label: __("Insert Canned Reply"),
			fieldtype: "Link",
			options: "Canned Reply",
			fieldname: "sc_canned_reply",
			get_query: () => ({
				query: "support_center.api.canned_reply.link_search",
				filters: { ticket: frm.doc.name },
			}),
		});
		return fields;
	};
}

// Insert the chosen canned reply once the picker has settled on it (a dialog field's onchange does not fire
// for a pick from the dropdown).
if (frappe.views.CommunicationComposer && !frappe.views.CommunicationComposer.__sc_canned_insert) {
	const composer = frappe.views.CommunicationComposer;
	const make = composer.prototype.make;
	composer.__sc_canned_insert = true;
	composer.prototype.make = function (...args) {
		make.apply(this, args);
		const field = this.dialog && this.dialog.fields_dict.sc_canned_reply;
		if (!field) return;
		let inserting = false;
		const insert = () =>
			setTimeout(() => {
				const name = field.get_value();
				if (!name || inserting) return;
				inserting = true;
				frappe
					.xcall("support_center.api.canned_reply.render", {
						ticket: this.frm.doc.name,
						canned_reply: name,
					})
					.then((html) => {
						const content = this.dialog.fields_dict.content;
						content.set_value(`${content.get_value() || ""}${html}`);
						field.set_value("");
					})
					.finally(() => (inserting = false));
			}, 300);
		field.$input.on("awesomplete-selectcomplete change", insert);
	};
}
