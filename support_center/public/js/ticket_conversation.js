// The ticket form as a conversation (issue 13): what the customer wrote and every reply and internal note
// in one thread at the top, Reply and Add Note at hand, and one Actions menu: the workflow's status moves
// and the desk's actions (reassign, escalate, merge, consult, incidents, call back) together.
// Also: opening the ticket marks its customer reply as read for its assignee (support_center/notifications).

const SC_CONV_STAFF = ["Support Team", "Support Manager", "System Manager"];

frappe.ui.form.on("Ticket", {
	refresh(frm) {
		const staff = frappe.user.has_role(SC_CONV_STAFF);
		if (frm.is_new() || !staff) return;
		sc_render_conversation(frm);
		sc_route_and_incident_headline(frm);
		// Existing tickets show what the customer wrote in the thread, not in an editor.
		frm.set_df_property("description", "read_only", 1);
		frm.toggle_display("description", false);
		sc_actions_menu(frm);
		sc_similar_tickets(frm);
		if (frm.doc.unread_customer_reply) {
			frappe
				.xcall("support_center.api.ticket_alerts.mark_seen", { ticket: frm.doc.name })
				// The flag was cleared on the server: reload rather than set it here, which would leave the
				// form "Not Saved" and its timestamp stale for the next save.
				.then((seen) => seen && frm.reload_doc());
		}
	},
});

// One Actions menu
// ----------------

function sc_action_items(frm) {
	if (frm.doc.merged_into) return [];
	const items = [
		[__("Reply"), () => sc_reply(frm)],
		[__("Add Internal Note"), () => sc_note_dialog(frm)],
		[__("Reassign"), () => sc_reassign_dialog(frm, false)],
		[__("Escalate"), () => sc_reassign_dialog(frm, true)],
		[__("Apply Macro…"), () => sc_macro_dialog(frm)],
		[__("Consult a Colleague"), () => sc_consult_dialog(frm)],
		[__("Merge into…"), () => sc_merge_dialog(frm)],
	];
	if (frm.doc.channel === "Phone") items.push([__("Log Call Back"), () => sc_callback_dialog(frm)]);
	if (frm.doc.is_incident) {
		items.push([__("Resolve Incident with Message…"), () => sc_resolve_incident_dialog(frm)]);
	} else if (frm.doc.parent_incident) {
		items.push([__("Unlink from Incident"), () => sc_unlink_incident(frm)]);
	} else {
		items.push([__("Link to Incident…"), () => sc_link_incident_dialog(frm)]);
	}
	return items;
}

function sc_actions_menu(frm) {
	const add = () => sc_action_items(frm).forEach(([label, action]) => frm.page.add_action_item(label, action));
	// The workflow clears and refills the Actions menu once its transitions arrive: ours go back in after it.
	if (!frm.page.__sc_actions_wrapped) {
		const clear = frm.page.clear_actions_menu.bind(frm.page);
		frm.page.clear_actions_menu = function () {
			clear();
			if (frm.doctype === "Ticket" && !frm.is_new()) setTimeout(add, 0);
		};
		frm.page.__sc_actions_wrapped = true;
	}
	add();
}

// The conversation
// ----------------

