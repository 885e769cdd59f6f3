"""The top-level header block, read cheaply and bounded, before (or instead of) a full parse.

`peek_headers` gives the HTTP request path a Message-ID, Subject and From without parsing the
body; `header_block` is the same scan the parser uses to enforce the header-size cap.
"""

import re
from dataclasses import dataclass

from intake import mime_text
from intake.mime_text import decode_header_value, header_text, msg_ids, parse_addresses


@dataclass(frozen=True)
class Peek:
    message_id: str
    looks_like_mail: bool
    subject: str
    from_email: str


HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9_.-]{0,75}[ \t]*:")
LEADING_JUNK = b"\xef\xbb\xbf \t\r\n"


def strip_leading(raw: bytes) -> bytes:
    return raw.lstrip(LEADING_JUNK)


def header_block(raw: bytes, max_header_bytes: int) -> tuple[list[bytes], int, bool]:
    """Header lines of the top-level message (after an optional mbox From_ line).

    Returns (lines, size, complete): complete is False when the block is larger than the cap.
    A line that is neither a header nor a continuation ends the block, as in the email package.
    """
    data = strip_leading(raw)
    pos = 0
    if data.startswith(b"From "):
        nl = data.find(b"\n", 0, max_header_bytes + 1)
        pos = len(data) if nl < 0 else nl + 1
    lines: list[bytes] = []
    start = pos
    while pos < len(data):
        nl = data.find(b"\n", pos, start + max_header_bytes + 1)
        if nl < 0:
            if len(data) - start > max_header_bytes:
                return lines, len(data) - start, False
            nl = len(data)
        line = data[pos:nl].rstrip(b"\r")
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            if lines:
                lines[-1] += b"\n" + line
        elif HEADER_LINE.match(line):
            lines.append(line)
        else:
            break
        pos = nl + 1
    return lines, pos - start, True


def normalise_newlines(raw: bytes) -> bytes:
    # sisimai's maildir/mac files are CR-only; our line scans (and humans) expect LF.
    head = raw[:65536]
    if b"\r" in head and b"\n" not in head:
        return raw.replace(b"\r", b"\n")
    return raw


def peek_headers(raw: bytes, max_header_bytes: int = 256 * 1024) -> Peek:
    """Cheap, bounded, never raises: Message-ID, Subject and From for the HTTP request path."""
    try:
        head = normalise_newlines(bytes(raw[: max_header_bytes + 4096]))
        lines, _size, _complete = header_block(head, max_header_bytes)
        values: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(b":")
            key = name.strip().lower().decode("ascii", "replace")
            values.setdefault(key, header_text(value.decode("ascii", "surrogateescape")))
        ids = msg_ids(values.get("message-id", ""))
        addresses = parse_addresses([values["from"]], []) if "from" in values else []
        return Peek(
            message_id=ids[0] if ids else "",
            looks_like_mail=bool(lines),
            subject=mime_text.clean_header(decode_header_value(values.get("subject", ""))),
            from_email=addresses[0][1] if addresses else "",
        )
    except Exception:
        return Peek(message_id="", looks_like_mail=False, subject="", from_email="")
