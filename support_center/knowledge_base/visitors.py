"""Who a visitor is, for one-vote-per-visitor, view de-duplication and deflection sessions.

Logged-in users are their user; guests get a random cookie (no personal data). Only hashes are stored.
"""

import hashlib
import re

import frappe

VISITOR_COOKIE = "sc_kb_visitor"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# Crawlers, link previews and scripts: their requests are never counted as views.
_BOTS = re.compile(
	r"bot|crawl|spider|slurp|scrape|preview|facebookexternalhit|curl|wget|python|java/|go-http|"
	r"httpclient|headless|phantom|lighthouse|monitor|feed|fetch",
	re.IGNORECASE,
)


def _digest(value: str) -> str:
	secret = frappe.local.conf.get("secret") or frappe.local.site or ""
	return hashlib.sha256(f"{secret}:{value}".encode()).hexdigest()[:32]


def visitor_token(create: bool = True) -> str | None:
	"""The guest's cookie token, set on the response when it is new."""
	request = getattr(frappe.local, "request", None)
	token = request.cookies.get(VISITOR_COOKIE) if request else None
	if token and _TOKEN.match(token):
		return token
	if not create:
		return None
	token = frappe.generate_hash(length=32).lower()
	if not _TOKEN.match(token):
		token = hashlib.md5(token.encode()).hexdigest()
	cookie_manager = getattr(frappe.local, "cookie_manager", None)
	if cookie_manager:
		cookie_manager.set_cookie(VISITOR_COOKIE, token, max_age=365 * 24 * 3600, httponly=True)
	return token


def visitor_hash() -> str:
	"""One stable hash per visitor: the user when logged in, else the guest's cookie."""
	user = frappe.session.user
	if user and user != "Guest":
		return _digest(f"user:{user}")
	return _digest(f"guest:{visitor_token()}")


def address_hash() -> str:
	"""The request's address and browser, hashed: de-duplicates guests that drop cookies."""
	request = getattr(frappe.local, "request", None)
	agent = request.headers.get("User-Agent", "") if request else ""
	return _digest(f"address:{frappe.local.request_ip or ''}:{agent}")


def is_bot() -> bool:
	request = getattr(frappe.local, "request", None)
	if not request:
		return True
	agent = request.headers.get("User-Agent", "")
	return not agent or bool(_BOTS.search(agent))
