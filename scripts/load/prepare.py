"""Load-test data: customers with portal logins, agents, an integration (a messenger bot posting to the
webhook) and knowledge-base articles to search, made for one run and removed after it.

	cd <bench>/sites && ../env/bin/python <checkout>/scripts/load/prepare.py SITE RUN_FILE --customers 50 --agents 5
	cd <bench>/sites && ../env/bin/python <checkout>/scripts/load/prepare.py SITE RUN_FILE --cleanup

RUN_FILE (JSON) holds the run's marker, the logins and the settings to restore.
"""

import argparse
import json

import frappe
from frappe.utils.password import update_password

PASSWORD = "Load-test-1!"
LIMITS = ("webhook_messages_per_minute", "portal_requests_per_hour")


def make_user(email: str, roles: list[str], user_type: str) -> str:
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": email.split("@")[0],
			"user_type": user_type,
			"send_welcome_email": 0,
		}
	).insert(ignore_permissions=True)
	user.add_roles(*roles)
	update_password(email, PASSWORD)
	return email


# Words customers search for; each article holds a few of them (the run's marker makes its titles unique).
KB_WORDS = (
	"invoice payment refund delivery tracking parcel password login address return exchange warranty "
	"discount subscription cancel courier receipt export"
).split()


def make_articles(marker: str, count: int = 40) -> str:
	category = frappe.get_doc(
		{"doctype": "KB Category", "title": f"Load {marker}", "parent_kb_category": "All Articles"}
	).insert(ignore_permissions=True)
	for index in range(count):
		words = [KB_WORDS[(index + step) % len(KB_WORDS)] for step in (0, 3, 7)]
		frappe.get_doc(
			{
				"doctype": "KB Article",
				"title": f"{' '.join(words).capitalize()} ({marker} {index})",
				"kb_category": category.name,
				"language": "en",
				"status": "Published",
				"visibility": "Public",
				"content": "<p>" + " ".join(words * 5) + f" how to {words[0]} your order.</p>",
			}
		).insert(ignore_permissions=True)
	return category.name


def prepare(run_file: str, customers: int, agents: int) -> None:
	marker = f"load{frappe.generate_hash(length=6).lower()}"
	domain = f"{marker}.load.test"
	run = {"marker": marker, "domain": domain, "password": PASSWORD, "customers": [], "agents": []}
	run["settings"] = {
		field: frappe.db.get_single_value("Support Center Settings", field) for field in LIMITS
	}
	for field in LIMITS:
		frappe.db.set_single_value("Support Center Settings", field, 1_000_000)
	for index in range(customers):
		user = make_user(f"customer{index}@{domain}", ["Customer"], "Website User")
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": f"Load {marker} {index}",
				"customer_type": "Company",
				"portal_users": [{"user": user}],
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": f"Load{index}",
				"user": user,
				"email_ids": [{"email_id": user, "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer.name}],
			}
		).insert(ignore_permissions=True)
		run["customers"].append({"user": user, "customer": customer.name})
	for index in range(agents):
		run["agents"].append({"user": make_user(f"agent{index}@{domain}", ["Support Team"], "System User")})
	bot = frappe.get_doc("User", make_user(f"bot@{domain}", ["Support Integration"], "System User"))
	bot.api_key = frappe.generate_hash(length=15)
	bot.api_secret = frappe.generate_hash(length=16)
	run["bot"] = {"user": bot.name, "authorization": f"token {bot.api_key}:{bot.api_secret}"}
	bot.save(ignore_permissions=True)
	run["kb_category"] = make_articles(marker)
	run["kb_words"] = list(KB_WORDS)
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the load test's separate processes log in with these users
	with open(run_file, "w") as out:
		json.dump(run, out, indent=1)
	print(f"prepared {customers} customers and {agents} agents ({marker})")


def remove_ticket(name) -> None:
	"""A run's ticket with everything made for it."""
	for communication in frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Ticket", "reference_name": str(name)},
		pluck="name",
	):
		frappe.db.delete("Communication Link", {"parent": communication})
		frappe.db.delete("Communication", {"name": communication})
	for doctype, field in (("Comment", "reference_name"), ("Notification Log", "document_name")):
		frappe.db.delete(doctype, {field: str(name)})
	frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": str(name)})
	frappe.db.delete("Version", {"ref_doctype": "Ticket", "docname": str(name)})
	frappe.db.delete("Email Queue", {"reference_doctype": "Ticket", "reference_name": str(name)})
	frappe.db.delete("Intake Message", {"ticket": str(name)})
	frappe.db.delete("Ticket", {"name": name})


def cleanup(run_file: str) -> None:
	with open(run_file) as source:
		run = json.load(source)
	customers = [row["customer"] for row in run["customers"]]
	tickets = frappe.get_all("Ticket", filters={"customer": ("in", customers or [""])}, pluck="name")
	for name in tickets:
		remove_ticket(name)
	# The bot's conversations: tickets without a customer, and the contacts the intake made for their senders.
	bot_tickets = frappe.get_all(
		"Ticket",
		filters={"external_conversation": ("like", f"{run['marker']}%")},
		fields=["name", "contact"],
	)
	for row in bot_tickets:
		remove_ticket(row.name)
		if row.contact:
			frappe.delete_doc("Contact", row.contact, force=True, ignore_permissions=True)
	frappe.db.delete("Intake Message", {"conversation_id": ("like", f"{run['marker']}%")})
	if run.get("kb_category"):
		for article in frappe.get_all(
			"KB Article", filters={"kb_category": run["kb_category"]}, pluck="name"
		):
			frappe.delete_doc("KB Article", article, force=True, ignore_permissions=True)
		frappe.delete_doc("KB Category", run["kb_category"], force=True, ignore_permissions=True)
	for contact in frappe.get_all(
		"Contact Email", filters={"email_id": ("like", f"%@{run['domain']}")}, pluck="parent"
	):
		frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
	for customer in customers:
		frappe.delete_doc("Customer", customer, force=True, ignore_permissions=True)
	for row in run["customers"] + run["agents"] + ([run["bot"]] if run.get("bot") else []):
		frappe.delete_doc("User", row["user"], force=True, ignore_permissions=True)
	for field, value in run["settings"].items():
		frappe.db.set_single_value("Support Center Settings", field, value)
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the run's data is removed for good
	print(f"removed {len(tickets) + len(bot_tickets)} tickets and the run's users ({run['marker']})")


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("site")
	parser.add_argument("run_file")
	parser.add_argument("--customers", type=int, default=50)
	parser.add_argument("--agents", type=int, default=5)
	parser.add_argument("--cleanup", action="store_true")
	options = parser.parse_args()
	frappe.init(site=options.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		if options.cleanup:
			cleanup(options.run_file)
		else:
			prepare(options.run_file, options.customers, options.agents)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
