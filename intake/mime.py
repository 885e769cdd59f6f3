"""Raw mail bytes -> ParsedMessage. Pure: no Django, no settings, no I/O.

Runs in the worker on untrusted bytes (RELIABILITY.md, checks 9-12). Python's `email` package has
no limit on parts or nesting and recurses per level, so every cap is checked cheaply before the
full parse, and again on the tree after it. Nothing here raises to the caller: a cap, a timeout or
a parser crash comes back as `ParsedMessage.failed` with the headers we could read cheaply.
"""

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.feedparser import BytesFeedParser
from email.generator import BytesGenerator
from email.message import Message
from email.utils import parsedate_to_datetime
from io import BytesIO

from intake import hidden_html, mail_html, mime_text
from intake.mail_head import Peek as Peek
from intake.mail_head import header_block, normalise_newlines, strip_leading
from intake.mail_head import peek_headers as peek_headers
from intake.mail_html import html_to_text as html_to_text
from intake.mail_html import sanitize_html as sanitize_html
from intake.mbox import is_mbox as is_mbox
from intake.mbox import split_mbox as split_mbox
from intake.mime_text import decode_header_value, header_text, msg_ids, parse_addresses
from intake.mime_text import normalize_subject as normalize_subject
from intake.mime_text import split_reply as split_reply

MAX_HEADERS = 200
MAX_REFERENCES = 200


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 40 * 1024 * 1024
    max_header_bytes: int = 256 * 1024  # total header section of the top-level message
    max_parts: int = 500
    max_depth: int = 20
    max_seconds: float = 10.0


@dataclass
class ParsedAttachment:
    filename: str  # display name as the sender gave it (decoded RFC 2231/2047), may be ""
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMessage:
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_email: str = ""
    from_name: str = ""
    to: list[tuple[str, str]] = field(default_factory=list)  # (name, email)
    cc: list[tuple[str, str]] = field(default_factory=list)
    reply_to: list[tuple[str, str]] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = ""
    report_type: str = ""
    part_types: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    # Text the HTML as sent hides from a reader (intake.hidden_html): injection checks read it.
    hidden_text: str = ""
    text_new: str = ""
    text_quoted: str = ""
    signature: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed: str = ""


class _Failed(Exception):
    """A cap was hit: the message is stored raw and marked parse_failed."""


class _Timeout(_Failed):
    pass


# --- cheap pre-checks ------------------------------------------------------------------------
_BOUNDARY_PARAM = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))""", re.I)


def _declared_boundaries(raw: bytes) -> set[bytes]:
    # bytes.find runs at memchr speed; a case-insensitive regex over a 30 MB attachment does not.
    lowered = raw.lower()
    found = set()
    pos = lowered.find(b"boundary")
    while pos >= 0:
        match = _BOUNDARY_PARAM.match(raw, pos)
        if match:
            found.add(match.group(1) or match.group(2))
        pos = lowered.find(b"boundary", pos + 8)
    return found


def _dash_lines(raw: bytes) -> Iterator[int]:
    """Offsets of the lines that start with "--"."""
    if raw.startswith(b"--"):
        yield 0
    pos = raw.find(b"\n--")
    while pos >= 0:
        yield pos + 1
        pos = raw.find(b"\n--", pos + 1)


def _precheck_structure(raw: bytes, limits: Limits) -> None:
    """Count parts and multipart nesting from delimiter lines, before the email package does.

    Each delimiter line of a declared boundary opens a part; a delimiter of a boundary already on
    the stack closes everything opened inside it. Both numbers are upper bounds of what the parser
    will build, so a message under them cannot blow up the parse (deep nesting is quadratic there
    and ends in RecursionError).
    """
    boundaries = _declared_boundaries(raw)
    if not boundaries:
        return
    parts = 0
    stack: list[bytes] = []
    for start in _dash_lines(raw):
        end = raw.find(b"\n", start)
        token = raw[start + 2 : end if end >= 0 else len(raw)].rstrip(b" \t\r")
        if token in boundaries:
            parts += 1
            if parts > limits.max_parts:
                raise _Failed(f"more than {limits.max_parts} MIME parts")
            if token in stack:
                del stack[stack.index(token) + 1 :]
            else:
                stack.append(token)
                if len(stack) > limits.max_depth:
                    raise _Failed(f"MIME nesting deeper than {limits.max_depth}")
        elif token.endswith(b"--") and token[:-2] in stack:
            del stack[stack.index(token[:-2]) :]


# --- the wall clock ------------------------------------------------------------------------
@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """SIGALRM after `seconds` in the main thread; elsewhere only the cooperative deadline."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def on_alarm(signum, frame):
        raise _Timeout(f"parsing took longer than {seconds:g} s")

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        while True:
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                break
            except _Timeout:  # fired while we were leaving
                continue
        # None: a handler installed outside Python, which cannot be put back; default it.
        signal.signal(signal.SIGALRM, previous_handler or signal.SIG_DFL)
        if previous_delay:
            # An outer timer keeps its deadline; if it fell due meanwhile it fires right away.
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001), previous_interval)


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise _Timeout(f"parsing took longer than {self.seconds:g} s")


