// Support portal forms: sent with fetch so errors show next to the form (the pages work as plain HTML;
// the server checks everything again). No framework, no build.
(function () {
	"use strict";

	var messages = document.getElementById("sc-messages");
	// The theme's portal sidebar is a list of links: a navigation landmark for screen readers.
	var sidebar = document.querySelector(".web-sidebar");
	if (sidebar && !sidebar.getAttribute("role")) {
		sidebar.setAttribute("role", "navigation");
		sidebar.setAttribute("aria-label", text("sidebar", "My Account"));
	}
	function text(key, fallback) {
		return (messages && messages.dataset[key]) || fallback;
	}
	function format(template, values) {
		return template.replace(/\{(\d+)\}/g, function (_, index) {
			return values[Number(index)];
		});
	}
	function serverMessage(body) {
		try {
			if (body._server_messages) {
				return JSON.parse(body._server_messages)
					.map(function (item) {
						var parsed = JSON.parse(item);
						return parsed.message || parsed;
					})
					.join("\n");
			}
		} catch (e) {
			/* fall through */
		}
		return body.message && typeof body.message === "string" ? body.message : "";
	}
	function plain(html) {
		var div = document.createElement("div");
		div.innerHTML = html;
		return div.textContent || "";
	}
	function show(status, message, isError) {
		if (!status) return;
		status.textContent = message;
		status.classList.toggle("sc-error", !!isError);
		status.classList.toggle("sc-success", !isError);
		status.focus();
	}
	function checkFiles(form) {
		var problems = [];
		form.querySelectorAll("input[type=file]").forEach(function (input) {
			var maxFiles = Number(input.dataset.maxFiles || 0);
			var maxMb = Number(input.dataset.maxMb || 0);
			if (maxFiles && input.files.length > maxFiles) {
				problems.push(format(text("tooMany", "You can attach at most {0} files."), [maxFiles]));
			}
			Array.prototype.forEach.call(input.files, function (file) {
				if (maxMb && file.size > maxMb * 1024 * 1024) {
					problems.push(format(text("tooLarge", "{0} is larger than {1} MB."), [file.name, maxMb]));
				}
			});
		});
		return problems;
	}

	document.querySelectorAll("form[data-sc-form]").forEach(function (form) {
		form.addEventListener("submit", function (event) {
			event.preventDefault();
			var status = form.querySelector(".sc-form-status");
			if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
			var problems = checkFiles(form);
			if (problems.length) {
				show(status, problems.join(" "), true);
				return;
			}
			var button = form.querySelector("button[type=submit]");
			if (button) button.disabled = true;
			show(status, text("sending", "Sending…"), false);
			var headers = { Accept: "application/json" };
			if (window.frappe && frappe.csrf_token && frappe.csrf_token !== "None") {
				headers["X-Frappe-CSRF-Token"] = frappe.csrf_token;
			}
			var body = new FormData(form);
			// The answer (errors, confirmations) in the page's language, as the page was shown.
			var root = form.closest(".sc-portal");
			if (root && root.lang && !body.has("_lang")) body.append("_lang", root.lang);
			fetch(form.action, {
				method: "POST",
				body: body,
				headers: headers,
				credentials: "same-origin",
			})
				.then(function (response) {
					return response
						.json()
						.catch(function () {
							return {};
						})
						.then(function (body) {
							return { ok: response.ok, status: response.status, body: body };
						});
				})
				.then(function (result) {
					if (button) button.disabled = false;
					if (!result.ok) {
						var message =
							result.status === 429
								? text("rateLimited", "Too many requests.")
								: plain(serverMessage(result.body)) || text("error", "Something went wrong.");
						show(status, message, true);
						return;
					}
					var data = result.body.message || {};
					if (form.id === "sc-new-request" && data.url) {
						window.location.assign(data.url + "?filed=1");
					} else if (form.dataset.scDone === "replace" || !data.url) {
						var notice = document.createElement("p");
						notice.className = "sc-notice";
						notice.setAttribute("role", "status");
						notice.tabIndex = -1;
						notice.textContent = data.message || "";
						form.replaceWith(notice);
						notice.focus();
					} else {
						window.location.assign(data.url);
					}
				})
				.catch(function () {
					if (button) button.disabled = false;
					show(status, text("error", "Something went wrong."), true);
				});
		});
	});
})();
