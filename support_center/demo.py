"""Demo data: a support desk with customers, agents, topics, canned replies, articles and tickets.

Every record is looked up before it is made, so running the demo twice adds nothing the second time.
"""

from datetime import timedelta

import frappe
from frappe.utils import add_days, now_datetime

from support_center.install import ensure_masters
from support_center.sla.service import replay

TEAMS = {
	"First Line Support": ["anna.petrova@demo.support-center.test", "kenji.sato@demo.support-center.test"],
	"Billing Desk": ["maria.lopez@demo.support-center.test"],
}
AGENTS = {
	"anna.petrova@demo.support-center.test": ("Anna", "Petrova", "Support Team"),
	"kenji.sato@demo.support-center.test": ("Kenji", "Sato", "Support Team"),
	"maria.lopez@demo.support-center.test": ("Maria", "Lopez", "Support Manager"),
}
CUSTOMERS = {
	"Northwind Traders": [("Laura", "Callahan", "laura.callahan@northwind.example", "+1 206 555 0101", True)],
	"Volga Logistics": [
		("Ivan", "Smirnov", "i.smirnov@volga-logistics.example", "+7 (495) 123-45-67", True),
		("Olga", "Kuznetsova", "o.kuznetsova@volga-logistics.example", "+7 916 765 43 21", False),
	],
	"Sakura Robotics": [("Yuki", "Tanaka", "y.tanaka@sakura-robotics.example", "+81 3-1234-5678", True)],
}
CATEGORIES = [
	# title, parent, is_group, team, description
	("Orders and Delivery", None, 1, "First Line Support", "Where your order is, changes, damaged parcels."),
	("Where is my order?", "Orders and Delivery", 0, "First Line Support", "Tracking and delivery dates."),
	("Damaged or missing items", "Orders and Delivery", 0, "First Line Support", "Something arrived broken."),
	("Billing and Payments", None, 1, "Billing Desk", "Invoices, payments and refunds."),
	("Invoices and receipts", "Billing and Payments", 0, "Billing Desk", "Copies, corrections, tax details."),
	("Refunds", "Billing and Payments", 0, "Billing Desk", "Money back for returns and cancellations."),
	("Account and Access", None, 0, "First Line Support", "Logging in, passwords, portal users."),
]
CANNED_REPLIES = [
	(
		"Tracking link",
		"Global",
		"Where is my order?",
		"<p>Hello {{ contact_name }},</p><p>your order is on its way. You can follow it with the tracking "
		"link in your shipping confirmation. If it has not moved for two working days, reply here and we "
		"will chase the carrier.</p><p>{{ agent_name }}</p>",
	),
	(
		"Invoice copy",
		"Team",
		"Invoices and receipts",
		"<p>Hello {{ contact_name }},</p><p>a copy of the invoice is attached. Every invoice is also in "
		"your customer portal under Invoices.</p><p>{{ agent_name }}</p>",
	),
	(
		"Password reset",
		"Global",
		"Account and Access",
		"<p>Hello {{ contact_name }},</p><p>use <b>Forgot password</b> on the login page; the link we "
		"send is valid for 24 hours.</p>",
	),
]
KB_CATEGORIES = [("Getting Started", None), ("Orders", None), ("Billing", None)]
KB_ARTICLES = [
	(
		"How to track your order",
		"Orders",
		"en",
		"Published",
		"<p>Open <b>Orders</b> in the portal and choose the order. The tracking number links to the "
		"carrier's page. Parcels usually move within one working day of shipping.</p>",
	),
	(
		"Как отследить заказ",
		"Orders",
		"ru",
		"Published",
		"<p>Откройте раздел <b>Заказы</b> в личном кабинете и выберите заказ. Номер отслеживания ведёт на "
		"страницу перевозчика. Обычно посылка начинает движение в течение рабочего дня после отправки.</p>",
	),
	(
		"How to download an invoice",
		"Billing",
		"en",
		"Published",
		"<p>Every invoice is in the portal under <b>Invoices</b>; the PDF button downloads it.</p>",
	),
	(
		"Как скачать счёт",
		"Billing",
		"ru",
		"Published",
		"<p>Все счета есть в личном кабинете в разделе <b>Счета</b>; кнопка PDF скачивает документ.</p>",
	),
	(
		"Resetting your password",
		"Getting Started",
		"en",
		"Published",
		"<p>Choose <b>Forgot password</b> on the login page and follow the link in the email.</p>",
	),
	(
		"Returns policy (old)",
		"Orders",
		"en",
		"Archived",
		"<p>Replaced by the new returns policy.</p>",
	),
	(
		"Setting up several portal users",
		"Getting Started",
		"en",
		"Draft",
		"<p>Draft: how a customer adds colleagues to their portal account.</p>",
	),
]
# More articles in the portal's languages, as translations of the English ones (title, category, language,
# status, content); and what the tuples above do not say: the original an article translates, who may read
# it, its summary and the site pages whose help button offers it (support_center/knowledge_base).
KB_ARTICLES += [
	(
		"注文の追跡方法",
		"Orders",
		"ja",
		"Published",
		"<p>ポータルの<b>注文</b>を開き、注文を選んでください。追跡番号から配送業者のページに移動できます。"
		"通常、発送から1営業日以内に荷物が動き始めます。</p>",
	),
	(
		"كيفية تتبع طلبك",
		"Orders",
		"ar",
		"Published",
		"<p>افتح <b>الطلبات</b> في البوابة واختر الطلب. رقم التتبع يفتح صفحة شركة الشحن. "
		"تبدأ الشحنة عادةً بالتحرك خلال يوم عمل واحد من الشحن.</p>",
	),
	(
		"請求書のダウンロード方法",
		"Billing",
		"ja",
		"Published",
		"<p>すべての請求書はポータルの<b>請求書</b>にあります。PDFボタンでダウンロードできます。</p>",
	),
	(
		"Rechnung herunterladen",
		"Billing",
		"de",
		"Published",
		"<p>Alle Rechnungen finden Sie im Portal unter <b>Rechnungen</b>; die Schaltfläche PDF lädt sie herunter.</p>",
	),
	(
		"VAT on your invoices",
		"Billing",
		"en",
		"Published",
		"<p>Invoices show VAT at the rate of the delivery country. Business customers with a valid VAT ID "
		"are invoiced without VAT (reverse charge); add the VAT ID under <b>Company details</b>.</p>",
	),
	(
		"Payment methods",
		"Billing",
		"en",
		"Published",
		"<p>We accept cards, bank transfer and PayPal. Card payments are charged when the order ships.</p>",
	),
	(
		"Способы оплаты",
		"Billing",
		"ru",
		"Published",
		"<p>Мы принимаем банковские карты, банковский перевод и PayPal. Оплата картой списывается при "
		"отправке заказа.</p>",
	),
	(
		"支付方式",
		"Billing",
		"zh",
		"Published",
		"<p>我们接受银行卡、银行转账和 PayPal。银行卡付款在订单发货时扣款。</p>",
	),
	(
		"Choosing your size",
		"Orders",
		"en",
		"Published",
		"<p>Our size chart is on every product page. Between two sizes? Choose the larger one; exchanges "
		"are free within 30 days.</p>",
	),
	(
		"Refunds for business customers",
		"Billing",
		"en",
		"Published",
		"<p>Refunds go back to the original payment method within 5 working days; a credit note is in the "
		"portal under <b>Invoices</b>.</p>",
	),
	(
		"Issuing a goodwill credit (staff)",
		"Billing",
		"en",
		"Published",
		"<p>Internal: credits up to 50 EUR need no approval; above that ask the billing team lead.</p>",
	),
]
KB_ARTICLE_DETAILS = {
	"How to track your order": {
		"visibility": "Public",
		"summary": "Find the tracking number of an order and follow the parcel.",
		"help_routes": "/cart\n/orders/*",
	},
	"Как отследить заказ": {"translation_of": "How to track your order", "visibility": "Public"},
	"注文の追跡方法": {"translation_of": "How to track your order", "visibility": "Public"},
	"كيفية تتبع طلبك": {"translation_of": "How to track your order", "visibility": "Public"},
	"How to download an invoice": {
		"visibility": "Public",
		"summary": "Download any invoice as a PDF from the portal.",
	},
	"Как скачать счёт": {"translation_of": "How to download an invoice", "visibility": "Public"},
	"請求書のダウンロード方法": {"translation_of": "How to download an invoice", "visibility": "Public"},
	"Rechnung herunterladen": {"translation_of": "How to download an invoice", "visibility": "Public"},
	"VAT on your invoices": {"visibility": "Public", "help_routes": "/cart"},
	"Payment methods": {"visibility": "Public", "help_routes": "/cart\n/products/*"},
	"Способы оплаты": {"translation_of": "Payment methods", "visibility": "Public"},
	"支付方式": {"translation_of": "Payment methods", "visibility": "Public"},
	"Choosing your size": {"visibility": "Public", "help_routes": "/products/*"},
	"Resetting your password": {"visibility": "Public", "overdue": True},
	"Refunds for business customers": {"visibility": "Customers"},
	"Issuing a goodwill credit (staff)": {"visibility": "Staff"},
}
KB_CATEGORY_TRANSLATIONS = {
	"Getting Started": {"ru": "Начало работы", "ja": "はじめに", "ar": "البدء", "de": "Erste Schritte"},
	"Orders": {"ru": "Заказы", "ja": "注文", "ar": "الطلبات", "de": "Bestellungen", "zh": "订单"},
	"Billing": {
		"ru": "Оплата и счета",
		"ja": "請求とお支払い",
		"ar": "الفواتير",
		"de": "Rechnungen",
		"zh": "账单",
	},
}
# subject, customer, contact email, channel, category, status, days ago, conversation
# (a conversation line is (who, text): "customer", "agent" or "note" for an internal note)
TICKETS = [
	(
		"Order SO-0042 has not arrived",
		"Northwind Traders",
		"laura.callahan@northwind.example",
		"Email",
		"Where is my order?",
		"Open",
		1,
		[("customer", "We ordered two pallets on Monday and nothing has arrived yet. Can you check?")],
	),
	(
		"Два повреждённых блока в поставке",
		"Volga Logistics",
		"i.smirnov@volga-logistics.example",
		"Portal",
		"Damaged or missing items",
		"Replied",
		3,
		[
			("customer", "В последней поставке два блока пришли с трещинами на корпусе. Фото прилагаем."),
			("note", "Checked with the warehouse: the pallet was dropped at loading. Replacement approved."),
			("agent", "Иван, мы отправим замену завтра. Повреждённые блоки можно не возвращать."),
		],
	),
	(
		"Invoice needs our new VAT number",
		"Volga Logistics",
		"o.kuznetsova@volga-logistics.example",
		"Email",
		"Invoices and receipts",
		"Waiting on Customer",
		5,
		[
			("customer", "Please reissue invoice ACC-SINV-0007 with our new VAT number."),
			("agent", "Happy to. Could you send us the new number and the date it applies from?"),
		],
	),
	(
		"Refund for cancelled order",
		"Sakura Robotics",
		"y.tanaka@sakura-robotics.example",
		"Phone",
		"Refunds",
		"Resolved",
		8,
		[
			("customer", "Called: the order was cancelled last week but the card was charged."),
			("note", "Refund issued through the payment gateway, reference RF-2291."),
			("agent", "The refund is on its way and should show on your card within 5 working days."),
		],
	),
	(
		"Cannot log in to the portal",
		"Northwind Traders",
		"laura.callahan@northwind.example",
		"Messenger",
		"Account and Access",
		"Closed",
		12,
		[
			("customer", "The portal says my password is wrong, but I just reset it."),
			(
				"agent",
				"Your account was locked after several attempts; it is unlocked now. Please try again.",
			),
			("customer", "Works now, thank you!"),
		],
	),
	(
		"Delivery date for the spare parts",
		"Sakura Robotics",
		"y.tanaka@sakura-robotics.example",
		"Staff",
		"Where is my order?",
		"Open",
		0,
		[("customer", "Taken by phone: Tanaka-san needs the servo spare parts before the 30th.")],
	),
	(
		"Duplicate charge on invoice",
		"Northwind Traders",
		"laura.callahan@northwind.example",
		"API",
		"Invoices and receipts",
		"Open",
		2,
		[("customer", "Our bank shows the same invoice paid twice. Please advise.")],
	),
]


