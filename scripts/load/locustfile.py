"""Customers and agents on the site at once (run by scripts/load-test; plain Locust otherwise).

Customers log in, browse their ticket list and ticket pages, search the knowledge base (its page, and the
suggestions the new-request form asks for while they type), file requests through the portal form's
endpoint and reply on their tickets; agents list tickets, reply from the desk and move tickets between
statuses through the workflow; a messenger bot posts its users' messages to the webhook, which answers
once each is stored and leaves the ticket to the background worker. Every request a user makes carries a
token that the verification after the run looks for: each filed request, reply and bot message must be
stored exactly once.

Environment: LOAD_RUN_FILE (from scripts/load/prepare.py), LOAD_SENT_FILE (written at the end),
LOAD_SITE (the site's name, sent as X-Frappe-Site-Name).
"""

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

RUN = json.load(open(os.environ["LOAD_RUN_FILE"]))
SITE = os.environ["LOAD_SITE"]
CUSTOMERS = itertools.cycle(RUN["customers"])
AGENTS = itertools.cycle(RUN["agents"])
_lock = threading.Lock()
SENT = {
	"filed": {},  # token -> ticket number (None when the answer was an error)
	"customer_replies": {},  # token -> ticket
	"agent_replies": {},
	"bot_messages": {},  # token -> Intake Message (None when the answer was an error)
	"status_changes": 0,
	"conflicts": 0,  # an agent's change refused because someone changed the ticket meanwhile (retried)
}
TICKETS: list[int] = []  # tickets filed in this run, for agents to work on
_counter = itertools.count()


def token(kind: str) -> str:
	return f"{RUN['marker']}-{kind}-{next(_counter)}"


def record(kind: str, key: str, value) -> None:
	with _lock:
		SENT[kind][key] = value


@events.quitting.add_listener
def write_sent(environment, **_kwargs):
	with open(os.environ["LOAD_SENT_FILE"], "w") as out:
		json.dump(SENT, out, indent=1)


def error_text(html: str) -> str:
	"""What an error page says went wrong: the end of its traceback, or the start of its text."""
	trace = re.search(r"Traceback.*?(?=</pre>|</code>|$)", html, re.S)
	text = trace.group(0) if trace else re.sub(r"<[^>]+>", " ", html)
	return " ".join(text.split())[-700:]


TOKEN = re.compile(r'(?:csrf_token\s*=\s*"|name="csrf_token" value=")([^"]+)"')


class SiteUser(HttpUser):
	abstract = True

	def page(self, path: str, name: str) -> str:
		"""GET a page as a browser does, and take the CSRF token its forms carry (Frappe makes a session's
		token when a page first needs one: a token taken earlier may be missing)."""
		with self.client.get(
			path, name=name, headers={"Accept": "text/html"}, catch_response=True
		) as response:
			html = response.text
			if response.status_code != 200:
				# The page's own words say what went wrong (Frappe's error page carries the exception).
				response.failure(f"{response.status_code}: {error_text(html)}")
		match = TOKEN.search(html)
		if match and match.group(1) != "None":
			self.client.headers["X-Frappe-CSRF-Token"] = match.group(1)
		return html

	def login(self, user: str) -> None:
		self.client.headers["X-Frappe-Site-Name"] = SITE
		self.client.headers["Accept"] = "application/json"
		response = self.client.post(
			"/api/method/login", data={"usr": user, "pwd": RUN["password"]}, name="login"
		)
		response.raise_for_status()
		self.page("/me", "/me")


class Customer(SiteUser):
	weight = 10
	# A person reads between clicks; 50 of them offer about 5 requests a second.
	wait_time = between(5, 15)

	def on_start(self):
		self.user = next(CUSTOMERS)["user"]
		self.login(self.user)
		self.tickets: list[int] = []

	@task(4)
	def browse_list(self):
		self.page("/support/tickets", "/support/tickets")

	@task(3)
	def open_ticket(self):
		if self.tickets:
			self.page(f"/support/tickets/{random.choice(self.tickets)}", "/support/tickets/<n>")

	@task(1)
	def file_request(self):
		self.page("/support/new", "/support/new")  # the form, then its post
		mark = token("file")
		with self.client.post(
			"/api/method/support_center.api.portal.file_request",
			data={"subject": f"Load request {mark}", "description": f"Something is wrong ({mark})."},
			name="file_request",
			catch_response=True,
		) as response:
			if response.status_code == 200:
				ticket = response.json()["message"]["ticket"]
				self.tickets.append(ticket)
				with _lock:
					TICKETS.append(ticket)
				record("filed", mark, ticket)
			else:
				record("filed", mark, None)
				response.failure(f"{response.status_code}: {response.text[:300]}")

	@task(2)
	def search_knowledge_base(self):
		words = random.sample(RUN["kb_words"], random.choice((1, 2)))
		self.page(f"/kb?q={'+'.join(words)}", "/kb?q=")

	@task(1)
	def new_request_suggestions(self):
		# The form asks as the subject grows, the last word as a prefix.
		subject = f"my {random.choice(RUN['kb_words'])} {random.choice(RUN['kb_words'])}"
		for length in (len(subject) - 3, len(subject)):
			self.client.get(
				"/api/method/support_center.api.knowledge_base.suggest",
				params={"subject": subject[:length]},
				name="kb suggest",
			)

	@task(2)
	def reply(self):
		if not self.tickets:
			return
		ticket = random.choice(self.tickets)
		self.page(f"/support/tickets/{ticket}", "/support/tickets/<n>")  # the reply form is on the page
		mark = token("creply")
		with self.client.post(
			"/api/method/support_center.api.portal.reply",
			data={"ticket": ticket, "message": f"More details ({mark})."},
			name="portal reply",
			catch_response=True,
		) as response:
			if response.status_code == 200:
				record("customer_replies", mark, ticket)
			elif response.status_code == 417 and "closed" in response.text.lower():
				response.success()  # a closed request refuses replies, as it should
			else:
				record("customer_replies", mark, None)
				response.failure(f"{response.status_code}: {response.text[:300]}")


