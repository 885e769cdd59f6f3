"""The running stack a fault test talks to: its settings, an HTTP client, what providers post.

Every process runs with production settings (DEBUG off, SSL redirect on, secrets
from the environment), the way an operator deploys leadrouter; only the hosts
and the plain-HTTP loopback differ.
"""

import base64
import http.client
import json
import re
import select
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import Morsel, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group, User
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.authtoken.models import Token

from tests.helpers import make_email, make_user

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
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    body: bytes
    set_cookies: list[str] = field(default_factory=list)  # every Set-Cookie, as sent

    @classmethod
    def read(cls, response: http.client.HTTPResponse) -> "Answer":
        return cls(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
            response.headers.get_all("Set-Cookie") or [],
        )

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
            return Answer.read(conn.getresponse())
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
            return Answer.read(response)
        finally:
            sock.close()

    def post_chunked(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        """Send `body` with Transfer-Encoding: chunked and no Content-Length, as `curl -T -`
        from a pipe does, watching for an early answer like post_watching."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=120)
        try:
            head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked"]
            head += [f"{name}: {value}" for name, value in headers.items()]
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            size = 64 * 1024
            pieces = [body[at : at + size] for at in range(0, len(body), size)] + [b""]
            for piece in pieces:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break  # answered early: stop sending, read the answer
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                except (BrokenPipeError, ConnectionResetError):
                    break
            response = http.client.HTTPResponse(sock)
            response.begin()
            return Answer.read(response)
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


# --- People using the workspace ------------------------------------------------------------

PASSWORD = "faults-password-1"


def with_password(user: User, password: str = PASSWORD) -> User:
    """Give `user` a password the stack's web server can check. Tests hash with MD5
    (tests/conftest.py), which production settings do not accept: a PBKDF2 hash with few
    iterations is, and the server upgrades it at the first sign-in."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


class Session:
    """A person's browser against the stack: cookies kept as a browser keeps them, every
    request from behind the TLS proxy, posts sent from the site's own pages (its Origin and
    the CSRF token) unless a test says otherwise."""

    def __init__(self, web: Http):
        self.web = web
        self.cookies: dict[str, str] = {}
        self.received: dict[str, Morsel] = {}  # the last Set-Cookie of each name, with flags

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.web.port}"

    def request(self, method: str, path: str, body: bytes = b"", headers=None) -> Answer:
        sent = {**BEHIND_TLS, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        answer = self.web.request(method, path, body, sent)
        for header in answer.set_cookies:
            for name, morsel in SimpleCookie(header).items():
                self.received[name] = morsel
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)  # deleted
        return answer

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(
        self,
        path: str,
        fields: dict[str, str] | None = None,
        *,
        token: bool = True,
        origin: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """A form post. `token=False`: without the CSRF token; `origin`: from another site."""
        fields = dict(fields or {})
        if token:
            fields["csrfmiddlewaretoken"] = self.cookies.get("csrftoken", "")
        sent = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin or self.origin,
            **(headers or {}),
        }
        return self.request("POST", path, urlencode(fields).encode(), sent)


def sign_in(web: Http, username: str, password: str = PASSWORD) -> Session:
    """Sign in through the login form, as a person does: its page, its CSRF token, a post."""
    session = Session(web)
    page = session.get("/login/")
    assert page.status == 200, page.status
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    fields = {"username": username, "password": password, "csrfmiddlewaretoken": token[1].decode()}
    answer = session.post("/login/", fields, token=False)
    assert answer.status == 302 and "sessionid" in session.cookies, (answer.status, answer.body)
    return session


def api_headers(username: str = "api-reader") -> dict[str, str]:
    """Headers for the REST API as a user with a token (in the integration group: it reads
    every lead and creates leads), from behind the TLS proxy."""
    user = User.objects.filter(username=username).first() or make_user(username)
    user.groups.add(Group.objects.get_or_create(name="integration")[0])
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}", **BEHIND_TLS}


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


def calls_about(fake, marker: str) -> list:
    """The Messages API requests whose prompt carries `marker` (a lead's sender, say)."""
    return [request for request in messages_calls(fake) if marker.encode() in request.body]


class PerLead:
    """The fake's answers scripted per lead, found by its sender's address in the prompt, and
    per model: `{sender: {model: [answer, ...]}}`. Each call takes the model's next answer
    for that lead, the last one repeating; a model not in a lead's script answers validly."""

    def __init__(self, script: dict[str, dict[str, list]]):
        self.script = script
        self.taken: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    def __call__(self, request: dict):
        prompt = json.dumps(request)
        sender = next(sender for sender in self.script if sender in prompt)
        answers = self.script[sender].get(request["model"]) or [triage_answer()]
        with self.lock:
            taken = self.taken[(sender, request["model"])]
            self.taken[(sender, request["model"])] += 1
        return answers[min(taken, len(answers) - 1)]


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