def demo_logins() -> list[tuple[str, str]]:
	"""(what the user is, their login) for every demo user who can log in."""
	logins = [(role, email) for email, (_first, _last, role) in AGENTS.items()]
	for customer, people in CUSTOMERS.items():
		logins += [(f"Customer, {customer}", email) for _f, _l, email, _p, portal in people if portal]
	return logins


def create_demo_data(password: str | None = None) -> dict[str, int]:
	ensure_masters()
	password = password or frappe.generate_hash(length=12)
	users_before = frappe.db.count("User")
	for email, (first, last, role) in AGENTS.items():
		_user(email, first, last, [role, "Support Team"], "System User", password)
	for team, members in TEAMS.items():
		_user_group(team, members)
	contacts = {}
	for customer, people in CUSTOMERS.items():
		_customer(customer)
		for first, last, email, phone, portal in people:
			user = _user(email, first, last, ["Customer"], "Website User", password) if portal else None
			contacts[email] = _contact(first, last, email, phone, customer, user)
			if user:
				_add_portal_user(customer, user)
	responsible = {"First Line Support": "anna.petrova@demo.support-center.test"}
	for title, parent, is_group, team, description in CATEGORIES:
		_support_category(title, parent, is_group, team, responsible.get(team, TEAMS[team][0]), description)
	for title, scope, category, response in CANNED_REPLIES:
		_canned_reply(title, scope, category, response)
	for title, parent in KB_CATEGORIES:
		_kb_category(title, parent)
	for title, category, language, status, content in KB_ARTICLES:
		_kb_article(title, category, language, status, content)
	_sla_policies()
	for ticket in TICKETS:
		_ticket(*ticket, contacts=contacts)
	# The agent's day: a routed mail, an incident with its customers' tickets, a missed call to return.
	from support_center.demo_agents_day import add_agents_day_demo

	add_agents_day_demo(contacts)
	# Voice of the customer and survey answers for the KPI reports (support_center/kpi/demo.py).
	from support_center.kpi.demo import add_demo_kpis

	add_demo_kpis()
	return {
		"Agents": len(AGENTS),
		"Teams": len(TEAMS),
		"Customers": len(CUSTOMERS),
		"Contacts": len(contacts),
		"Support Categories": frappe.db.count("Support Category"),
		"Canned Replies": frappe.db.count("Canned Reply"),
		"KB Articles": frappe.db.count("KB Article"),
		"SLA Policies": frappe.db.count("SLA Policy"),
		"Tickets": frappe.db.count("Ticket"),
		"password": password if frappe.db.count("User") > users_before else None,
	}


