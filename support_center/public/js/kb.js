// Knowledge-base article page: "Was this helpful?" (one vote per visitor, the server decides) and an
// optional comment. Plain JS, no framework.
(function () {
	"use strict";
	var box = document.querySelector(".kb-feedback");
	if (!box) return;
	var article = box.getAttribute("data-article");
	var status = box.querySelector(".kb-feedback-status");
	var form = box.querySelector(".kb-feedback-comment");
	var choice = null;

	function csrf() {
		return (window.frappe && window.frappe.csrf_token) || window.csrf_token || "";
	}

	function send(helpful, comment) {
		var body = new URLSearchParams({ article: article, helpful: helpful ? "1" : "0" });
		if (comment) body.append("comment", comment);
		return fetch("/api/method/support_center.api.knowledge_base.vote", {
			method: "POST",
			credentials: "same-origin",
			headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Frappe-CSRF-Token": csrf() },
			body: body.toString(),
		}).then(function (response) {
			if (!response.ok && response.status !== 409) throw new Error(String(response.status));
			status.textContent = status.getAttribute("data-thanks");
		}).catch(function () {
			status.textContent = status.getAttribute("data-error");
		});
	}

	box.querySelectorAll("[data-helpful]").forEach(function (button) {
		button.addEventListener("click", function () {
			choice = button.getAttribute("data-helpful") === "1";
			box.querySelectorAll("[data-helpful]").forEach(function (other) {
				other.setAttribute("aria-pressed", other === button ? "true" : "false");
			});
			send(choice).then(function () { form.hidden = false; });
		});
	});

	form.addEventListener("submit", function (event) {
		event.preventDefault();
		var text = form.querySelector("textarea").value.trim();
		if (!text || choice === null) return;
		send(choice, text).then(function () { form.hidden = true; });
	});
})();