function sc_render_conversation(frm) {
	const field = frm.get_field("conversation_html");
	if (!field) return;
	const info = frm.get_docinfo() || {};
	const esc = frappe.utils.escape_html;
	const entries = [
		{
			kind: "customer",
			who:
				frm.doc.channel === "Staff"
					? frappe.user.full_name(frm.doc.owner)
					: frm.doc.raised_by_name || frm.doc.customer_name || frm.doc.raised_by || __("Customer"),
			when: frm.doc.creation,
			html: frm.doc.description || "",
			label: __("Opened the ticket"),
		},
	];
	for (const c of info.communications || []) {
		if (c.communication_type === "Automated Message") continue;
		const internal = c.communication_type !== "Communication" || c.support_internal;
		entries.push({
			kind: internal ? "note" : c.sent_or_received === "Received" ? "customer" : "agent",
			who: c.sender_full_name || c.sender || c.phone_no || "",
			when: c.communication_date || c.creation,
			html: c.content || "",
			label: internal ? __("Internal mail") : c.communication_medium === "Phone" ? __("Phone") : "",
			split: !internal && c.sent_or_received === "Received" ? c.name : null,
		});
	}
	for (const c of info.comments || []) {
		if (c.comment_type && c.comment_type !== "Comment") continue;
		entries.push({
			kind: "note",
			who: frappe.user.full_name(c.owner || c.comment_email),
			when: c.creation,
			html: c.content || "",
			label: __("Internal note"),
		});
	}
	entries.sort((a, b) => (a.when > b.when ? 1 : a.when < b.when ? -1 : 0));
	const shown = entries.slice(-40);
	const bubbles = shown
		.map(
			(e) => `<div class="sc-msg sc-msg-${e.kind}">
				<div class="sc-msg-head"><strong>${esc(e.who || "")}</strong>
					${e.label ? `<span class="sc-msg-label">${esc(e.label)}</span>` : ""}
					<span class="sc-msg-when">${frappe.datetime.comment_when(e.when)}</span>
					${e.split ? `<a href="#" class="sc-split" data-name="${esc(e.split)}" title="${__("Move this message into a new ticket")}">${__("Split")}</a>` : ""}</div>
				<div class="sc-msg-body">${e.html}</div></div>`
		)
		.join("");
	const older = entries.length > shown.length ? `<div class="text-muted small mb-2">${__("{0} older messages are in the timeline below.", [entries.length - shown.length])}</div>` : "";
	field.$wrapper.html(`
		<style>
			.sc-thread { display: flex; flex-direction: column; gap: 8px; max-height: 560px; overflow-y: auto; padding: 4px; }
			.sc-msg { border-radius: 8px; padding: 8px 12px; max-width: 88%; border: 1px solid var(--border-color); }
			.sc-msg-customer { align-self: flex-start; background: var(--subtle-fg, #f4f5f6); }
			.sc-msg-agent { align-self: flex-end; background: var(--blue-50, #e8f1fd); }
			.sc-msg-note { align-self: flex-end; background: var(--yellow-50, #fff8e1); border-style: dashed; }
			.sc-msg-head { font-size: 12px; color: var(--text-muted); display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 4px; }
			.sc-msg-label { text-transform: uppercase; font-size: 10px; letter-spacing: .04em; }
			.sc-msg-body { overflow-wrap: anywhere; }
			.sc-msg-body img { max-width: 100%; }
			.sc-thread-actions { display: flex; gap: 8px; margin-top: 8px; flex-wrap: wrap; }
		</style>
		${older}<div class="sc-thread">${bubbles}</div>
		<div class="sc-thread-actions">
			<button class="btn btn-primary btn-sm sc-reply">${__("Reply")}</button>
			<button class="btn btn-default btn-sm sc-note">${__("Add Internal Note")}</button>
		</div>`);
	field.$wrapper.find(".sc-reply").on("click", () => sc_reply(frm));
	field.$wrapper.find(".sc-note").on("click", () => sc_note_dialog(frm));
	field.$wrapper.find(".sc-split").on("click", (event) => {
		event.preventDefault();
		sc_split_dialog(frm, $(event.currentTarget).data("name"));
	});
	const thread = field.$wrapper.find(".sc-thread")[0];
	if (thread) thread.scrollTop = thread.scrollHeight;
}

