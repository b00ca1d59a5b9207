// Blog Post and Web Page forms: the page's website comments, and a ticket made of any of them with one
// click (support_center/api/website_comments.py). The answer on the ticket is posted back under the page.
const SC_COMMENTS = "support_center.api.website_comments";

function sc_comment_tickets(frm) {
	if (frm.is_new() || !frappe.user.has_role(["Support Team", "Support Manager", "System Manager"])) return;
	frm.add_custom_button(__("Comments to Tickets"), () => {
		frappe
			.xcall(`${SC_COMMENTS}.page_comments`, { reference_doctype: frm.doctype, reference_name: frm.doc.name })
			.then((comments) => {
				const esc = frappe.utils.escape_html;
				const rows = (comments || [])
					.map(
						(c) => `<tr>
							<td>${esc(c.comment_by || c.comment_email || "")}<div class="text-muted small">${esc(
							frappe.datetime.str_to_user(c.creation)
						)}</div></td>
							<td>${esc(c.content || "")}</td>
							<td>${
								c.ticket
									? `<a href="/app/ticket/${encodeURIComponent(c.ticket)}">#${esc(String(c.ticket))}</a>`
									: `<button class="btn btn-xs btn-default sc-make-ticket" data-comment="${esc(c.name)}">${__(
											"Make Ticket"
									  )}</button>`
							}</td></tr>`
					)
					.join("");
				const dialog = new frappe.ui.Dialog({
					title: __("Website comments"),
					size: "large",
					fields: [
						{
							fieldtype: "HTML",
							fieldname: "list",
							options: rows
								? `<table class="table table-sm"><tbody>${rows}</tbody></table>`
								: `<p class="text-muted">${__("No comments yet.")}</p>`,
						},
					],
				});
				dialog.$wrapper.on("click", ".sc-make-ticket", (event) => {
					const button = $(event.currentTarget);
					button.prop("disabled", true);
					frappe
						.xcall(`${SC_COMMENTS}.make_ticket`, { comment: button.data("comment") })
						.then((result) => {
							button.replaceWith(
								`<a href="/app/ticket/${encodeURIComponent(result.ticket)}">#${frappe.utils.escape_html(
									String(result.ticket)
								)}</a>`
							);
						})
						.catch(() => button.prop("disabled", false));
				});
				dialog.show();
			});
	});
}

frappe.ui.form.on("Blog Post", { refresh: sc_comment_tickets });
frappe.ui.form.on("Web Page", { refresh: sc_comment_tickets });