# --- parsing -------------------------------------------------------------------------------
_FEED_CHUNK = 256 * 1024


def parse_message(raw: bytes, *, limits: Limits = Limits()) -> ParsedMessage:  # noqa: B008
    """Never raises. A cap, a timeout or a parser crash sets `failed` (with cheap headers)."""
    try:
        if len(raw) > limits.max_bytes:
            raise _Failed(f"message is {len(raw)} bytes, over the {limits.max_bytes} byte cap")
        with _alarm(limits.max_seconds):
            return _parse(bytes(raw), limits, _Deadline(limits.max_seconds))
    except _Failed as exc:
        return _failed(raw, limits, str(exc))
    except RecursionError:
        return _failed(raw, limits, "MIME structure too deep for the parser")
    except Exception as exc:  # the email package on hostile input: store raw, never a 500
        return _failed(raw, limits, f"parser error: {type(exc).__name__}: {exc}"[:500])


def _failed(raw: bytes, limits: Limits, reason: str) -> ParsedMessage:
    peek = peek_headers(raw[: limits.max_header_bytes + 4096], limits.max_header_bytes)
    return ParsedMessage(
        message_id=peek.message_id,
        subject=peek.subject,
        from_email=peek.from_email,
        failed=reason,
    )


def _parse(raw: bytes, limits: Limits, deadline: _Deadline) -> ParsedMessage:
    raw = normalise_newlines(strip_leading(raw))
    _lines, header_size, complete = header_block(raw, limits.max_header_bytes)
    if not complete or header_size > limits.max_header_bytes:
        raise _Failed(f"header section over {limits.max_header_bytes} bytes")
    _precheck_structure(raw, limits)

    # compat32: the lenient legacy policy; we decode headers ourselves so nothing raises on
    # access. Fed in chunks so a caller off the main thread is still bounded by the deadline.
    parser = BytesFeedParser(policy=policy.compat32)
    for offset in range(0, len(raw), _FEED_CHUNK):
        parser.feed(raw[offset : offset + _FEED_CHUNK])
        deadline.check()
    msg = parser.close()
    deadline.check()

    parsed = ParsedMessage()
    describe = _Described()
    _read_headers(msg, parsed, _charset_hint(msg, describe))
    _Walker(parsed, limits, deadline, describe).collect(msg)
    deadline.check()
    _finish_text(parsed)
    return parsed


def _charset_hint(msg: Message, describe: "_Described") -> str:
    part = msg
    for _ in range(5):
        charset = describe(part, []).charset
        payload = part.get_payload()
        if charset or not isinstance(payload, list) or not payload:
            return charset
        part = payload[0]
    return ""


