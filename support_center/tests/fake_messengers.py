"""A fake Telegram Bot API, WhatsApp Cloud API and VK API on 127.0.0.1, for the connector tests.

It records every request and answers as the real APIs do, failures included: a queued failure for an
endpoint answers its next call with rate limiting (429 and retry_after), a customer who blocked the bot
(403 or the API's own code), a file too large, or a timeout (it waits longer than the client does).

	fake = FakeMessengers()              # starts serving
	channel.api_base_url = fake.telegram_base
	fake.fail_next("sendMessage", "429")
	...
	fake.calls("sendMessage")            # the recorded requests to that endpoint
	fake.stop()
"""

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TELEGRAM_TOKEN = "123456:TEST-telegram-token"
WHATSAPP_TOKEN = "EAAG-test-whatsapp-token"
VK_TOKEN = "vk1.a.test-token"
FAILURES = ("429", "403", "too_large", "timeout")


@dataclass
class Recorded:
	method: str
	path: str
	headers: dict
	body: bytes
	json: dict | None = None
	form: dict = field(default_factory=dict)
	files: dict = field(default_factory=dict)

	@property
	def endpoint(self) -> str:
		return self.path.rstrip("/").rsplit("/", 1)[-1]


def parse_body(content_type: str, body: bytes) -> tuple[dict | None, dict, dict]:
	"""(json, form fields, files {field: (filename, bytes)}) of a request body."""
	if "application/json" in content_type:
		return json.loads(body or b"{}"), {}, {}
	if "application/x-www-form-urlencoded" in content_type:
		return None, {k: v[0] for k, v in parse_qs(body.decode()).items()}, {}
	if "multipart/form-data" in content_type:
		message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
		form, files = {}, {}
		for part in message.iter_parts():
			name = part.get_param("name", header="content-disposition")
			filename = part.get_filename()
			payload = part.get_payload(decode=True) or b""
			if filename:
				files[name] = (filename, payload)
			else:
				form[name] = payload.decode()
		return None, form, files
	return None, {}, {}


