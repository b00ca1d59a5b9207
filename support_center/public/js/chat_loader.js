/*
 * Support Center site chat: one script tag on any page of the site (or in Website Settings > Head HTML):
 *
 *   <script src="/assets/support_center/js/chat_loader.js" data-channel="Website Chat" defer></script>
 *
 * data-channel names the Support Channel (type Chat); without it the site's first enabled chat is used.
 * Plain JavaScript, no framework, about 10 KB. The words come from the server in the visitor's language.
 * The conversation is a ticket (support_center/api/chat.py); its token stays in this browser's
 * localStorage, so a visitor who comes back sees it. New answers arrive by polling every few seconds
 * while the chat is open (and at once through Frappe's realtime socket where the page has one).
 */
(function () {
	"use strict";
	if (window.__supportCenterChat) return;
	window.__supportCenterChat = true;

	var script = document.currentScript;
	var CHANNEL = (script && script.getAttribute("data-channel")) || "";
	var API = "/api/method/support_center.api.chat.";
	var OPEN_POLL_MS = 3000;
	var IDLE_POLL_MS = 20000;
	var state = { config: null, token: null, messages: {}, order: [], last: "", open: false, timer: null, busy: false };

	function storageKey() {
		return "support_center_chat:" + (state.config ? state.config.channel : CHANNEL);
	}

	function csrf() {
		return (window.frappe && window.frappe.csrf_token) || window.csrf_token || "";
	}

	function call(method, params) {
		var body = new URLSearchParams();
		Object.keys(params || {}).forEach(function (key) {
			if (params[key] !== undefined && params[key] !== null) body.append(key, params[key]);
		});
		if (CHANNEL) body.append("channel", CHANNEL);
		var headers = { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" };
		var token = csrf();
		if (token && token !== "None") headers["X-Frappe-CSRF-Token"] = token;
		return fetch(API + method, { method: "POST", headers: headers, body: body, credentials: "same-origin" }).then(
			function (response) {
				return response.json().then(function (data) {
					if (!response.ok) {
						var text = "";
						try {
							text = JSON.parse(JSON.parse(data._server_messages || "[]")[0] || "{}").message || "";
						} catch (e) {
							text = "";
						}
						var error = new Error(text || data.exception || String(response.status));
						error.status = response.status;
						throw error;
					}
					return data.message;
				});
			}
		);
	}

	function el(tag, attrs, children) {
		var node = document.createElement(tag);
		Object.keys(attrs || {}).forEach(function (key) {
			if (key === "text") node.textContent = attrs[key];
			else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), attrs[key]);
			else node.setAttribute(key, attrs[key]);
		});
		(children || []).forEach(function (child) {
			if (child) node.appendChild(child);
		});
		return node;
	}

	function t(key) {
		return (state.config && state.config.strings[key]) || key;
	}

	function clientId() {
		return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
	}

	var CSS =
		".scc-root{position:fixed;bottom:16px;inset-inline-end:16px;z-index:2147483000;font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f272e}" +
		".scc-root *{box-sizing:border-box}" +
		".scc-button{background:#2563eb;color:#fff;border:0;border-radius:999px;padding:12px 18px;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2);position:relative}" +
		".scc-button:focus-visible,.scc-root button:focus-visible,.scc-root input:focus-visible,.scc-root textarea:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}" +
		".scc-badge{position:absolute;top:-4px;inset-inline-end:-4px;background:#dc2626;border-radius:999px;width:14px;height:14px}" +
		".scc-panel{position:fixed;bottom:16px;inset-inline-end:16px;width:min(380px,calc(100vw - 16px));height:min(560px,calc(100vh - 32px));background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}" +
		"@media (max-width:420px){.scc-panel{inset:0;width:100vw;height:100%;border-radius:0}}" +
		".scc-head{background:#2563eb;color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}" +
		".scc-head h2{font-size:16px;margin:0;flex:1;color:#fff}" +
		".scc-head button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:6px;padding:4px 8px;font:inherit;font-size:13px;cursor:pointer}" +
		".scc-notice{background:#fef3c7;color:#78350f;padding:8px 14px;font-size:13px}" +
		".scc-log{flex:1;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:8px;background:#f8fafc}" +
		".scc-msg{max-width:85%;padding:8px 12px;border-radius:12px;word-wrap:break-word;overflow-wrap:anywhere}" +
		".scc-msg p{margin:0 0 4px}.scc-msg p:last-child{margin:0}" +
		".scc-visitor{align-self:flex-end;background:#2563eb;color:#fff}" +
		".scc-agent{align-self:flex-start;background:#fff;border:1px solid #d1d5db}" +
		".scc-system{align-self:center;background:transparent;color:#4b5563;font-size:13px;text-align:center}" +
		".scc-who{display:block;font-size:12px;font-weight:600;opacity:.8;margin-bottom:2px}" +
		".scc-form{padding:10px 14px;border-top:1px solid #e5e7eb;display:flex;flex-direction:column;gap:8px;background:#fff}" +
		".scc-form label{font-size:13px;font-weight:600;display:flex;flex-direction:column;gap:2px}" +
		".scc-form input,.scc-form textarea{font:inherit;border:1px solid #9ca3af;border-radius:6px;padding:8px;width:100%;color:#1f272e;background:#fff}" +
		".scc-form textarea{resize:vertical;min-height:56px}" +
		".scc-row{display:flex;gap:8px;align-items:flex-end}.scc-row label{flex:1;min-width:0}" +
		".scc-send{background:#2563eb;color:#fff;border:0;border-radius:6px;padding:10px 14px;font:inherit;font-weight:600;cursor:pointer}" +
		".scc-send[disabled]{opacity:.6;cursor:progress}" +
		".scc-hint{font-size:12px;color:#4b5563;margin:0}" +
		".scc-error{color:#b91c1c;font-size:13px;margin:0}" +
		".scc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";

	var ui = {};

	function build() {
		var style = el("style");
		style.textContent = CSS;
		document.head.appendChild(style);
		ui.badge = el("span", { class: "scc-badge", hidden: "" });
		ui.button = el("button", { type: "button", class: "scc-button", "aria-expanded": "false", onclick: openPanel }, [
			document.createTextNode(t("open")),
			ui.badge,
		]);
		ui.root = el("div", { class: "scc-root", dir: state.config.direction, lang: state.config.language }, [ui.button]);
		document.body.appendChild(ui.root);
	}

	function buildPanel() {
		ui.title = el("h2", { id: "scc-title", text: t("title") });
		ui.end = el("button", { type: "button", text: t("end"), onclick: endChat, hidden: "" });
		ui.close = el("button", { type: "button", text: "✕", "aria-label": t("close"), onclick: closePanel });
		ui.log = el("div", { class: "scc-log", role: "log", "aria-live": "polite", "aria-labelledby": "scc-title", tabindex: "0" });
		ui.error = el("p", { class: "scc-error", role: "alert" });
		ui.form = el("form", { class: "scc-form", onsubmit: submit, novalidate: "" });
		ui.panel = el("div", { class: "scc-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "scc-title", hidden: "" }, [
			el("div", { class: "scc-head" }, [ui.title, ui.end, ui.close]),
			state.config.notice ? el("div", { class: "scc-notice", role: "status", text: state.config.notice }) : null,
			ui.log,
			ui.form,
		]);
		document.addEventListener("keydown", function (event) {
			if (event.key === "Escape" && state.open) closePanel();
		});
		ui.root.appendChild(ui.panel);
		renderForm();
	}

	function field(label, input) {
		return el("label", {}, [document.createTextNode(label), input]);
	}

	function renderForm() {
		ui.form.textContent = "";
		var needDetails = !state.token && !state.config.user;
		if (needDetails) {
			ui.name = el("input", { name: "name", autocomplete: "name", required: "", maxlength: "140" });
			ui.email = el("input", { name: "email", type: "email", autocomplete: "email" });
			ui.phone = el("input", { name: "phone", type: "tel", autocomplete: "tel" });
			ui.form.appendChild(el("p", { class: "scc-hint", text: t("intro") }));
			ui.form.appendChild(field(t("name"), ui.name));
			ui.form.appendChild(el("div", { class: "scc-row" }, [field(t("email"), ui.email), field(t("phone"), ui.phone)]));
			ui.form.appendChild(el("p", { class: "scc-hint", text: t("email_or_phone") }));
		} else {
			ui.name = ui.email = ui.phone = null;
		}
		ui.text = el("textarea", { name: "message", rows: "2", required: "", maxlength: "5000" });
		ui.text.addEventListener("keydown", function (event) {
			if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
				event.preventDefault();
				submit(event);
			}
		});
		ui.send = el("button", { type: "submit", class: "scc-send", text: t("send") });
		ui.form.appendChild(el("div", { class: "scc-row" }, [field(t("message"), ui.text), ui.send]));
		ui.form.appendChild(ui.error);
		ui.end.hidden = !state.token && !state.order.length;
	}

	function openPanel() {
		if (!ui.panel) buildPanel();
		state.open = true;
		ui.panel.hidden = false;
		ui.button.hidden = true;
		ui.button.setAttribute("aria-expanded", "true");
		ui.badge.hidden = true;
		(ui.name || ui.text).focus();
		scrollDown();
		schedule(0);
	}

	function closePanel() {
		state.open = false;
		ui.panel.hidden = true;
		ui.button.hidden = false;
		ui.button.setAttribute("aria-expanded", "false");
		ui.button.focus();
		schedule(IDLE_POLL_MS);
	}

	function scrollDown() {
		if (ui.log) ui.log.scrollTop = ui.log.scrollHeight;
	}

	function render(message) {
		if (state.messages[message.id]) return false;
		state.messages[message.id] = message;
		state.order.push(message.id);
		if (message.at > state.last) state.last = message.at;
		if (!ui.log) return true;
		var bubble = el("div", { class: "scc-msg scc-" + message.from });
		if (message.from !== "system") {
			var who = message.from === "visitor" ? t("you") : message.name || t("support");
			bubble.appendChild(el("span", { class: "scc-who", text: who }));
		}
		var body = el("div");
		// Server-sanitised HTML (the ticket's conversation); the visitor's own text was escaped on the way in.
		body.innerHTML = message.html;
		bubble.appendChild(body);
		ui.log.appendChild(bubble);
		return true;
	}

	function apply(result) {
		if (!result) return;
		var fresh = false;
		var agentNew = false;
		(result.messages || []).forEach(function (message) {
			if (render(message)) {
				fresh = true;
				if (message.from === "agent") agentNew = true;
			}
		});
		if (fresh) scrollDown();
		if (agentNew && !state.open && state.order.length) ui.badge.hidden = false;
		if (ui.end) ui.end.hidden = !state.order.length;
	}

	function schedule(delay) {
		clearTimeout(state.timer);
		if (!state.token && !(state.config && state.config.user)) return;
		state.timer = setTimeout(poll, delay);
	}

	function poll() {
		if (document.hidden && !state.open) return schedule(IDLE_POLL_MS);
		call("poll", { token: state.token || "", after: state.last })
			.then(function (result) {
				if (result && result.found) apply(result);
			})
			.catch(function () {})
			.then(function () {
				schedule(state.open ? OPEN_POLL_MS : IDLE_POLL_MS);
			});
	}

	function submit(event) {
		if (event) event.preventDefault();
		if (state.busy) return;
		var text = ui.text.value.trim();
		ui.error.textContent = "";
		if (!text) {
			ui.text.focus();
			return;
		}
		var params = { message: text, client_id: clientId() };
		var method = "send";
		if (!state.token && !state.config.user) {
			method = "start";
			params.name = ui.name.value.trim();
			params.email = ui.email.value.trim();
			params.phone = ui.phone.value.trim();
			if (!params.name) {
				ui.error.textContent = t("name");
				return ui.name.focus();
			}
			if (!params.email && !params.phone) {
				ui.error.textContent = t("email_or_phone");
				return ui.email.focus();
			}
		} else if (!state.token && !state.order.length) {
			method = "start";
		} else {
			params.token = state.token || "";
		}
		state.busy = true;
		ui.send.disabled = true;
		ui.send.textContent = t("sending");
		call(method, params)
			.then(function (result) {
				if (result.token) {
					state.token = result.token;
					try {
						localStorage.setItem(storageKey(), result.token);
					} catch (e) {
						/* private mode: the conversation lasts for this page */
					}
				}
				var hadDetails = !!ui.name;
				ui.text.value = "";
				apply(result);
				if (hadDetails) renderForm();
				ui.text.focus();
				schedule(OPEN_POLL_MS);
			})
			.catch(function (error) {
				ui.error.textContent = error.message && error.status !== 500 ? error.message : t("error");
			})
			.then(function () {
				state.busy = false;
				ui.send.disabled = false;
				ui.send.textContent = t("send");
			});
	}

	function endChat() {
		call("end", { token: state.token || "" })
			.then(function (result) {
				render({ id: "end-" + Date.now(), from: "system", html: escapeHtml(result && result.transcript_sent ? t("ended") + " " + t("transcript") : t("ended")), at: "" });
				scrollDown();
			})
			.catch(function () {})
			.then(function () {
				try {
					localStorage.removeItem(storageKey());
				} catch (e) {
					/* nothing stored */
				}
				state.token = null;
				state.messages = {};
				state.order = [];
				state.last = "";
				clearTimeout(state.timer);
				renderForm();
			});
	}

	function escapeHtml(text) {
		var div = document.createElement("div");
		div.textContent = text;
		return div.innerHTML;
	}

	function listenRealtime() {
		var realtime = window.frappe && window.frappe.realtime;
		if (realtime && typeof realtime.on === "function") {
			realtime.on("support_chat_update", function () {
				schedule(0);
			});
		}
	}

	function init() {
		call("config", {})
			.then(function (config) {
				if (!config || !config.enabled) return;
				state.config = config;
				if (!CHANNEL) CHANNEL = config.channel;
				try {
					state.token = localStorage.getItem(storageKey());
				} catch (e) {
					state.token = null;
				}
				build();
				listenRealtime();
				// A returning visitor (or a logged-in customer with an open chat) sees the conversation.
				if (state.token || config.user) {
					call("poll", { token: state.token || "", after: "" })
						.then(function (result) {
							if (result && result.found) {
								// The visitor may have opened the chat already while this was on its way; its form
								// (and the focus in it) stays as it is.
								if (!ui.panel) buildPanel();
								apply(result);
							}
						})
						.catch(function () {})
						.then(function () {
							schedule(IDLE_POLL_MS);
						});
				}
			})
			.catch(function () {});
	}

	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
	else init();
})();
