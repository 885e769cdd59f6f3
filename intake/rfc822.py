"""Pure: RFC 5322 bytes from the parsed fields a provider posts instead of the message.

Postmark (without its RawEmail option) posts headers, bodies and base64 attachments as
JSON; the stored raw message is rebuilt from them on the request path. It is written
out directly rather than built as an `email.message` and flattened by the generator,
as anymail does: that took 2.6 ms of a 5.7 ms webhook request (every header parsed by
`email.policy.default`, a regex compiled per boundary), this takes about 0.1 ms. The
worker parses the result exactly as it parsed anymail's reconstruction
(tests/intake/test_rfc822.py compares the two over the shared payloads).

What is written: the given header fields (unfolded, CR/LF removed, RFC 2047-encoded
when not ASCII or too long for one line), then a text/plain part, a text/html part or
both as multipart/alternative, and attachments beside them in multipart/mixed (inline
ones, with a Content-ID, in multipart/related with the bodies). Bodies are 7bit when
they can be, else base64; attachments are base64.
"""

import base64
import re
import secrets
from dataclasses import dataclass
from email.header import Header
from email.utils import encode_rfc2231, formataddr

LINE_MAX = 998  # RFC 5322 2.1.1, without the CRLF
FIELD_NAME = re.compile(r"^[!-9;-~]{1,100}$")  # printable ASCII, no colon, no space
CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")
FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")  # folding the provider kept
BREAK = re.compile(r"[\r\n]+")
# Fields the MIME structure below owns; a provider's copies would contradict it.
STRUCTURE_FIELDS = {"mime-version", "content-type", "content-transfer-encoding"}


@dataclass(frozen=True)
class Attachment:
    content: bytes
    content_type: str = "application/octet-stream"
    filename: str = ""
    content_id: str = ""


class Mailboxes(str):
    """An address field's value in its wire form (from `mailboxes`): written as it is,
    in UTF-8 where an address is not ASCII (RFC 6532), folded after each mailbox."""


def mailboxes(pairs: list[tuple[str, str]]) -> Mailboxes:
    return Mailboxes(",\r\n ".join(address(name, email) for name, email in pairs))


def address(name: str, email: str) -> str:
    """One mailbox: the display name quoted, or RFC 2047-encoded when not ASCII."""
    email = "".join(BREAK.sub(" ", email).split())
    name = " ".join(BREAK.sub(" ", name).split())[:200]
    if not name:
        return email
    # formataddr quotes or encodes the name, and insists on an ASCII address to do it.
    return formataddr((name, "@"), charset="utf-8")[: -len("<@>")] + f"<{email}>"


def compose(
    fields: list[tuple[str, str]],
    *,
    text: str = "",
    html: str = "",
    attachments: list[Attachment] = (),
) -> bytes:
    """The message: `fields` in their order, then the MIME structure of the bodies."""
    out = [header(name, value) for name, value in fields if _writable(name)]
    body_parts = []
    if text or not html:
        body_parts.append(_text_part("plain", text))
    if html:
        body_parts.append(_text_part("html", html))
    body = body_parts[0] if len(body_parts) == 1 else _multipart("alternative", body_parts)
    inline = [_attachment_part(a) for a in attachments if a.content_id]
    attached = [_attachment_part(a) for a in attachments if not a.content_id]
    if inline:
        body = _multipart("related", [body, *inline])
    if attached:
        body = _multipart("mixed", [body, *attached])
    out.append(b"MIME-Version: 1.0\r\n")
    return b"".join(out) + body


def header(name: str, value: str) -> bytes:
    """One header field, CRLF-terminated. Folding whitespace the provider kept is
    unfolded; a value that is not ASCII or would not fit on one line is encoded."""
    if isinstance(value, Mailboxes):
        return f"{name}: {value}\r\n".encode()
    value = FOLD.sub("", str(value))
    value = BREAK.sub(" ", value)  # no CR/LF can end the field early
    line = f"{name}: {value}"
    if value.isascii() and len(line) <= LINE_MAX:
        return line.encode("ascii") + b"\r\n"
    charset = "us-ascii" if value.isascii() else "utf-8"
    encoded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    if any(len(part) > LINE_MAX for part in encoded.split("\r\n")):
        # An ASCII run with nowhere to fold: encoded words can be split anywhere.
        encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}\r\n".encode("ascii")


def _writable(name: str) -> bool:
    return bool(FIELD_NAME.match(name)) and name.lower() not in STRUCTURE_FIELDS


def _text_part(subtype: str, content: str) -> bytes:
    data = content.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode()
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\n'.encode()
    if data.isascii() and all(len(line) <= LINE_MAX for line in data.split(b"\r\n")):
        return head + b"Content-Transfer-Encoding: 7bit\r\n\r\n" + data
    return head + b"Content-Transfer-Encoding: base64\r\n\r\n" + _base64(data)


def _attachment_part(attachment: Attachment) -> bytes:
    content_type = attachment.content_type.strip().lower()
    if not CONTENT_TYPE.match(content_type):
        content_type = "application/octet-stream"
    if content_type.startswith(("message/", "multipart/")):
        # Neither may be base64-encoded (RFC 2046 5.2.1), and their bytes are the sender's
        # to parse, not ours: kept whole as a file.
        content_type = "application/octet-stream"
    disposition = "inline" if attachment.content_id else "attachment"
    name = " ".join(attachment.filename.split())
    lines = [f"Content-Type: {content_type}{_param('name', name)}"]
    lines.append(f"Content-Disposition: {disposition}{_param('filename', name)}")
    if attachment.content_id:
        cid = " ".join(attachment.content_id.split()).strip("<>")
        lines.append(f"Content-ID: <{cid}>")
    lines.append("Content-Transfer-Encoding: base64")
    head = "\r\n".join(lines).encode("ascii", "replace") + b"\r\n\r\n"
    return head + _base64(attachment.content)


def _param(key: str, value: str) -> str:
    if not value:
        return ""
    if value.isascii() and len(value) < 200:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'; {key}="{escaped}"'
    return f"; {key}*={encode_rfc2231(value, 'utf-8')}"


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = "=_lr_" + secrets.token_hex(12)  # "_" is not in the base64 alphabet
    while any(boundary.encode() in part for part in parts):
        boundary = "=_lr_" + secrets.token_hex(12)
    delimiter = f"\r\n--{boundary}\r\n".encode()
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    return head + delimiter[2:] + delimiter.join(parts) + f"\r\n--{boundary}--\r\n".encode()