class Agent(SiteUser):
	weight = 1
	wait_time = between(2, 6)

	def on_start(self):
		self.user = next(AGENTS)["user"]
		self.login(self.user)

	def some_ticket(self) -> int | None:
		with _lock:
			return random.choice(TICKETS) if TICKETS else None

	@task(2)
	def list_tickets(self):
		self.client.get(
			"/api/resource/Ticket",
			params={
				"fields": json.dumps(["name", "subject", "status"]),
				"limit_page_length": 20,
				"order_by": "modified desc",
			},
			name="desk ticket list",
		)

	@task(3)
	def reply(self):
		ticket = self.some_ticket()
		if not ticket:
			return
		mark = token("areply")
		with self.client.post(
			"/api/method/frappe.core.doctype.communication.email.make",
			data={
				"doctype": "Ticket",
				"name": ticket,
				"content": f"<p>We are on it ({mark}).</p>",
				"subject": f"Re: ticket #{ticket}",
				"send_email": 0,
				"communication_medium": "Email",
				"sent_or_received": "Sent",
			},
			name="agent reply",
			catch_response=True,
		) as response:
			if response.status_code == 200:
				record("agent_replies", mark, ticket)
			else:
				record("agent_replies", mark, None)
				response.failure(f"{response.status_code}: {response.text[:300]}")

	@task(1)
	def change_status(self):
		ticket = self.some_ticket()
		if not ticket:
			return
		for attempt in range(3):
			doc = self.client.get(
				"/api/method/frappe.client.get",
				params={"doctype": "Ticket", "name": ticket},
				name="desk open ticket",
			).json()["message"]
			action = {
				"Open": "Wait for Customer",
				"Replied": "Wait for Customer",
				"Waiting on Customer": "Reopen",
			}.get(doc["status"])
			if not action:
				return
			with self.client.post(
				"/api/method/frappe.model.workflow.apply_workflow",
				data={"doc": json.dumps(doc), "action": action},
				name="agent status change",
				catch_response=True,
			) as response:
				if response.status_code == 200:
					with _lock:
						SENT["status_changes"] += 1
					return
				stale = (
					"TimestampMismatchError" in response.text or "WorkflowTransitionError" in response.text
				)
				if stale and attempt < 2:
					# Someone changed the ticket since it was opened (the customer wrote, another agent moved
					# it): Frappe refuses the stale change; reload and try again, as a person would.
					with _lock:
						SENT["conflicts"] += 1
					response.success()
					continue
				response.failure(f"{response.status_code}: {response.text[:300]}")
				return


class MessengerBot(HttpUser):
	"""One integration posting its users' messages (a few conversations, several messages each)."""

	fixed_count = 1
	wait_time = between(0.5, 2)

	def on_start(self):
		self.client.headers.update(
			{
				"X-Frappe-Site-Name": SITE,
				"Accept": "application/json",
				"Authorization": RUN["bot"]["authorization"],
			}
		)

	@task
	def post_message(self):
		conversation = f"{RUN['marker']}-chat-{random.randrange(10)}"
		mark = token("bot")
		with self.client.post(
			"/api/method/support_center.api.intake.receive_message",
			json={
				"channel": "Messenger",
				"conversation_id": conversation,
				"message_id": mark,
				"sender_name": f"Chat user {conversation[-1]}",
				"text": f"Hello, a question ({mark}).",
			},
			name="webhook message",
			catch_response=True,
		) as response:
			if response.status_code == 200:
				record("bot_messages", mark, response.json()["message"]["intake_message"])
			else:
				record("bot_messages", mark, None)
				response.failure(f"{response.status_code}: {response.text[:300]}")
