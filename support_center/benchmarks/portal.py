"""The customer portal's figures: the server time of /support/tickets (first page and a later page) for a
customer with 1,000 of `Scale.tickets` tickets, against Frappe's own /me page for the same user, and the
queries each page sends. Both pages are rendered in-process as Frappe's website serves them
(`frappe.website.serve.get_response`), so the figure is the server's work without the network.

The customer (a User, Contact and Customer) is made through the ORM; the tickets in one INSERT ... SELECT
(1,000 of them the customer's, the rest spread over `Scale.customers` other customers), committed so the
page sees them as a request would, and deleted afterwards.
"""

import time

import frappe
from frappe.utils import add_to_date, now_datetime, set_request
from frappe.website.serve import get_response

from support_center.benchmarks import NAME_BASE, Figure, Scale, percentile, register

CUSTOMER_TICKETS = 1_000
MARK = "portal-benchmark"


@register("portal")
def portal_area(scale: Scale) -> list[Figure]:
	return portal_figures(scale.tickets, scale.customers, max(20, scale.repeats * 4))


def portal_figures(tickets: int = 100_000, customers: int = 2_000, samples: int = 20) -> list[Figure]:
	party = _make_customer()
	try:
		mine = min(CUSTOMER_TICKETS, tickets)
		_make_tickets(tickets, mine, max(1, customers), party)
		frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the page reads committed rows, as a request would
		# Page 26 at 1,000 tickets (20 a page): keyset paging makes it cost what page 1 costs.
		cursor = _cursor_after(party, max(1, min(500, mine // 2)))
		first, later, search, me = _serve(
			party.user,
			samples,
			("support/tickets", {}),
			("support/tickets", {"after": cursor}),
			("support/tickets", {"q": "Benchmark 7", "status": "open"}),
			("me", {}),
		)
	finally:
		_remove(party)
	return [
		Figure("portal_tickets_total", tickets),
		Figure("portal_customer_tickets", mine),
		Figure("portal_tickets_p50_seconds", first.p50, me.p50, max_ratio=2),
		Figure("portal_tickets_p95_seconds", first.p95, me.p95, max_ratio=2),
		Figure("portal_tickets_later_page_p50_seconds", later.p50, me.p50, max_ratio=2),
		Figure("portal_tickets_search_p50_seconds", search.p50, me.p50, max_ratio=2),
		Figure("portal_tickets_queries", first.queries, me.queries, "no per-ticket queries"),
	]


class Timing(frappe._dict):
	pass


def _serve(user: str, samples: int, *pages: tuple[str, dict]) -> list[Timing]:
	"""Render each page `samples` times as `user`, taking turns (so a busy machine slows them alike),
	after two warm-up rounds: p50, p95 and the queries of one render, per page."""
	original_sql = frappe.db.sql
	timings: list[list[float]] = [[] for _ in pages]
	queries = [0 for _ in pages]
	try:
		for run in range(samples + 2):
			for index, (path, params) in enumerate(pages):
				count = [0]

				def counting_sql(*args, **kwargs):
					count[0] += 1
					return original_sql(*args, **kwargs)

				frappe.set_user(user)
				query = "&".join(f"{key}={value}" for key, value in params.items())
				set_request(method="GET", path=f"/{path}", query_string=query)
				frappe.local.form_dict = frappe._dict(params)
				frappe.db.sql = counting_sql
				started = time.perf_counter()
				response = get_response(path)
				elapsed = time.perf_counter() - started
				frappe.db.sql = original_sql
				assert response.status_code == 200, (path, response.status_code)
				if run >= 2:
					timings[index].append(elapsed)
					queries[index] = count[0]
	finally:
		frappe.db.sql = original_sql
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
	return [
		Timing(p50=percentile(values, 0.5), p95=percentile(values, 0.95), queries=count)
		for values, count in zip(timings, queries, strict=True)
	]


def _make_customer() -> frappe._dict:
	_remove_party()
	email = f"{MARK}@example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Portal Benchmark",
			"user_type": "Website User",
			"send_welcome_email": 0,
			"roles": [{"role": "Customer"}],
		}
	).insert(ignore_permissions=True)
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": "Portal Benchmark Customer",
			"customer_type": "Company",
			"portal_users": [{"user": user.name}],
		}
	).insert(ignore_permissions=True)
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "Portal Benchmark",
			"user": user.name,
			"email_ids": [{"email_id": email, "is_primary": 1}],
			"links": [{"link_doctype": "Customer", "link_name": customer.name}],
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the benchmark's customer must exist for the pages it renders
	return frappe._dict(user=user.name, customer=customer.name, contact=contact.name)