def _read_headers(msg: Message, parsed: ParsedMessage, hint: str) -> None:
    warnings = parsed.warnings
    raw_by_name: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        key = name.strip().lower()
        raw_by_name.setdefault(key, []).append(value)
        if len(parsed.headers) < MAX_HEADERS:
            decoded = decode_header_value(header_text(value, hint), warnings)
            parsed.headers.append(
                (mime_text.clean_header(name, 200), mime_text.clean_header(decoded))
            )

    def first(key: str) -> str:
        values = raw_by_name.get(key)
        return header_text(values[0], hint)[:65536] if values else ""

    ids = msg_ids(first("message-id"))
    parsed.message_id = ids[0] if ids else ""
    reply_ids = msg_ids(first("in-reply-to"))
    parsed.in_reply_to = reply_ids[0] if reply_ids else ""
    references = msg_ids(" ".join(header_text(v) for v in raw_by_name.get("references", [])))
    if len(references) > MAX_REFERENCES:
        # The root and the most recent ancestors are what threading needs.
        references = references[:1] + references[-(MAX_REFERENCES - 1) :]
    parsed.references = references
    parsed.subject = mime_text.clean_header(decode_header_value(first("subject"), warnings), 998)

    senders = parse_addresses(raw_by_name.get("from", [])[:1], warnings, hint)
    if senders:
        parsed.from_name, parsed.from_email = senders[0]
    parsed.to = parse_addresses(raw_by_name.get("to", []), warnings, hint)
    parsed.cc = parse_addresses(raw_by_name.get("cc", []), warnings, hint)
    parsed.reply_to = parse_addresses(raw_by_name.get("reply-to", []), warnings, hint)
    delivered = []
    for key in ("delivered-to", "x-original-to", "envelope-to"):
        for _name, email in parse_addresses(raw_by_name.get(key, []), warnings, hint):
            if email and email not in delivered:
                delivered.append(email)
    parsed.delivered_to = delivered
    parsed.date = _parse_date(first("date"))


def _parse_date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000" means UTC with unknown local zone (RFC 5322 3.3)
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _finish_text(parsed: ParsedMessage) -> None:
    if not parsed.text and parsed.html:
        parsed.text = html_to_text(parsed.html)
    parsed.text = parsed.text.replace("\x00", "")
    parsed.text_new, parsed.text_quoted, parsed.signature = split_reply(parsed.text)


# --- the MIME tree -------------------------------------------------------------------------
@dataclass
class _Part:
    ctype: str
    charset: str = ""
    disposition: str = ""
    filename: str = ""
    content_id: str = ""
    report_type: str = ""


def _describe(part: Message, warnings: list[str]) -> _Part:
    """A part's MIME headers, read from a decoded copy: compat32 turns 8-bit header bytes into
    U+FFFD on access, and a raw UTF-8 filename would be lost."""
    view = Message()
    view.set_default_type(part.get_default_type())
    for name, value in part.raw_items():
        if name.strip().lower() in ("content-type", "content-disposition", "content-id"):
            view[name.strip()] = header_text(value)
    info = _Part(ctype=view.get_default_type())
    try:
        info.ctype = mime_text.clean_header(view.get_content_type().lower(), 255)
        info.disposition = (view.get_content_disposition() or "").strip().lower()
        info.charset = view.get_content_charset() or ""
        report_type = view.get_param("report-type") or ""
        info.report_type = str(report_type[2] if isinstance(report_type, tuple) else report_type)
        # RFC 2231 through the email package, then RFC 2047 (not allowed, but what clients send).
        filename = decode_header_value(view.get_filename() or "", warnings)
        info.filename = mime_text.clean_header(filename, 255)
        info.content_id = "".join(msg_ids(str(view.get("Content-ID", ""))))[:255]
    except Exception:  # a hostile parameter: keep what was read before it
        pass
    return info


class _Described:
    """`_describe` once per part of one parse: the hint, the top and the walk all ask for the
    first parts. Each call still adds that part's warnings to the list it is given."""

    def __init__(self) -> None:
        self.seen: dict[int, tuple[_Part, list[str]]] = {}  # by id(): the parts outlive it

    def __call__(self, part: Message, warnings: list[str]) -> _Part:
        if id(part) not in self.seen:
            own: list[str] = []
            self.seen[id(part)] = (_describe(part, own), own)
        info, own = self.seen[id(part)]
        for warning in own:
            mime_text.add_warning(warnings, warning)
        return info


