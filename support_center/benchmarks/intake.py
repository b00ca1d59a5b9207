"""The cost of taking one message in, against a bare ToDo insert, with routing rules on.

One customer message (a trusted integration's, from a known contact: the common case of a returning
customer) is posted to the webhook endpoint, ``support_center.api.intake.receive_message``: the request
stores it as a Queued Intake Message and queues its delivery; the job (``intake.core.deliver_queued``)
routes it by the routing rules (25 of them, the last one matching), assigns it by its team's rule, gives it
its SLA deadlines and acknowledges it. Figures against a bare ``ToDo`` insert measured in the same run:

- ``intake_request_seconds``: the request's own work (goal: at most 3 times the ToDo insert), the queueing
  of its job included (an RQ enqueue's Redis writes: the job's hash and its place in the queue);
- ``intake_total_seconds``: the same plus every background job the request led to, run right after it as a
  worker would: the delivery, then what the delivery queued (Frappe's assignment notification, the app's
  alerts; goal: at most 6 times);
- ``intake_wait_seconds``: the endpoint with ``wait=1``, delivering in the request (no goal);
- ``intake_request_queries`` and ``intake_total_queries``: the SQL statements of each.

Sending the queued mail (the acknowledgement) is the mail queue's job for every app alike and is not counted.
Commits are left out of every figure, as the ToDo insert has none: each step runs in a transaction that is
rolled back. The rules, team and contact made for the run are removed afterwards.
"""

import frappe

from support_center.api.intake import receive_message
from support_center.benchmarks import Figure, Scale, measure, reference_issue, register
from support_center.routing import rules_apply

RULES = 25
PREFIX = "Benchmark Intake"
QUEUE_KEY = "support_center_benchmark_intake_queue"


def intake_figures(repeats: int = 5) -> list[frappe._dict]:
	made = _setup()
	issue_made = None
	try:
		issue_made = reference_issue.setup(
			f"{PREFIX} {made.suffix}", made.agent, made.contact, made.customer, made.email
		)
		frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the measured steps roll back to this state
		rules_apply.forget_rules()
		counter = iter(range(10**9))

		def todo_insert():
			frappe.get_doc({"doctype": "ToDo", "description": "benchmark"}).insert(ignore_permissions=True)

		def intake_request():
			_with_jobs(lambda: _post(made, next(counter), wait=False), run_jobs=False)

		def intake_total():
			_with_jobs(lambda: _post(made, next(counter), wait=False), run_jobs=True)

		def intake_wait():
			_with_jobs(lambda: _post(made, next(counter), wait=True), run_jobs=True)

		def frappe_mail():
			# What Frappe does for any mail it queues (the acknowledgement and the assignee's notice are two).
			_with_jobs(
				lambda: frappe.sendmail(
					recipients=[made.email], subject="Delivery note missing", message="We have your message."
				),
				run_jobs=True,
			)

		def issue_request():
			_with_jobs(lambda: reference_issue.insert_issue(issue_made, next(counter)), run_jobs=False)

		def issue_total():
			_with_jobs(lambda: reference_issue.insert_issue(issue_made, next(counter)), run_jobs=True)

		# Warm caches (doctype metas, the rules in Redis) as a running site has them.
		measure(intake_total, 1)
		measure(issue_total, 1)
		# Every ratio divides by this 2 ms step: more runs steady its median.
		todo_seconds, todo_queries = measure(todo_insert, max(repeats * 5, 25))
		request_seconds, request_queries = measure(intake_request, repeats)
		total_seconds, total_queries = measure(intake_total, repeats)
		wait_seconds, wait_queries = measure(intake_wait, repeats)
		mail_seconds, mail_queries = measure(frappe_mail, repeats)
		issue_request_seconds, issue_request_queries = measure(issue_request, repeats)
		issue_total_seconds, issue_total_queries = measure(issue_total, repeats)
	finally:
		frappe.db.rollback()
		if issue_made:
			reference_issue.teardown(issue_made)
		_teardown(made)
		frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the benchmark's records must not outlive the command
		rules_apply.forget_rules()
	return [
		Figure("intake_routing_rules", RULES),
		Figure("intake_request_seconds", request_seconds, todo_seconds, max_ratio=3),
		Figure("intake_total_seconds", total_seconds, todo_seconds, max_ratio=6),
		Figure("intake_wait_seconds", wait_seconds, todo_seconds, "delivered in the request (wait=1)"),
		Figure("intake_request_queries", request_queries, todo_queries, "the request's SQL statements"),
		Figure("intake_total_queries", total_queries, todo_queries, "with the background jobs"),
		Figure("intake_wait_queries", wait_queries, todo_queries, "delivered in the request (wait=1)"),
		Figure("frappe_sendmail_seconds", mail_seconds, todo_seconds, "one mail queued by Frappe"),
		Figure("frappe_sendmail_queries", mail_queries, todo_queries, "one mail queued by Frappe"),
		Figure("erpnext_issue_request_seconds", issue_request_seconds, todo_seconds, "Issue insert"),
		Figure("erpnext_issue_total_seconds", issue_total_seconds, todo_seconds, "with its jobs"),
		Figure("erpnext_issue_request_queries", issue_request_queries, todo_queries, "Issue insert"),
		Figure("erpnext_issue_total_queries", issue_total_queries, todo_queries, "with its jobs"),
		Figure(
			"intake_total_vs_erpnext_issue_total",
			total_seconds,
			issue_total_seconds,
			"reference: ERPNext's Issue total",
		),
	]