def _sla_policies():
	"""Business hours for everyone; round the clock and tighter for the customer with a premium contract."""
	if frappe.db.exists("SLA Policy", "Premium"):
		return
	hours = {"Low": (8, 24, 72), "Medium": (4, 8, 40), "High": (2, 4, 16), "Urgent": (1, 1, 8)}
	# The install made "Standard" (support_center/sla/standard.py); a site without it gets the demo's own.
	frappe.db.exists("SLA Policy", "Standard") or frappe.get_doc(
		{
			"doctype": "SLA Policy",
			"policy_name": "Standard",
			"default_policy": 1,
			"description": "Business hours, Monday to Friday.",
			"working_hours": [
				{"weekday": day, "start_time": "09:00:00", "end_time": "18:00:00"}
				for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
			],
			"targets": [
				{
					"priority": priority,
					"first_response_time": first * 3600,
					"next_response_time": following * 3600,
					"resolution_time": resolution * 3600,
				}
				for priority, (first, following, resolution) in hours.items()
			],
		}
	).insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "SLA Policy",
			"policy_name": "Premium",
			"customer": "Sakura Robotics",
			"description": "Round the clock for the premium support contract.",
			"targets": [
				{
					"priority": None,
					"first_response_time": 3600,
					"next_response_time": 3600,
					"resolution_time": 8 * 3600,
				}
			],
			"breach_raise_priority_to": "Urgent",
			"breach_reassign_to_team": "First Line Support",
		}
	).insert(ignore_permissions=True)