class _Walker:
    """Depth-first over the parsed tree: body text/html, attachments, part types, caps.

    Recursion is bounded by max_depth, checked before descending. Parts inside an attached
    message (message/rfc822) count towards the caps but are not listed in part_types: they are
    another message's structure, and hygiene must not mistake a forwarded bounce for one.
    """

    def __init__(
        self, parsed: ParsedMessage, limits: Limits, deadline: _Deadline, describe: _Described
    ) -> None:
        self.describe = describe
        self.parsed = parsed
        self.limits = limits
        self.deadline = deadline
        self.count = 0

    def collect(self, msg: Message) -> None:
        parsed = self.parsed
        top = self.describe(msg, parsed.warnings)
        parsed.content_type = top.ctype
        if top.ctype == "multipart/report":
            parsed.report_type = mime_text.clean_header(top.report_type, 255).lower()
        texts, htmls = self.walk(msg, 0)
        text = "\n\n".join(t.replace("\r\n", "\n").replace("\r", "\n").strip("\n") for t in texts)
        parsed.text = text if text.strip() else ""
        parsed.html = "\n".join(filter(None, (sanitize_html(h) for h in htmls)))
        parsed.hidden_text = hidden_html.hidden_text(htmls)
        self.deadline.check()
        if not parsed.text and parsed.html:
            parsed.text = mail_html.text_from_sanitized_html(parsed.html)

    def _enter(self, depth: int) -> None:
        self.count += 1
        if self.count > self.limits.max_parts:
            raise _Failed(f"more than {self.limits.max_parts} MIME parts")
        if depth > self.limits.max_depth:
            raise _Failed(f"MIME nesting deeper than {self.limits.max_depth}")
        self.deadline.check()

    def walk(self, part: Message, depth: int) -> tuple[list[str], list[str]]:
        self._enter(depth)
        info = self.describe(part, self.parsed.warnings)
        self.parsed.part_types.append(info.ctype)
        payload = part.get_payload()
        if info.ctype.startswith("multipart/") and isinstance(payload, list):
            results = [self.walk(child, depth + 1) for child in payload]
            if info.ctype == "multipart/alternative":
                # Plain text from the first alternative that has it, HTML from the richest.
                texts = next((t for t, _h in results if t), [])
                htmls = next((h for _t, h in reversed(results) if h), [])
                return texts, htmls
            return [t for r in results for t in r[0]], [h for r in results for h in r[1]]
        if isinstance(payload, list):  # message/rfc822, message/delivery-status, ...
            if info.ctype != "message/delivery-status":  # its "parts" are DSN fields, not MIME
                self._count_inner(payload, depth + 1)
            self._attach(info, _message_body(part))
            return [], []
        content = part.get_payload(decode=True)
        content = content if isinstance(content, bytes) else b""
        is_body = info.ctype in ("text/plain", "text/html") or info.ctype.startswith("multipart/")
        if is_body and info.disposition != "attachment" and not info.filename:
            if info.ctype.startswith("multipart/"):
                warning = f"{info.ctype} without usable boundary, read as text"
                mime_text.add_warning(self.parsed.warnings, warning)
            where = f"{info.ctype} part"
            text = mime_text.decode_bytes(content, info.charset, self.parsed.warnings, where)
            return ([], [text]) if info.ctype == "text/html" else ([text], [])
        self._attach(info, content)
        return [], []

    def _count_inner(self, items: list, depth: int) -> None:
        stack = [(item, depth) for item in items if isinstance(item, Message)]
        while stack:
            item, level = stack.pop()
            self._enter(level)
            inner = item.get_payload()
            if isinstance(inner, list) and item.get_content_type() != "message/delivery-status":
                stack.extend((i, level + 1) for i in inner if isinstance(i, Message))

    def _attach(self, info: _Part, content: bytes) -> None:
        inline = info.disposition == "inline" or (
            bool(info.content_id) and info.disposition != "attachment"
        )
        self.parsed.attachments.append(
            ParsedAttachment(info.filename, info.ctype, content, info.content_id, inline)
        )


def _message_body(part: Message) -> bytes:
    """The bytes of a message/* part's body, regenerated from the parsed tree (not byte-exact)."""
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=policy.compat32).flatten(part)
    except Exception:
        return b""
    data = buffer.getvalue()
    if data.startswith(b"\n"):  # a part without headers (the default type in a digest)
        return data[1:]
    end = data.find(b"\n\n")
    return data[end + 2 :] if end >= 0 else b""