def _with_jobs(step, run_jobs: bool) -> None:
	"""Run `step` with the background jobs it queues collected, not queued: the request's figure counts what
	queueing writes to Redis (a job's hash and its place in the queue); with `run_jobs` they run after it
	as a worker would, and the jobs they queue in turn. No commit takes effect."""
	jobs = []
	original_enqueue, original_commit = frappe.enqueue, frappe.db.commit

	def collect(method, *args, **kwargs):
		pipeline = frappe.cache.pipeline()
		pipeline.hset(QUEUE_KEY + ":job", str(len(jobs)), frappe.safe_encode(repr((method, kwargs))))
		pipeline.rpush(QUEUE_KEY, str(len(jobs)))
		pipeline.execute()
		jobs.append((method, kwargs))

	frappe.enqueue = collect
	frappe.db.commit = lambda *args, **kwargs: None
	try:
		step()
		while run_jobs and jobs:
			method, kwargs = jobs.pop(0)
			for key in (
				"queue",
				"job_id",
				"deduplicate",
				"enqueue_after_commit",
				"now",
				"timeout",
				"at_front",
			):
				kwargs.pop(key, None)
			(frappe.get_attr(method) if isinstance(method, str) else method)(**kwargs)
	finally:
		frappe.enqueue, frappe.db.commit = original_enqueue, original_commit
		frappe.cache.delete(QUEUE_KEY, QUEUE_KEY + ":job")


@register("intake")
def intake_area(scale: Scale) -> list[Figure]:
	return intake_figures(scale.repeats)


def _post(made: frappe._dict, index: int, wait: bool) -> None:
	# The endpoint's function as the request handler calls it, with the form's values (the rate limiter
	# counts only real HTTP requests; its Redis counter is not in the figure).
	answer = receive_message(
		channel="API",
		text="The delivery note for order 4711 is missing. Could you send it again?\n\nThanks",
		subject="Delivery note missing",
		sender_name="Benchmark Customer",
		sender_email=made.email,
		message_id=f"{PREFIX}-{frappe.generate_hash(length=12)}-{index}",
		conversation_id=f"{PREFIX}-{index}-{frappe.generate_hash(length=8)}",
		wait=wait,
	)
	assert answer["intake_message"] and (answer["status"] == "Queued" or answer["created"]), answer


def _setup() -> frappe._dict:
	suffix = frappe.generate_hash(length=6)
	agent_email = f"benchmark-agent-{suffix}@benchmark.invalid"
	agent = frappe.get_doc(
		{"doctype": "User", "email": agent_email, "first_name": "Benchmark", "send_welcome_email": 0}
	).insert(ignore_permissions=True)
	agent.add_roles("Support Team")
	team = frappe.get_doc(
		{
			"doctype": "User Group",
			"name": f"{PREFIX} Team {suffix}",
			"user_group_members": [{"user": agent.name}],
		}
	).insert(ignore_permissions=True)
	category = frappe.get_doc(
		{
			"doctype": "Support Category",
			"title": f"{PREFIX} {suffix}",
			"parent_support_category": "All Topics",
			"team": team.name,
		}
	).insert(ignore_permissions=True)
	rules = []
	for index in range(RULES - 1):
		rules.append(
			frappe.get_doc(
				{
					"doctype": "Routing Rule",
					"rule_name": f"{PREFIX} {suffix} {index:02d}",
					"sequence": -1000 + index,
					"patterns": f"no-such-word-{index}\n/never{index}\\d+/",
					"category": category.name,
				}
			).insert(ignore_permissions=True)
		)
	rules.append(
		frappe.get_doc(
			{
				"doctype": "Routing Rule",
				"rule_name": f"{PREFIX} {suffix} delivery",
				"sequence": -1000 + RULES,
				"patterns": "delivery note",
				"category": category.name,
				"priority": "High",
			}
		).insert(ignore_permissions=True)
	)
	email = f"benchmark-customer-{suffix}@benchmark.invalid"
	customer = frappe.get_doc(
		{"doctype": "Customer", "customer_name": f"{PREFIX} Customer {suffix}", "customer_type": "Company"}
	).insert(ignore_permissions=True)
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "Benchmark",
			"email_ids": [{"email_id": email, "is_primary": 1}],
			"links": [{"link_doctype": "Customer", "link_name": customer.name}],
		}
	).insert(ignore_permissions=True)
	# The acknowledgement is queued as mail, as on a site that sends mail (never sent: every step rolls back).
	outgoing = None
	if not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		outgoing = (
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": f"{PREFIX} Outgoing {suffix}",
					"email_id": f"desk-{suffix}@benchmark.invalid",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"smtp_server": "smtp.benchmark.invalid",
					"no_smtp_authentication": 1,
					"awaiting_password": 0,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	return frappe._dict(
		suffix=suffix,
		agent=agent.name,
		team=team.name,
		category=category.name,
		rules=[rule.name for rule in rules],
		customer=customer.name,
		contact=contact.name,
		email=email,
		outgoing=outgoing,
	)


def _teardown(made: frappe._dict) -> None:
	# Nothing the steps made should be left (each is rolled back); a commit inside a job would keep some.
	for ticket in frappe.get_all(
		"Ticket", filters={"external_conversation": ("like", f"{PREFIX}%")}, pluck="name"
	):
		frappe.delete_doc("Ticket", ticket, ignore_permissions=True, force=True)
	for rule in made.rules:
		frappe.delete_doc("Routing Rule", rule, ignore_permissions=True, force=True)
	frappe.delete_doc("Contact", made.contact, ignore_permissions=True, force=True)
	frappe.delete_doc("Customer", made.customer, ignore_permissions=True, force=True)
	frappe.delete_doc("Support Category", made.category, ignore_permissions=True, force=True)
	frappe.delete_doc("User Group", made.team, ignore_permissions=True, force=True)
	frappe.delete_doc("User", made.agent, ignore_permissions=True, force=True)
	if made.outgoing:
		frappe.delete_doc("Email Account", made.outgoing, ignore_permissions=True, force=True)
