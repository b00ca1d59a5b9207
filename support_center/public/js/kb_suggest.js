// /support/new: articles matching the subject as the customer types it. Opening one counts as a
// deflection ("Opened"); "This solved my question" counts for sure ("Solved"); filing the request anyway
// is noticed by the server. Plain JS, no framework.
(function () {
	"use strict";
	var input = document.getElementById("support-subject");
	var box = document.getElementById("kb-suggestions");
	if (!input || !box) return;
	var api = "/api/method/support_center.api.knowledge_base.";
	var timer = null;
	var last = "";
	var lang = (document.documentElement.lang || "en").slice(0, 2);
	var texts = {
		en: ["These articles may answer your question:", "This solved my question", "Glad it helped! You do not need to send a request."],
		ru: ["Возможно, эти статьи ответят на ваш вопрос:", "Это решило мой вопрос", "Рады, что помогло! Отправлять запрос не нужно."],
		ja: ["これらの記事で解決できるかもしれません:", "これで解決しました", "お役に立ててよかったです。お問い合わせは不要です。"],
		de: ["Diese Artikel beantworten vielleicht Ihre Frage:", "Das hat meine Frage gelöst", "Schön, dass es geholfen hat! Sie müssen keine Anfrage senden."],
		fr: ["Ces articles répondent peut-être à votre question :", "Cela a résolu ma question", "Ravis que cela ait aidé ! Inutile d'envoyer une demande."],
		es: ["Estos artículos pueden responder a su pregunta:", "Esto resolvió mi pregunta", "¡Nos alegra que haya ayudado! No necesita enviar una solicitud."],
		pt: ["Estes artigos podem responder à sua pergunta:", "Isto resolveu a minha dúvida", "Que bom que ajudou! Não precisa de enviar um pedido."],
		it: ["Questi articoli potrebbero rispondere alla tua domanda:", "Questo ha risolto la mia domanda", "Siamo felici che sia servito! Non è necessario inviare una richiesta."],
		tr: ["Bu makaleler sorunuzu yanıtlayabilir:", "Bu sorumu çözdü", "Yardımcı olduğuna sevindik! Talep göndermenize gerek yok."],
		pl: ["Te artykuły mogą odpowiedzieć na Twoje pytanie:", "To rozwiązało mój problem", "Cieszymy się, że pomogło! Nie musisz wysyłać zgłoszenia."],
		uk: ["Можливо, ці статті дадуть відповідь на ваше запитання:", "Це вирішило моє питання", "Раді, що допомогло! Надсилати запит не потрібно."],
		zh: ["这些文章可能会解答您的问题：", "这解决了我的问题", "很高兴能帮到您！无需提交请求。"],
		ko: ["이 문서들이 질문에 답이 될 수 있습니다:", "이것으로 해결되었습니다", "도움이 되어 기쁩니다! 요청을 보내지 않으셔도 됩니다."],
		ar: ["قد تجيب هذه المقالات عن سؤالك:", "هذا حلّ مشكلتي", "يسعدنا أن ذلك ساعدك! لا حاجة لإرسال طلب."],
	};
	var t = texts[lang] || texts.en;
	var style = document.createElement("style");
	style.textContent =
		"#kb-suggestions .kb-suggest-title{margin:.5rem 0 .25rem;font-weight:600}" +
		"#kb-suggestions .kb-suggest-list{list-style:none;margin:0;padding:0;border:1px solid #e3e7ed;border-radius:.5rem}" +
		"#kb-suggestions li{padding:.5rem .75rem;border-top:1px solid #eceff3}#kb-suggestions li:first-child{border-top:0}" +
		"#kb-suggestions li a{font-weight:600}#kb-suggestions li p{margin:.15rem 0;color:#4b5563;font-size:.9rem;" +
		"display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}" +
		"#kb-suggestions .kb-solved{padding:0;font-size:.85rem;color:#1d4ed8;background:none;border:0;text-decoration:underline;cursor:pointer}#kb-suggestions .kb-suggest-done{margin:.5rem 0;color:#166534}";
	document.head.appendChild(style);

	function csrf() {
		return (window.frappe && window.frappe.csrf_token) || window.csrf_token || "";
	}

	function record(article, outcome) {
		var body = new URLSearchParams({ article: article, outcome: outcome, query: input.value.slice(0, 140) });
		return fetch(api + "record_deflection", {
			method: "POST",
			credentials: "same-origin",
			keepalive: true,
			headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Frappe-CSRF-Token": csrf() },
			body: body.toString(),
		}).catch(function () {});
	}

	function render(items) {
		box.textContent = "";
		if (!items.length) return;
		var title = document.createElement("p");
		title.className = "kb-suggest-title";
		title.textContent = t[0];
		var list = document.createElement("ul");
		list.className = "kb-suggest-list";
		items.forEach(function (item) {
			var li = document.createElement("li");
			var link = document.createElement("a");
			link.href = item.route;
			link.target = "_blank";
			link.rel = "noopener";
			link.textContent = item.title;
			if (item.language) link.lang = item.language;
			link.addEventListener("click", function () { record(item.name, "Opened"); });
			var solved = document.createElement("button");
			solved.type = "button";
			solved.className = "btn btn-link btn-sm kb-solved";
			solved.textContent = t[1];
			solved.addEventListener("click", function () {
				record(item.name, "Solved").then(function () {
					box.textContent = "";
					var done = document.createElement("p");
					done.className = "kb-suggest-done";
					done.setAttribute("role", "status");
					done.textContent = t[2];
					box.appendChild(done);
				});
			});
			li.appendChild(link);
			if (item.excerpt) {
				var p = document.createElement("p");
				p.textContent = item.excerpt;
				li.appendChild(p);
			}
			li.appendChild(solved);
			list.appendChild(li);
		});
		box.appendChild(title);
		box.appendChild(list);
	}

	function lookup() {
		var subject = input.value.trim();
		if (subject === last) return;
		last = subject;
		if (subject.length < 3) { render([]); return; }
		fetch(api + "suggest?subject=" + encodeURIComponent(subject), { credentials: "same-origin" })
			.then(function (response) { return response.ok ? response.json() : { message: [] }; })
			.then(function (data) { if (input.value.trim() === subject) render(data.message || []); })
			.catch(function () {});
	}

	input.addEventListener("input", function () {
		clearTimeout(timer);
		timer = setTimeout(lookup, 300);
	});
})();