class FakeMessengers:
	def __init__(self, timeout_sleep: float = 2.0):
		self.requests: list[Recorded] = []
		self.failures: dict[str, list[str]] = {}
		self.timeout_sleep = timeout_sleep
		# Telegram file_id / WhatsApp media id / VK path -> content; ids in big_files are "too large".
		self.files: dict[str, bytes] = {}
		self.big_files: set[str] = set()
		self.vk_random_ids: dict[int, int] = {}
		self.ids = itertools.count(1001)
		self.lock = threading.Lock()
		fake = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def do_GET(self):
				fake.handle(self, "GET")

			def do_POST(self):
				fake.handle(self, "POST")

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.server.daemon_threads = True
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
		self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
		self.thread.start()

	telegram_base = property(lambda self: f"{self.url}/telegram")
	whatsapp_base = property(lambda self: f"{self.url}/whatsapp")
	vk_base = property(lambda self: f"{self.url}/vk")

	def stop(self) -> None:
		self.server.shutdown()
		self.server.server_close()

	# -- test controls ---------------------------------------------------------------------------------

	def fail_next(self, endpoint: str, kind: str, times: int = 1) -> None:
		assert kind in FAILURES, kind
		with self.lock:
			self.failures.setdefault(endpoint, []).extend([kind] * times)

	def calls(self, endpoint: str) -> list[Recorded]:
		return [r for r in self.requests if r.endpoint == endpoint]

	def delivered(self, endpoint: str) -> list[Recorded]:
		"""Calls of the endpoint the fake answered with success."""
		return [r for r in self.calls(endpoint) if getattr(r, "succeeded", False)]

	def add_file(self, file_id: str, content: bytes, too_large: bool = False) -> None:
		self.files[file_id] = content
		if too_large:
			self.big_files.add(file_id)

	# -- serving ----------------------------------------------------------------------------------------

	def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
		length = int(handler.headers.get("Content-Length") or 0)
		body = handler.rfile.read(length) if length else b""
		parsed = urlparse(handler.path)
		as_json, form, files = parse_body(handler.headers.get("Content-Type") or "", body)
		form |= {k: v[0] for k, v in parse_qs(parsed.query).items()}
		record = Recorded(method, parsed.path, dict(handler.headers), body, as_json, form, files)
		with self.lock:
			self.requests.append(record)
			queue = self.failures.get(record.endpoint) or []
			failure = queue.pop(0) if queue else None
		api = parsed.path.split("/")[1]
		if failure == "timeout":
			time.sleep(self.timeout_sleep)
		status, payload, headers = getattr(self, api)(record, failure)
		record.succeeded = (
			status == 200 and not (isinstance(payload, dict) and "error" in payload) and failure is None
		)
		data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
		try:
			handler.send_response(status)
			for key, value in (headers or {}).items():
				handler.send_header(key, value)
			handler.send_header(
				"Content-Type",
				"application/octet-stream" if isinstance(payload, bytes) else "application/json",
			)
			handler.send_header("Content-Length", str(len(data)))
			handler.end_headers()
			handler.wfile.write(data)
		except (BrokenPipeError, ConnectionResetError):
			pass

	# Telegram Bot API: /telegram/bot<token>/<method>, files at /telegram/file/bot<token>/<path>.
	def telegram(self, record: Recorded, failure: str | None):
		parts = record.path.split("/")
		if parts[2] == "file":
			token, file_id = parts[3][3:], parts[-1]
			if token != TELEGRAM_TOKEN or file_id not in self.files:
				return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, None
			return 200, self.files[file_id], None
		token, endpoint = parts[2][3:], parts[3]
		if token != TELEGRAM_TOKEN:
			return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, None
		if failure == "429":
			return (
				429,
				{
					"ok": False,
					"error_code": 429,
					"description": "Too Many Requests: retry after 3",
					"parameters": {"retry_after": 3},
				},
				{"Retry-After": "3"},
			)
		if failure == "403":
			return (
				403,
				{"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
				None,
			)
		if failure == "too_large":
			return 413, {"ok": False, "error_code": 413, "description": "Request Entity Too Large"}, None
		values = record.json or record.form
		if endpoint == "getFile":
			file_id = values.get("file_id")
			if file_id in self.big_files:
				return (
					400,
					{"ok": False, "error_code": 400, "description": "Bad Request: file is too big"},
					None,
				)
			if file_id not in self.files:
				return (
					400,
					{"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
					None,
				)
			return (
				200,
				{
					"ok": True,
					"result": {
						"file_id": file_id,
						"file_size": len(self.files[file_id]),
						"file_path": f"documents/{file_id}",
					},
				},
				None,
			)
		if endpoint in ("sendMessage", "sendPhoto", "sendDocument"):
			return (
				200,
				{
					"ok": True,
					"result": {
						"message_id": next(self.ids),
						"chat": {"id": int(values.get("chat_id") or 0)},
						"date": int(time.time()),
					},
				},
				None,
			)
		if endpoint == "setWebhook":
			return 200, {"ok": True, "result": True, "description": "Webhook was set"}, None
		return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, None

	# WhatsApp Cloud API: /whatsapp/<phone id>/messages|media, /whatsapp/<media id>, downloads.
	def whatsapp(self, record: Recorded, failure: str | None):
		if record.headers.get("Authorization") != f"Bearer {WHATSAPP_TOKEN}":
			return (
				401,
				{"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
				None,
			)
		if failure == "429":
			return (
				429,
				{"error": {"message": "(#130429) Rate limit hit", "code": 130429}},
				{"Retry-After": "3"},
			)
		if failure == "403":
			return (
				400,
				{"error": {"message": "(#131031) Recipient has blocked the business", "code": 131031}},
				None,
			)
		if failure == "too_large":
			return (
				400,
				{"error": {"message": "(#131053) Media upload error: file too large", "code": 131053}},
				None,
			)
		parts = record.path.split("/")
		if parts[2] == "download":
			media_id = parts[3]
			return (
				(200, self.files[media_id], None)
				if media_id in self.files
				else (404, {"error": {"code": 100}}, None)
			)
		if record.endpoint == "messages":
			return (
				200,
				{
					"messaging_product": "whatsapp",
					"contacts": [
						{"input": (record.json or {}).get("to"), "wa_id": (record.json or {}).get("to")}
					],
					"messages": [{"id": f"wamid.TEST{next(self.ids)}"}],
				},
				None,
			)
		if record.endpoint == "media" and record.method == "POST":
			return 200, {"id": f"upload{next(self.ids)}"}, None
		media_id = parts[2]
		if media_id in self.files:
			return (
				200,
				{
					"url": f"{self.whatsapp_base}/download/{media_id}",
					"mime_type": "image/jpeg",
					"file_size": len(self.files[media_id]),
					"id": media_id,
					"messaging_product": "whatsapp",
				},
				None,
			)
		return 404, {"error": {"message": "Unsupported get request.", "code": 100}}, None

	# VK API: /vk/<method> (always HTTP 200; errors in the body), uploads and downloads.
	def vk(self, record: Recorded, failure: str | None):
		endpoint = record.endpoint
		parts = record.path.split("/")
		if parts[2] == "download":
			key = parts[3]
			return (200, self.files[key], None) if key in self.files else (404, b"not found", None)
		if endpoint == "upload":
			if failure == "too_large":
				return 200, {"error": "file too large"}, None
			return 200, {"file": f"uploaded|{next(self.ids)}"}, None
		if record.form.get("access_token") != VK_TOKEN:
			return (
				200,
				{"error": {"error_code": 5, "error_msg": "User authorization failed: invalid access_token"}},
				None,
			)
		if failure == "429":
			return 200, {"error": {"error_code": 6, "error_msg": "Too many requests per second"}}, None
		if failure == "403":
			return (
				200,
				{
					"error": {
						"error_code": 901,
						"error_msg": "Can't send messages for users without permission",
					}
				},
				None,
			)
		if failure == "too_large":
			return (
				200,
				{
					"error": {
						"error_code": 100,
						"error_msg": "One of the parameters specified was missing or invalid: file too large",
					}
				},
				None,
			)
		if endpoint == "messages.send":
			random_id = int(record.form.get("random_id") or 0)
			if random_id in self.vk_random_ids:
				# VK drops a send whose random_id it has seen, answering with the first message's id.
				record.repeat = True
				return 200, {"response": self.vk_random_ids[random_id]}, None
			self.vk_random_ids[random_id] = next(self.ids)
			return 200, {"response": self.vk_random_ids[random_id]}, None
		if endpoint == "users.get":
			return (
				200,
				{
					"response": [
						{
							"id": int(record.form.get("user_ids") or 0),
							"first_name": "Ivan",
							"last_name": "Petrov",
						}
					]
				},
				None,
			)
		if endpoint == "docs.getMessagesUploadServer":
			return 200, {"response": {"upload_url": f"{self.vk_base}/upload"}}, None
		if endpoint == "docs.save":
			return (
				200,
				{
					"response": {
						"type": "doc",
						"doc": {"id": next(self.ids), "owner_id": 42, "title": record.form.get("title")},
					}
				},
				None,
			)
		return 200, {"error": {"error_code": 3, "error_msg": "Unknown method passed"}}, None