def _user(email, first_name, last_name, roles, user_type, password):
	if frappe.db.exists("User", email):
		return email
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": first_name,
			"last_name": last_name,
			"user_type": user_type,
			"send_welcome_email": 0,
			"new_password": password,
		}
	)
	user.insert(ignore_permissions=True)
	user.add_roles(*roles)
	return email


def _user_group(name, members):
	if frappe.db.exists("User Group", name):
		return
	frappe.get_doc(
		{"doctype": "User Group", "name": name, "user_group_members": [{"user": user} for user in members]}
	).insert(ignore_permissions=True)


def _customer(name):
	if frappe.db.exists("Customer", name):
		return
	frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_type": "Company"}).insert(
		ignore_permissions=True
	)


def _contact(first_name, last_name, email, phone, customer, user):
	existing = frappe.db.get_value("Contact Email", {"email_id": email, "parenttype": "Contact"}, "parent")
	if existing:
		# Frappe made this contact along with the portal user, linked to no customer: without the link,
		# what this person sends by mail, chat or phone would reach the desk without their company.
		contact = frappe.get_doc("Contact", existing)
		if not contact.has_link("Customer", customer):
			contact.append("links", {"link_doctype": "Customer", "link_name": customer})
			if phone and not any(row.phone == phone for row in contact.phone_nos):
				primary = not any(row.is_primary_phone for row in contact.phone_nos)
				contact.append("phone_nos", {"phone": phone, "is_primary_phone": int(primary)})
			contact.save(ignore_permissions=True)
		return existing
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first_name,
			"last_name": last_name,
			"user": user,
			"email_ids": [{"email_id": email, "is_primary": 1}],
			"phone_nos": [{"phone": phone, "is_primary_phone": 1}],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	)
	contact.insert(ignore_permissions=True)
	return contact.name


