// The page help button: <script src="/assets/support_center/js/help_button.js" defer></script> on any
// page of the site (e.g. in Website Settings > Head HTML, or a product/cart template). It shows a small
// "?" button; clicked, it opens the knowledge-base articles tagged for this page ("Show On Pages" on the
// article), in the visitor's language, with a search and a "still need help" link to /support/new.
// Nothing is loaded before the click. Plain JS in a shadow root: the page's styles are left alone.
(function () {
	"use strict";
	if (window.__scHelpButton) return;
	window.__scHelpButton = true;
	var api = "/api/method/support_center.api.knowledge_base.";
	var host = document.createElement("div");
	host.id = "sc-help-button";
	var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
	var css =
		":host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
		".b{position:fixed;bottom:1rem;inset-inline-end:1rem;z-index:2147483000;width:3rem;height:3rem;border-radius:50%;" +
		"border:0;background:#2563eb;color:#fff;font-size:1.4rem;box-shadow:0 2px 10px rgba(0,0,0,.25);cursor:pointer}" +
		".p{position:fixed;bottom:4.75rem;inset-inline-end:1rem;z-index:2147483001;width:min(24rem,calc(100vw - 2rem));" +
		"max-height:min(34rem,calc(100vh - 6rem));display:flex;flex-direction:column;background:#fff;color:#1f2937;" +
		"border-radius:.75rem;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden;font-size:15px;line-height:1.5}" +
		".h{display:flex;align-items:center;justify-content:space-between;padding:.6rem .9rem;background:#2563eb;color:#fff}" +
		".h b{font-size:1rem}.x{background:none;border:0;color:#fff;font-size:1.3rem;cursor:pointer}" +
		"form{display:flex;gap:.4rem;padding:.6rem .9rem;border-bottom:1px solid #eceff3}" +
		"input{flex:1;min-width:0;padding:.45rem .6rem;border:1px solid #c9ced6;border-radius:.4rem;font-size:15px}" +
		".c{overflow:auto;padding:.4rem .9rem;flex:1}ul{list-style:none;margin:0;padding:0}li{padding:.5rem 0;border-bottom:1px solid #f1f3f6}" +
		"a,button.l{color:#1d4ed8;background:none;border:0;padding:0;font:inherit;text-align:start;cursor:pointer;text-decoration:none}" +
		"p{margin:.2rem 0;color:#4b5563}.f{padding:.6rem .9rem;border-top:1px solid #eceff3}img{max-width:100%;height:auto}";
	var style = document.createElement("style");
	style.textContent = css;
	root.appendChild(style);
	var button = document.createElement("button");
	button.className = "b";
	button.type = "button";
	button.setAttribute("aria-haspopup", "dialog");
	button.setAttribute("aria-label", "Help");
	button.textContent = "?";
	root.appendChild(button);
	var panel = null;
	var labels = {};

	function el(tag, attrs, text) {
		var node = document.createElement(tag);
		Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
		if (text) node.textContent = text;
		return node;
	}

	function get(method, params) {
		var query = new URLSearchParams(params).toString();
		return fetch(api + method + "?" + query, { credentials: "same-origin" }).then(function (response) {
			if (!response.ok) throw new Error(String(response.status));
			return response.json();
		}).then(function (data) { return data.message; });
	}

	function list(content, items) {
		content.textContent = "";
		if (!items.length) { content.appendChild(el("p", {}, labels.nothing)); return; }
		var ul = el("ul");
		items.forEach(function (item) {
			var li = el("li");
			var open = el("button", { type: "button", class: "l", lang: item.language || "" }, item.title);
			open.addEventListener("click", function () { show(content, item.name); });
			li.appendChild(open);
			if (item.excerpt) li.appendChild(el("p", {}, item.excerpt));
			ul.appendChild(li);
		});
		content.appendChild(ul);
	}

	function show(content, name) {
		get("article_body", { article: name }).then(function (article) {
			content.textContent = "";
			var back = el("button", { type: "button", class: "l" }, "← " + labels.back);
			back.addEventListener("click", function () { load(content); });
			content.appendChild(back);
			var body = el("div", { lang: article.language, dir: article.dir });
			body.appendChild(el("h3", {}, article.title));
			var html = el("div");
			html.innerHTML = article.html; // sanitised by the server (frappe sanitize_html)
			body.appendChild(html);
			body.appendChild(el("a", { href: article.route, target: "_blank", rel: "noopener" }, labels.all));
			content.appendChild(body);
		});
	}

	function load(content, q) {
		var params = { page: location.pathname };
		if (q) params.q = q;
		return get("help_articles", params).then(function (data) {
			labels = data.labels;
			list(content, data.articles);
			return data;
		});
	}

	function open() {
		if (panel) { panel.hidden = !panel.hidden; button.setAttribute("aria-expanded", String(!panel.hidden)); return; }
		panel = el("div", { class: "p", role: "dialog", "aria-modal": "false" });
		var head = el("div", { class: "h" });
		var title = el("b", {}, "?");
		var close = el("button", { type: "button", class: "x", "aria-label": "Close" }, "×");
		close.addEventListener("click", function () { panel.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); });
		head.appendChild(title);
		head.appendChild(close);
		var form = el("form", { role: "search" });
		var input = el("input", { type: "search", maxlength: "140" });
		form.appendChild(input);
		var content = el("div", { class: "c", "aria-live": "polite" });
		var foot = el("div", { class: "f" });
		panel.appendChild(head);
		panel.appendChild(form);
		panel.appendChild(content);
		panel.appendChild(foot);
		root.appendChild(panel);
		form.addEventListener("submit", function (event) { event.preventDefault(); load(content, input.value.trim()); });
		button.setAttribute("aria-expanded", "true");
		load(content).then(function (data) {
			panel.setAttribute("dir", data.dir);
			panel.setAttribute("lang", data.language);
			title.textContent = labels.help;
			close.setAttribute("aria-label", labels.close);
			input.setAttribute("placeholder", labels.search);
			input.setAttribute("aria-label", labels.search);
			foot.appendChild(el("span", {}, labels.still + " "));
			foot.appendChild(el("a", { href: data.new_request }, labels.contact));
			input.focus();
		}).catch(function () { content.textContent = "…"; });
	}

	button.addEventListener("click", open);
	document.addEventListener("keydown", function (event) {
		if (event.key === "Escape" && panel && !panel.hidden) { panel.hidden = true; button.focus(); }
	});
	(document.body ? Promise.resolve() : new Promise(function (r) { document.addEventListener("DOMContentLoaded", r); }))
		.then(function () { document.body.appendChild(host); });
})();