function sc_route_and_incident_headline(frm) {
	const esc = frappe.utils.escape_html;
	const link = (name) => `<a href="/app/ticket/${encodeURIComponent(name)}">#${esc(String(name))}</a>`;
	if (frm.doc.parent_incident) {
		frm.dashboard.add_comment(__("Part of incident {0}: a reply there reaches this customer too.", [link(frm.doc.parent_incident)]), "blue", true);
	}
	if (frm.doc.is_incident) {
		frappe.xcall("support_center.api.incidents.linked", { incident: frm.doc.name }).then((rows) => {
			const open = (rows || []).filter((r) => !["Resolved", "Closed"].includes(r.status)).length;
			frm.dashboard.add_comment(
				__("Incident: {0} linked tickets, {1} open. A public reply here goes to each of their customers.", [(rows || []).length, open]),
				"orange",
				true
			);
		});
	}
	frappe.xcall("support_center.api.ticket_followups.open_callbacks", { ticket: frm.doc.name }).then((rows) => {
		for (const row of rows || []) {
			frm.dashboard.add_comment(
				__("Call back {0} by {1} ({2})", [esc(row.support_callback_number || ""), frappe.datetime.str_to_user(row.date), esc(row.allocated_to || __("unassigned"))]),
				"red",
				true
			);
		}
	});
}

// Actions
// -------

function sc_reply(frm) {
	const messages = ((frm.get_docinfo() || {}).communications || []).filter(
		(c) => c.communication_type === "Communication" && c.sent_or_received === "Received"
	);
	const last = messages.reduce((latest, m) => (!latest || m.creation > latest.creation ? m : latest), null);
	new frappe.views.CommunicationComposer({
		doc: frm.doc,
		frm: frm,
		subject: `${__("Re:")} ${frm.doc.subject} [#${frm.doc.name}]`,
		recipients: frm.doc.raised_by || "",
		is_a_reply: Boolean(last),
		last_email: last || undefined,
		attach_document_print: false,
	});
}

function sc_note_dialog(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Add Internal Note"),
		fields: [
			{
				fieldname: "content",
				fieldtype: "Text Editor",
				label: __("Note (staff only, never sent to the customer)"),
				reqd: 1,
			},
		],
		primary_action_label: __("Add Note"),
		primary_action(values) {
			frappe
				.xcall("frappe.desk.form.utils.add_comment", {
					reference_doctype: "Ticket",
					reference_name: frm.doc.name,
					content: values.content,
					comment_email: frappe.session.user,
					comment_by: frappe.session.user_fullname,
				})
				.then(() => {
					dialog.hide();
					frm.reload_doc();
				});
		},
	});
	dialog.show();
}

function sc_callback_dialog(frm) {
	frappe.prompt(
		[{ fieldname: "note", fieldtype: "Small Text", label: __("What was said on the call"), reqd: 1 }],
		(values) =>
			frappe.xcall("support_center.api.ticket_followups.log_callback", { ticket: frm.doc.name, note: values.note }).then(() => {
				frappe.show_alert({ message: __("Call logged; its callback to-do is done."), indicator: "green" });
				frm.reload_doc();
			}),
		__("Log Call Back"),
		__("Log Call")
	);
}

function sc_link_incident_dialog(frm) {
	frappe.prompt(
		[
			{
				fieldname: "incident",
				fieldtype: "Link",
				options: "Ticket",
				label: __("Incident Ticket"),
				reqd: 1,
				get_query: () => ({ filters: { name: ["!=", frm.doc.name], parent_incident: ["is", "not set"], merged_into: ["is", "not set"] } }),
			},
		],
		(values) =>
			frappe.xcall("support_center.api.incidents.link", { incident: values.incident, tickets: [frm.doc.name] }).then(() => frm.reload_doc()),
		__("Link to Incident…"),
		__("Link")
	);
}

function sc_unlink_incident(frm) {
	frappe.xcall("support_center.api.incidents.unlink", { ticket: frm.doc.name }).then(() => frm.reload_doc());
}

function sc_resolve_incident_dialog(frm) {
	frappe.prompt(
		[{ fieldname: "message", fieldtype: "Small Text", label: __("Message to every linked customer"), reqd: 1 }],
		(values) =>
			frappe.xcall("support_center.api.incidents.resolve", { incident: frm.doc.name, message: values.message }).then((r) => {
				frappe.show_alert({ message: __("Resolved with {0} linked tickets.", [(r.linked || []).length]), indicator: "green" });
				frm.reload_doc();
			}),
		__("Resolve Incident"),
		__("Send and Resolve")
	);
}

