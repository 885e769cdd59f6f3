"""The running stack a fault test talks to: its settings, an HTTP client, what providers post.

Every process runs with production settings (DEBUG off, SSL redirect on, secrets
from the environment), the way an operator deploys leadrouter; only the hosts
and the plain-HTTP loopback differ.
"""

import base64
import http.client
import json
import select
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.helpers import make_email

SECRET_KEY = "faults-secret-key-" + "x" * 40
WEBHOOK_SECRET = "provider:faults-webhook-pw"
MAILGUN_SIGNING_KEY = "faults-mailgun-signing-key"
INTAKE_TOKEN = "faults-intake-token"
SES_TOPIC = "arn:aws:sns:us-east-1:111111111111:SES_Inbound"
ANTHROPIC_KEY = "sk-ant-faults"
MB = 1024 * 1024

POSTMARK = "/webhooks/anymail/postmark/inbound/"
SENDGRID = "/webhooks/anymail/sendgrid/inbound/"
MAILGUN = "/webhooks/anymail/mailgun/inbound_mime/"
SES = "/webhooks/anymail/amazon_ses/inbound/"
RAW = "/webhooks/raw/"


def production_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment for a web or worker process, as `.env.example` has an operator set it."""
    env = {
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "LOG_LEVEL": "WARNING",
        "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_SIGNING_KEY,
        "INTAKE_TOKEN": INTAKE_TOKEN,
        "INBOUND_PROVIDERS": "postmark,mailgun,sendgrid,amazon_ses",
        "AMAZON_SES_TOPIC_ARNS": SES_TOPIC,
        "INTAKE_MAX_BYTES": str(40 * MB),
        # No key: the local classifier decides. Model tests pass the fake's.
        "ANTHROPIC_API_KEY": "",
        "ANTHROPIC_BASE_URL": "",
    }
    env.update(extra)
    return env


def tail(path: Path, size: int = 4000) -> str:
    """The end of a process log, for assertion messages."""
    if not path.exists():
        return f"({path} does not exist)"
    return path.read_bytes()[-size:].decode(errors="replace")


# --- HTTP ---------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self):
        return json.loads(self.body)


class Http:
    """A plain HTTP/1.1 client for 127.0.0.1:`port`; safe to share between threads."""

    def __init__(self, port: int):
        self.port = port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            return Answer(
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Answer:
        if len(body) > MB:
            return self.post_watching(path, body, headers or {})
        return self.request("POST", path, body, headers)

    def post_watching(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        """Send a big body while watching for an early answer, as curl and provider clients
        do: a server may refuse a post (413) before taking all of it, and close."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=120)
        try:
            head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
            head += [f"{name}: {value}" for name, value in headers.items()]
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            sent, view = 0, memoryview(body)
            while sent < len(body):
                readable, writable, _ = select.select([sock], [sock], [], 120)
                if readable:
                    break  # answered early: stop sending, read the answer
                try:
                    sent += sock.send(view[sent : sent + 256 * 1024])
                except (BrokenPipeError, ConnectionResetError):
                    break
            response = http.client.HTTPResponse(sock)
            response.begin()
            return Answer(
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
        finally:
            sock.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)


def basic(credentials: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


# What the TLS-terminating proxy in front of gunicorn adds (SECURE_PROXY_SSL_HEADER): pages
# and the API are HTTPS-only under production settings; webhooks are answered either way.
BEHIND_TLS = {"X-Forwarded-Proto": "https"}


def bearer(token: str = INTAKE_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_raw(web: Http, raw: bytes, token: str = INTAKE_TOKEN) -> Answer:
    return web.post(RAW, raw, {**bearer(token), "Content-Type": "message/rfc822"})


def post_json(web: Http, path: str, payload: dict | bytes, auth: str | None = WEBHOOK_SECRET):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **(basic(auth) if auth else {})}
    return web.post(path, body, headers)


def post_form(web: Http, path: str, fields: dict, auth: str | None = WEBHOOK_SECRET) -> Answer:
    """A multipart/form-data post, as Mailgun and SendGrid send them."""
    body = encode_multipart(BOUNDARY, fields)
    headers = {"Content-Type": MULTIPART_CONTENT, **(basic(auth) if auth else {})}
    return web.post(path, body, headers)


def postmark_raw(n: int, *, tag: str = "lead", **email) -> dict:
    """A Postmark inbound post carrying a distinct message (RawEmail: the exact bytes)."""
    raw = lead_email(n, tag=tag, **email)
    return {
        "MessageID": f"{tag}-{n:06d}-0000-0000-0000-000000000000",
        "From": f"buyer{n}@company{n % 41}.example",
        "FromFull": {"Email": f"buyer{n}@company{n % 41}.example", "Name": f"Buyer {n}"},
        "To": "sales@leadrouter.test",
        "ToFull": [{"Email": "sales@leadrouter.test", "Name": ""}],
        "Subject": f"Seats for team {tag}-{n}",
        "TextBody": "Hi, we would like a demo for our team of 40 next week.",
        "Headers": [{"Name": "Message-ID", "Value": f"<{tag}-{n}@company{n % 41}.example>"}],
        "RawEmail": raw.decode(),
    }


def lead_email(n: int, *, tag: str = "lead", **overrides) -> bytes:
    """A distinct sales email: its own sender, subject and Message-ID."""
    fields = {
        "subject": f"Seats for team {tag}-{n}",
        "sender": f"Buyer {n} <buyer{n}@company{n % 41}.example>",
        "message_id": f"<{tag}-{n}@company{n % 41}.example>",
    }
    fields.update(overrides)
    return make_email(**fields)


# --- The fake Messages API's answers ------------------------------------------------------

_FACT = {"value": None, "evidence": ""}


def triage_answer(**overrides) -> dict:
    """A valid triage contract answer for any message (no fact needs an evidence quote)."""
    answer = {
        "category": "demo_request",
        "is_lead": True,
        "qualification": {
            "budget": {**_FACT, "amount_usd": None},
            "authority": _FACT,
            "need": _FACT,
            "timeline": _FACT,
            "company_size": {**_FACT, "employees": None},
        },
        "urgency": "normal",
        "language": "en",
        "summary": "Asks about the product.",
        "next_action": "book_demo",
        "confidence": 0.93,
        "needs_escalation": False,
        "escalation_reason": "",
        "injection_suspected": False,
    }
    answer.update(overrides)
    return answer


def messages_calls(fake) -> list:
    return fake.requests_to("/v1/messages", "POST")


# --- A web server that counts the GETs it receives -----------------------------------------


class CountingServer:
    """Loopback HTTP server counting every connection: shows a URL was never fetched."""

    def __init__(self, port: int):
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def handle(self):
                # Every connection counts, a TLS handshake included.
                hits.append(self.client_address)
                super().handle()

            def do_GET(self):
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.hits = hits
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> "CountingServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()


def poll(predicate, *, timeout: float, interval: float = 0.5, every=None):
    """Wait for `predicate()` to be true; `every()` runs at each turn (a reconciler's tick)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if every is not None:
            every()
        time.sleep(interval)
    return predicate()


def every(seconds: float, action):
    """`action`, but doing something at most once every `seconds` (a scheduled job's tick)."""
    last = [float("-inf")]

    def tick():
        if time.monotonic() - last[0] >= seconds:
            last[0] = time.monotonic()
            action()

    return tick
