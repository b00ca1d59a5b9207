"""The test site served over real HTTP, for tests that act as a browser with a session cookie would.

The server is a separate process (scripts/lib/web.py, the demo's web process) on a free loopback port, so
it sees only what the test has committed, as a real request would.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import frappe
import requests

from support_center.tests.mail_servers import free_port

WEB_SERVER = Path(__file__).resolve().parents[2] / "scripts" / "lib" / "web.py"


class LiveSite:
	def __init__(self):
		self.port = free_port()
		self.url = f"http://127.0.0.1:{self.port}"
		sites_path = os.path.abspath(frappe.local.sites_path)
		self.log = open(os.path.join(frappe.get_site_path(), "logs", "live-site-test.log"), "ab")
		self.process = subprocess.Popen(
			[sys.executable, str(WEB_SERVER), frappe.local.site, str(self.port)],
			cwd=sites_path,
			stdout=self.log,
			stderr=subprocess.STDOUT,
		)
		deadline = time.monotonic() + 60
		while time.monotonic() < deadline:
			if self.process.poll() is not None:
				raise RuntimeError(
					f"the web server exited with {self.process.returncode}; see {self.log.name}"
				)
			try:
				if requests.get(f"{self.url}/api/method/ping", timeout=2).ok:
					return
			except requests.ConnectionError:
				pass
			time.sleep(0.3)
		self.stop()
		raise RuntimeError(f"the web server did not answer on {self.url} within 60 s")

	def stop(self) -> None:
		self.process.terminate()
		try:
			self.process.wait(timeout=10)
		except subprocess.TimeoutExpired:
			self.process.kill()
		self.log.close()

	def session(self, user: str | None = None, password: str | None = None) -> requests.Session:
		"""A browser session: a guest's, or logged in as ``user``."""
		session = requests.Session()
		if user:
			response = session.post(
				f"{self.url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30
			)
			if not response.ok:
				raise AssertionError(f"login as {user} failed: {response.status_code} {response.text[:200]}")
			# The page a logged-in user gets carries the CSRF token POST requests need, as a browser's do.
			page = session.get(f"{self.url}/me", timeout=30).text
			token = re.search(r'csrf_token\s*=\s*"([^"]+)"', page)
			if not token or token.group(1) == "None":
				# Frappe's website pages print "None" until some page asks for the session's token (then
				# every POST must carry it); the portal's request form does, as a customer's browser sees.
				page = session.get(f"{self.url}/support/new", timeout=30).text
				token = re.search(r'csrf_token\s*=\s*"([^"]+)"', page)
			if token and token.group(1) != "None":
				session.headers["X-Frappe-CSRF-Token"] = token.group(1)
		return session
