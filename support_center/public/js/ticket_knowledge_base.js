// The ticket form's knowledge-base tools: search articles, insert an article's link into a reply (in the
// customer's language when translated), mark the ticket "answered by article", and draft an article from
// the ticket's resolution. Server side: support_center/api/knowledge_base.py.
frappe.ui.form.on("Ticket", {
	refresh(frm) {
		if (frm.is_new()) return;
		const group = __("Knowledge Base");
		frm.add_custom_button(__("Search Articles"), () => sc_kb_search_dialog(frm), group);
		frm.add_custom_button(
			__("Create Article From Ticket"),
			() => {
				frappe.confirm(__("Create a draft article from this ticket's question and last reply?"), () =>
					frappe
						.call({
							method: "support_center.api.knowledge_base.draft_from_ticket",
							args: { ticket: frm.doc.name },
							freeze: true,
						})
						.then((r) => frappe.set_route("Form", "KB Article", r.message))
				);
			},
			group
		);
		if (frm.doc.answered_by_article) {
			frm.dashboard.add_comment(
				__("Answered by article {0}", [frappe.utils.escape_html(frm.doc.answered_by_article)]),
				"blue",
				true
			);
		}
	},
});

function sc_kb_search_dialog(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Search Articles"),
		size: "large",
		fields: [
			{ fieldname: "q", fieldtype: "Data", label: __("Search"), default: frm.doc.subject },
			{ fieldname: "results", fieldtype: "HTML" },
		],
	});
	const run = () => {
		frappe
			.call({
				method: "support_center.api.knowledge_base.agent_search",
				args: { ticket: frm.doc.name, q: dialog.get_value("q") || "" },
			})
			.then((r) => sc_kb_render_results(frm, dialog, r.message));
	};
	dialog.fields_dict.q.$input.on("input", frappe.utils.debounce(run, 300));
	dialog.show();
	run();
}

function sc_kb_render_results(frm, dialog, data) {
	const wrapper = dialog.fields_dict.results.$wrapper.empty();
	const esc = frappe.utils.escape_html;
	if (!data.articles.length) {
		wrapper.append(`<p class="text-muted">${__("No articles found.")}</p>`);
		return;
	}
	wrapper.append(
		`<p class="text-muted small">${__("Customer's language: {0}", [esc(data.language)])}</p>`
	);
	data.articles.forEach((article) => {
		const staff = article.visibility === "Staff";
		const row = $(`<div class="border-bottom py-2">
			<div><a href="${esc(article.route)}" target="_blank" rel="noopener">${esc(article.title)}</a>
				<span class="text-muted small">${esc(article.language)}${staff ? " · " + __("Staff only") : ""}</span></div>
			<div class="text-muted small">${esc(article.excerpt || "")}</div>
			<div class="mt-1"></div></div>`);
		const actions = row.find(".mt-1");
		if (!staff) {
			$(`<button class="btn btn-xs btn-default mr-2">${__("Insert Link In Reply")}</button>`)
				.on("click", () => sc_kb_insert_link(frm, article.name, dialog))
				.appendTo(actions);
		}
		$(`<button class="btn btn-xs btn-default">${__("Mark As Answered")}</button>`)
			.on("click", () =>
				frappe
					.call({
						method: "support_center.api.knowledge_base.mark_answered",
						args: { ticket: frm.doc.name, article: article.name },
					})
					.then(() => {
						frappe.show_alert({ message: __("Marked as answered by the article"), indicator: "green" });
						dialog.hide();
						frm.reload_doc();
					})
			)
			.appendTo(actions);
		wrapper.append(row);
	});
}

function sc_kb_insert_link(frm, article, dialog) {
	frappe
		.call({
			method: "support_center.api.knowledge_base.article_link",
			args: { ticket: frm.doc.name, article: article },
		})
		.then((r) => {
			const link = r.message;
			dialog.hide();
			// An open reply box gets the link; otherwise a new reply starts with it.
			const composer = window.cur_dialog && cur_dialog.fields_dict && cur_dialog.fields_dict.content;
			if (composer && composer.get_value) {
				composer.set_value((composer.get_value() || "") + `<p>${link.html}</p>`);
			} else {
				frm.email_doc(`<p>${link.html}</p>`);
			}
			if (navigator.clipboard) navigator.clipboard.writeText(link.url).catch(() => {});
		});
}