def _add_portal_user(customer, user):
	doc = frappe.get_doc("Customer", customer)
	if user not in {row.user for row in doc.portal_users}:
		doc.append("portal_users", {"user": user})
		doc.save(ignore_permissions=True)


def _support_category(title, parent, is_group, team, responsible, description):
	if frappe.db.exists("Support Category", title):
		return
	frappe.get_doc(
		{
			"doctype": "Support Category",
			"title": title,
			"parent_support_category": parent or "All Topics",
			"is_group": is_group,
			"team": team,
			"responsible": responsible,
			"description": description,
			"published": 1,
			"default_priority": "High" if title == "Damaged or missing items" else None,
		}
	).insert(ignore_permissions=True)


def _canned_reply(title, scope, category, response):
	if frappe.db.exists("Canned Reply", {"title": title}):
		return
	frappe.get_doc(
		{
			"doctype": "Canned Reply",
			"title": title,
			"scope": scope,
			"team": "Billing Desk" if scope == "Team" else None,
			"category": category,
			"response": response,
		}
	).insert(ignore_permissions=True)


def _kb_category(title, parent):
	if frappe.db.exists("KB Category", title):
		return
	translations = [
		{"language": language, "title": text}
		for language, text in KB_CATEGORY_TRANSLATIONS.get(title, {}).items()
	]
	frappe.get_doc(
		{
			"doctype": "KB Category",
			"title": title,
			"parent_kb_category": parent or "All Articles",
			"translations": translations,
		}
	).insert(ignore_permissions=True)