def _make_tickets(total: int, mine: int, customers: int, party) -> None:
	"""`mine` tickets of the benchmark customer (every 1 in total/mine), the rest of other customers."""
	frappe.db.delete("Ticket", {"name": (">", NAME_BASE)})
	every = max(1, total // mine)
	now = now_datetime()
	# A session variable for the recursive CTE below: no query-builder form.
	frappe.db.sql("set session max_recursive_iterations = %s", total + 1)  # nosemgrep: frappe-using-db-sql
	frappe.db.sql(  # nosemgrep: frappe-using-db-sql -- one INSERT ... SELECT; 100,000 ORM inserts would take many minutes
		"""insert into `tabTicket` (name, creation, modified, owner, modified_by, docstatus, idx,
			subject, status, channel, priority, customer, customer_name, contact, raised_by)
		select %(base)s + seq, %(start)s + interval seq second, %(start)s + interval seq second,
			'Administrator', 'Administrator', 0, 0,
			concat('Benchmark ticket ', seq),
			elt(1 + seq %% 5, 'Open', 'Replied', 'Waiting on Customer', 'Resolved', 'Closed'),
			'Portal', 'Medium',
			case when seq %% %(every)s = 0 and seq / %(every)s <= %(mine)s then %(customer)s
				else concat('Benchmark Customer ', seq %% %(customers)s) end,
			case when seq %% %(every)s = 0 and seq / %(every)s <= %(mine)s then 'Portal Benchmark Customer'
				else concat('Benchmark Customer ', seq %% %(customers)s) end,
			case when seq %% %(every)s = 0 and seq / %(every)s <= %(mine)s then %(contact)s else null end,
			case when seq %% %(every)s = 0 and seq / %(every)s <= %(mine)s then %(email)s
				else concat('bench', seq %% %(customers)s, '@example.com') end
		from (
			with recursive numbers(seq) as (select 1 union all select seq + 1 from numbers where seq < %(total)s)
			select seq from numbers
		) as numbers""",
		{
			"base": NAME_BASE,
			"start": add_to_date(now, days=-30),
			"every": every,
			"mine": mine,
			"customers": customers,
			"customer": party.customer,
			"contact": party.contact,
			"email": f"{MARK}@example.com",
			"total": total,
		},
	)


def _cursor_after(party, position: int) -> str:
	"""The page URL's cursor after the customer's `position`-th newest ticket."""
	from support_center.portal.rules import Cursor

	row = frappe.get_all(
		"Ticket",
		filters={"customer": party.customer},
		fields=["name", "modified"],
		order_by="modified desc, name desc",
		limit_start=position - 1,
		limit_page_length=1,
	)[0]
	return Cursor(row.modified, int(row.name)).encode()


def _remove(party) -> None:
	frappe.db.rollback()
	frappe.db.delete("Ticket", {"name": (">", NAME_BASE)})
	_remove_party()
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the benchmark's rows must not outlive the command


def _remove_party() -> None:
	email = f"{MARK}@example.com"
	for contact in frappe.get_all("Contact", filters={"user": email}, pluck="name"):
		frappe.delete_doc("Contact", contact, ignore_permissions=True, force=True)
	for customer in frappe.get_all(
		"Customer", filters={"customer_name": "Portal Benchmark Customer"}, pluck="name"
	):
		frappe.delete_doc("Customer", customer, ignore_permissions=True, force=True)
	if frappe.db.exists("User", email):
		frappe.delete_doc("User", email, ignore_permissions=True, force=True)