// Macros (support_center/conversation/macros.py): a canned reply that also sets fields; preview first.
function sc_macro_dialog(frm) {
	const esc = frappe.utils.escape_html;
	const dialog = new frappe.ui.Dialog({
		title: __("Apply Macro"),
		size: "large",
		fields: [
			{
				fieldname: "canned_reply",
				fieldtype: "Link",
				options: "Canned Reply",
				label: __("Canned Reply"),
				reqd: 1,
				get_query: () => ({ query: "support_center.api.canned_reply.link_search", filters: { ticket: frm.doc.name } }),
				onchange: () => show(),
			},
			{ fieldname: "preview", fieldtype: "HTML" },
		],
		primary_action_label: __("Send and Apply"),
		primary_action(values) {
			frappe
				.xcall("support_center.api.macros.apply", { ticket: frm.doc.name, canned_reply: values.canned_reply })
				.then(() => {
					dialog.hide();
					frappe.show_alert({ message: __("Macro applied."), indicator: "green" });
					frm.reload_doc();
				});
		},
	});
	const show = () => {
		const name = dialog.get_value("canned_reply");
		const area = dialog.fields_dict.preview.$wrapper;
		if (!name) return area.html("");
		frappe.xcall("support_center.api.macros.preview", { ticket: frm.doc.name, canned_reply: name }).then((r) => {
			const rows = (r.changes || [])
				.map((c) => `<tr><td>${esc(c.label)}</td><td class="text-muted">${esc(c.from == null ? "—" : String(c.from))}</td><td><strong>${esc(String(c.to))}</strong></td></tr>`)
				.join("");
			area.html(`
				<div class="text-muted small mb-1">${__("The customer gets:")}</div>
				<div class="sc-msg sc-msg-agent" style="border:1px solid var(--border-color);border-radius:8px;padding:8px 12px;max-height:260px;overflow:auto">${r.html || `<em>${__("No message")}</em>`}</div>
				<div class="text-muted small mt-3 mb-1">${__("And the ticket changes:")}</div>
				${rows ? `<table class="table table-sm"><thead><tr><th>${__("Field")}</th><th>${__("Now")}</th><th>${__("After")}</th></tr></thead><tbody>${rows}</tbody></table>` : `<div>${__("Nothing else changes.")}</div>`}`);
		});
	};
	dialog.show();
}

// Split (support_center/conversation/split.py): a message that is a new question becomes its own ticket.
function sc_split_dialog(frm, communication) {
	frappe.prompt(
		[{ fieldname: "subject", fieldtype: "Data", label: __("Subject of the new ticket"), description: __("Empty: the message's first line.") }],
		(values) =>
			frappe
				.xcall("support_center.api.ticket_split.split", { ticket: frm.doc.name, communication, subject: values.subject })
				.then((name) => frappe.set_route("Form", "Ticket", String(name))),
		__("Split into a New Ticket"),
		__("Split")
	);
}

// Similar resolved tickets (support_center/search/tickets.py): earlier answers to the same question.
function sc_similar_tickets(frm) {
	if (["Resolved", "Closed"].includes(frm.doc.status)) return;
	frappe.xcall("support_center.api.ticket_search.similar", { ticket: frm.doc.name }).then((rows) => {
		if (!rows || !rows.length) return;
		const esc = frappe.utils.escape_html;
		const items = rows
			.map(
				(r) => `<li class="mb-2"><a href="/app/ticket/${encodeURIComponent(r.name)}">#${esc(String(r.name))} ${esc(r.subject || "")}</a>
					<span class="text-muted small">· ${esc(__(r.status))}${r.customer_name ? " · " + esc(r.customer_name) : ""}</span>
					${r.resolution ? `<div class="text-muted small" style="white-space: pre-wrap">${esc(r.resolution)}</div>` : ""}</li>`
			)
			.join("");
		frm.dashboard.add_section(`<ul class="list-unstyled mb-0">${items}</ul>`, __("Similar resolved tickets"));
	});
}