def _kb_article(title, category, language, status, content):
	if frappe.db.exists("KB Article", {"title": title}):
		return
	details = dict(KB_ARTICLE_DETAILS.get(title, {}))
	overdue = details.pop("overdue", False)
	if details.get("translation_of"):
		details["translation_of"] = frappe.db.get_value("KB Article", {"title": details["translation_of"]})
	article = frappe.get_doc(
		{
			"doctype": "KB Article",
			"title": title,
			"kb_category": category,
			"language": language,
			"status": status,
			"content": content,
			"review_by": add_days(now_datetime(), 90).date(),
			"article_owner": "anna.petrova@demo.support-center.test",
			**details,
		}
	).insert(ignore_permissions=True)
	if overdue:
		# One stale answer, so the workspace's "review overdue" list and the reminder have something.
		frappe.db.set_value(
			"KB Article",
			article.name,
			{"review_by": add_days(now_datetime(), -10).date(), "review_overdue": 1},
			update_modified=False,
		)


def _ticket(subject, customer, email, channel, category, status, days_ago, conversation, contacts):
	if frappe.db.exists("Ticket", {"subject": subject, "customer": customer}):
		return
	opened = now_datetime() - timedelta(days=days_ago, hours=3)
	first_message = next(text for who, text in conversation if who == "customer")
	ticket = frappe.get_doc(
		{
			"doctype": "Ticket",
			"subject": subject,
			"customer": customer,
			"contact": contacts[email],
			"raised_by": email,
			"channel": channel,
			"category": category,
			"description": f"<p>{frappe.utils.escape_html(first_message)}</p>",
		}
	).insert(ignore_permissions=True)
	agent = frappe.db.get_value("Support Category", category, "responsible")
	moment = opened
	first_response = None
	events = []
	for who, text in conversation[1:]:
		moment += timedelta(hours=2)
		if who == "note":
			_internal_note(ticket, agent, text, moment)
		else:
			_message(ticket, who, agent, email, text, moment)
			events.append(("reply" if who == "agent" else "message", moment))
			if who == "agent" and not first_response:
				first_response = moment
	values = {"status": status, "creation": opened, "first_responded_on": first_response}
	if status != "Open":
		events.append((f"status:{status}", moment + timedelta(hours=1)))
	if status in ("Resolved", "Closed"):
		values["resolved_on"] = moment + timedelta(hours=1)
	# Set directly: the story above happened in the past, and saving would stamp everything "now".
	frappe.db.set_value("Ticket", ticket.name, values, update_modified=False)
	ticket.reload()
	replay(ticket, events)


def _message(ticket, who, agent, customer_email, text, moment):
	sent = who == "agent"
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Sent" if sent else "Received",
			"subject": f"Re: {ticket.subject}",
			"content": f"<p>{frappe.utils.escape_html(text)}</p>",
			"sender": agent if sent else customer_email,
			"recipients": customer_email if sent else agent,
			"communication_date": moment,
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
			"status": "Linked",
		}
	).insert(ignore_permissions=True)


def _internal_note(ticket, agent, text, moment):
	note = frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Comment",
			"reference_doctype": "Ticket",
			"reference_name": ticket.name,
			"comment_email": agent,
			"content": frappe.utils.escape_html(text),
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Comment", note.name, {"creation": moment, "owner": agent}, update_modified=False)
