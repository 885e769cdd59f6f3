"""The one way out to other people's servers: webhooks, Slack, Teams, the CRM.

Every outbound request goes through `request()`, which raises one error type,
`TransportError(message, permanent)`, as healthchecks' transports do. It is safe by
default (RELIABILITY.md #31): the host is resolved once, every address it resolves to
must be a public one (no loopback, private, link-local, metadata, multicast or reserved
range) unless OUTBOUND_ALLOW_PRIVATE_ADDRESSES is on, and the connection goes to the
address that was checked, so a second DNS answer cannot swap in another (DNS
rebinding). Redirects are never followed: http.client does not follow them and a 3xx
is a failure here. The whole exchange has a deadline, and at most MAX_BODY bytes of the
answer are read.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

MAX_BODY = 64 * 1024
USER_AGENT = "leadrouter-handoff/1"


class TransportError(Exception):
    """The request did not succeed. `permanent`: retrying cannot help (a refused URL, a
    4xx that is not a rate limit). `status` and `retry_after` when the server answered."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        status: int | None = None,
        body: bytes = b"",
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.body = body
        self.retry_after = retry_after


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)
    elapsed_ms: int = 0

    def json(self):
        import json

        return json.loads(self.body or b"null")


def request(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    """Send one request; a 2xx answer is returned, anything else raises TransportError."""
    timeout = timeout or settings.OUTBOUND_TIMEOUT_SECONDS
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {url[:200]}", permanent=True)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TransportError("the URL's port is not a number", permanent=True) from None
    address = resolve_checked(parts.hostname, port)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    started = time.monotonic()
    connection = _connection(parts.scheme, parts.hostname, address, port, timeout)
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    if body:
        all_headers.setdefault("Content-Length", str(len(body)))
    try:
        connection.request(method, path, body=body or None, headers=all_headers)
        answer = connection.getresponse()
        content = _read(answer, deadline=started + timeout)
    except (OSError, http.client.HTTPException) as exc:
        raise TransportError(f"{type(exc).__name__}: {exc}"[:300]) from None
    finally:
        connection.close()
    elapsed_ms = round((time.monotonic() - started) * 1000)
    response_headers = {key.lower(): value for key, value in answer.getheaders()}
    if 200 <= answer.status < 300:
        return Response(answer.status, content, response_headers, elapsed_ms)
    raise TransportError(
        _describe(answer.status),
        # A 4xx will not change by itself, except a rate limit, a timeout or a conflict.
        permanent=400 <= answer.status < 500 and answer.status not in (408, 409, 425, 429),
        status=answer.status,
        body=content,
        retry_after=_retry_after(response_headers.get("retry-after", "")),
    )


def resolve_checked(host: str, port: int) -> str:
    """The address to connect to: the first one `host` resolves to, once every one of them
    is allowed. Raises a permanent TransportError for a refused one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(f"cannot resolve {host}: {exc}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise TransportError(f"{host} resolves to no address")
    for address in addresses:
        if not address_allowed(address):
            raise TransportError(
                f"{host} resolves to {address}, a loopback, private, link-local or "
                "reserved address (OUTBOUND_ALLOW_PRIVATE_ADDRESSES is off)",
                permanent=True,
            )
    return addresses[0]


def address_allowed(address: str) -> bool:
    if settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, RFC 1918, link-local (169.254.169.254, the cloud
    # metadata address, among them), CGNAT, ULA (fd00:ec2::254) and documentation ranges.
    return ip.is_global and not ip.is_multicast


def url_refusal(url: str) -> str:
    """Why `url` would be refused now ("" when it would not): for the admin's form."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Use an http:// or https:// URL."
    try:
        resolve_checked(parts.hostname, parts.port or 443)
    except TransportError as exc:
        return str(exc) if exc.permanent else ""
    except ValueError:
        return "The URL's port is not a number."
    return ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address, and verifies the certificate against the host."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(scheme: str, host: str, address: str, port: int, timeout: float):
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return kind(host, address, port, timeout)


def _read(answer: http.client.HTTPResponse, *, deadline: float) -> bytes:
    chunks, size = [], 0
    while size < MAX_BODY:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took longer than the timeout")
        chunk = answer.read1(min(8192, MAX_BODY - size)) if hasattr(answer, "read1") else b""
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _describe(status: int) -> str:
    if 300 <= status < 400:
        return f"answered {status} (a redirect: not followed)"
    return f"answered {status}"


def _retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None
