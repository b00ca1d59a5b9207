// Copyright (c) 2026, Support Center Contributors and contributors
// For license information, please see license.txt

// Bulk actions: Frappe's list view already has "Assign To" and "Edit" (status, category, priority;
// each ticket is saved on its own, so permissions and the workflow apply) and the workflow's actions.
// Added here: reassign to a team (its Assignment Rule picks the agent) and the agent's availability.

const TICKET_STATUS_COLORS = {
	Open: "red",
	Replied: "blue",
	"Waiting on Customer": "orange",
	Resolved: "green",
	Closed: "gray",
};

const SLA_STATUS_COLORS = {
	"On Track": "green",
	"At Risk": "orange",
	Breached: "red",
	Met: "blue",
	Paused: "gray",
};

frappe.listview_settings["Ticket"] = {
	add_fields: [
		"status",
		"priority",
		"customer_name",
		"sla_status",
		"sla_next_due",
		"unread_customer_reply",
		"is_incident",
		"parent_incident",
	],
	formatters: {
		// A customer wrote and nobody on the desk has read it yet (support_center/notifications).
		unread_customer_reply(value) {
			return cint(value)
				? `<span class="indicator-pill red ellipsis" title="${__("The customer replied; nobody has read it yet")}">${__("New reply")}</span>`
				: "";
		},
		sla_status(value) {
			if (!value) return "";
			const color = SLA_STATUS_COLORS[value] || "gray";
			return `<span class="indicator-pill ${color} ellipsis">${frappe.utils.escape_html(__(value))}</span>`;
		},
	},
	get_indicator(doc) {
		return [__(doc.status), TICKET_STATUS_COLORS[doc.status] || "gray", `status,=,${doc.status}`];
	},
	onload(listview) {
		if (!frappe.user.has_role(["Support Team", "Support Manager", "System Manager"])) return;
		listview.page.add_actions_menu_item(__("Reassign to Team"), () => {
			const tickets = listview.get_checked_items(true);
			if (!tickets.length) return;
			frappe.prompt(
				[{ fieldname: "team", fieldtype: "Link", options: "User Group", label: __("Team"), reqd: 1 }],
				(values) =>
					frappe
						.call("support_center.api.ticket.bulk_reassign", { tickets, team: values.team })
						.then(() => listview.refresh()),
				__("Reassign to Team")
			);
		});
		for (const availability of ["Available", "Away"]) {
			listview.page.add_menu_item(__("Set Me {0}", [__(availability)]), () =>
				frappe
					.call("support_center.api.ticket.set_my_availability", { availability })
					.then(() => frappe.show_alert(__("You are {0}", [__(availability)])))
			);
		}
	},
};

// Conversation: "Merge into…" merges the selected tickets into one ticket (support_center/conversation).
{
	const settings = frappe.listview_settings["Ticket"];
	const onload = settings.onload;
	settings.onload = function (listview) {
		if (onload) onload.call(this, listview);
		if (!frappe.user.has_role(["Support Team", "Support Manager", "System Manager"])) return;
		listview.page.add_actions_menu_item(__("Merge into…"), () => {
			const tickets = listview.get_checked_items(true);
			if (!tickets.length) return;
			frappe.prompt(
				[{ fieldname: "target", fieldtype: "Link", options: "Ticket", label: __("Merge into Ticket"), reqd: 1 }],
				(values) =>
					frappe.confirm(
						__("Merge {0} selected tickets into ticket {1}? They are closed and this cannot be undone.", [
							tickets.filter((name) => String(name) !== String(values.target)).length,
							values.target,
						]),
						() => {
							// Tickets of different customers: the server's warning names both; the agent confirms.
							const send = (confirmed) =>
								frappe.call({
									method: "support_center.api.ticket_merge.bulk_merge",
									args: { tickets, target: values.target, confirm_different_customers: confirmed ? 1 : 0 },
									error_handlers: {
										DifferentCustomersError: (r) => {
											let text = __("The tickets belong to different customers.");
											try {
												text = JSON.parse(JSON.parse(r._server_messages)[0]).message || text;
											} catch (e) {
												// keep the generic text
											}
											frappe.confirm(text + "<br><br>" + __("Merge anyway?"), () => send(true));
										},
									},
									callback: () => listview.refresh(),
								});
							send(false);
						}
					),
				__("Merge into…"),
				__("Merge")
			);
		});
	};
}

// Incidents (support_center/incidents.py): link the selected tickets to an incident ticket in one go.
{
	const settings = frappe.listview_settings["Ticket"];
	const onload = settings.onload;
	settings.onload = function (listview) {
		if (onload) onload.call(this, listview);
		if (!frappe.user.has_role(["Support Team", "Support Manager", "System Manager"])) return;
		listview.page.add_actions_menu_item(__("Link to Incident…"), () => {
			const tickets = listview.get_checked_items(true);
			if (!tickets.length) return;
			frappe.prompt(
				[
					{
						fieldname: "incident",
						fieldtype: "Link",
						options: "Ticket",
						label: __("Incident Ticket"),
						reqd: 1,
						get_query: () => ({ filters: { parent_incident: ["is", "not set"], merged_into: ["is", "not set"] } }),
					},
				],
				(values) =>
					frappe
						.xcall("support_center.api.incidents.link", { incident: values.incident, tickets })
						.then((linked) => {
							frappe.show_alert({
								message: __("{0} tickets linked to incident {1}", [linked.length, values.incident]),
								indicator: "green",
							});
							listview.refresh();
						}),
				__("Link to Incident…"),
				__("Link")
			);
		});
	};
}

// Search what customers wrote (support_center/search/tickets.py): tickets, conversations, internal notes.
{
	const settings = frappe.listview_settings["Ticket"];
	const onload = settings.onload;
	settings.onload = function (listview) {
		if (onload) onload.call(this, listview);
		if (!frappe.user.has_role(["Support Team", "Support Manager", "System Manager"])) return;
		listview.page.add_inner_button(__("Search Conversations"), () => sc_search_dialog());
	};
}

function sc_search_dialog() {
	const esc = frappe.utils.escape_html;
	const dialog = new frappe.ui.Dialog({
		title: __("Search Conversations"),
		size: "large",
		fields: [
			{ fieldname: "query", fieldtype: "Data", label: __("Words the customer or an agent wrote"), reqd: 1 },
			{ fieldname: "results", fieldtype: "HTML" },
		],
		primary_action_label: __("Search"),
		primary_action(values) {
			frappe.xcall("support_center.api.ticket_search.search", { query: values.query }).then((rows) => {
				const html = (rows || []).length
					? `<ul class="list-unstyled">${rows
							.map(
								(r) => `<li class="mb-2"><a href="/app/ticket/${encodeURIComponent(r.name)}">#${esc(String(r.name))} ${esc(r.subject || "")}</a>
									<span class="text-muted small">· ${esc(__(r.status))}${r.customer_name ? " · " + esc(r.customer_name) : ""} · ${esc(__(r.found_in))}</span></li>`
							)
							.join("")}</ul>`
					: `<div class="text-muted">${__("No ticket has all these words.")}</div>`;
				dialog.fields_dict.results.$wrapper.html(html);
			});
		},
	});
	dialog.show();
}
