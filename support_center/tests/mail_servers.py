"""Real mail servers on loopback for the end-to-end email tests: a throwaway Dovecot (IMAP) and an SMTP
listener (aiosmtpd) that keeps what it receives.

Nothing is skipped: without Dovecot or aiosmtpd these helpers raise, and the tests fail, with how to
install what is missing (scripts/run-tests installs both when it runs as root).
"""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from email import message_from_bytes
from email.message import Message

DOVECOT_HINT = (
	"Dovecot is needed for the end-to-end email test and was not found. Install it with "
	"`apt-get install -y dovecot-imapd` (Debian/Ubuntu, as root; then `systemctl disable --now dovecot`), "
	"or run scripts/run-tests as root, which installs it."
)
AIOSMTPD_HINT = (
	"aiosmtpd is needed for the end-to-end email test: "
	"`/home/frappe/frappe-bench/env/bin/pip install aiosmtpd` (the bench's virtualenv)."
)


def free_port() -> int:
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 15) -> None:
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		if process is not None and process.poll() is not None:
			raise RuntimeError(f"the server exited with {process.returncode} before listening on {port}")
		try:
			with socket.create_connection(("127.0.0.1", port), timeout=0.5):
				return
		except OSError:
			time.sleep(0.1)
	raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class Dovecot:
	"""A Dovecot instance of its own: config, passwd-file, maildirs and logs in a temp dir."""

	def __init__(self, user: str, password: str):
		self.user, self.password = user, password
		self.dir = None
		self.port = None
		self.process = None

	def start(self) -> "Dovecot":
		binary = shutil.which("dovecot") or (
			"/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
		)
		if not binary:
			raise RuntimeError(DOVECOT_HINT)
		self.dir = tempfile.mkdtemp(prefix="sc-dovecot-")
		os.chmod(self.dir, 0o755)
		self.port = free_port()
		if os.geteuid() == 0:
			# Dovecot will not give mail to root: the mailbox belongs to nobody.
			mail_user = pwd.getpwnam("nobody")
			internal, login = "dovecot", "dovenull"
		else:
			mail_user = pwd.getpwuid(os.geteuid())
			internal = login = mail_user.pw_name
		mail_root = os.path.join(self.dir, "mail")
		os.makedirs(mail_root)
		os.chown(mail_root, mail_user.pw_uid, mail_user.pw_gid)
		with open(os.path.join(self.dir, "passwd"), "w") as passwd:
			passwd.write(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
		config = os.path.join(self.dir, "dovecot.conf")
		with open(config, "w") as conf:
			conf.write(
				f"""
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{mail_root}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={mail_root}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
			)
		self.process = subprocess.Popen(
			[binary, "-F", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
		)
		try:
			wait_for_port(self.port, self.process)
		except RuntimeError as error:
			raise RuntimeError(f"Dovecot did not start: {error}\n{self.log()}") from None
		return self

	def log(self) -> str:
		path = os.path.join(self.dir or "", "dovecot.log")
		stderr = ""
		if self.process and self.process.poll() is not None and self.process.stderr:
			stderr = self.process.stderr.read().decode(errors="replace")
		return (open(path).read() if os.path.exists(path) else "") + stderr

	def client(self) -> imaplib.IMAP4:
		imap = imaplib.IMAP4("127.0.0.1", self.port)
		imap.login(self.user, self.password)
		return imap

	def append(self, raw: bytes, folder: str = "INBOX") -> None:
		"""Deliver a raw RFC 822 message into the mailbox, unseen, as a mail client or MTA would."""
		imap = self.client()
		try:
			status, detail = imap.append(
				folder, None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
			)
			if status != "OK":
				raise RuntimeError(f"IMAP APPEND failed: {detail}")
		finally:
			imap.logout()

	def create_folder(self, folder: str) -> None:
		imap = self.client()
		try:
			status, detail = imap.create(folder)
			if status != "OK":
				raise RuntimeError(f"IMAP CREATE failed: {detail}")
		finally:
			imap.logout()

	def unseen_count(self, folder: str = "INBOX") -> int:
		imap = self.client()
		try:
			imap.select(folder, readonly=True)
			_status, data = imap.search(None, "UNSEEN")
			return len(data[0].split()) if data and data[0] else 0
		finally:
			imap.logout()

	def stop(self) -> None:
		if self.process and self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(10)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait(5)
		if self.dir:
			shutil.rmtree(self.dir, ignore_errors=True)


class SMTPSink:
	"""An SMTP server on loopback that keeps every message it receives (aiosmtpd, in its own thread)."""

	def __init__(self):
		self.messages: list[Message] = []
		self.envelopes = []
		self.logins = []
		self.port = None
		self.controller = None

	def start(self) -> "SMTPSink":
		try:
			from aiosmtpd.controller import Controller
			from aiosmtpd.smtp import AuthResult
		except ImportError:
			raise RuntimeError(AIOSMTPD_HINT) from None

		sink = self

		class Handler:
			async def handle_DATA(self, server, session, envelope):
				sink.envelopes.append(envelope)
				sink.messages.append(message_from_bytes(envelope.original_content or envelope.content))
				return "250 OK"

		def authenticator(server, session, envelope, mechanism, auth_data):
			# Frappe logs in whenever the account has a password: take any login on loopback.
			sink.logins.append(mechanism)
			return AuthResult(success=True)

		self.port = free_port()
		self.controller = Controller(
			Handler(),
			hostname="127.0.0.1",
			port=self.port,
			authenticator=authenticator,
			auth_require_tls=False,
		)
		self.controller.start()
		return self

	def to(self, address: str) -> list[Message]:
		return [m for m in self.messages if address.lower() in (m.get("To") or "").lower()]

	def stop(self) -> None:
		if self.controller:
			self.controller.stop()
