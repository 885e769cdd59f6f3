"""mbox files: is a blob an mbox, and the messages in it (bytes or a streamed binary file)."""

import re
from collections.abc import Iterator
from typing import BinaryIO

from intake.mail_head import HEADER_LINE

# "From " + a token, then nothing or an asctime-ish date. "From Russia with love" in a body is
# not a separator; the next line must also look like a header.
_TIME = re.compile(rb"\d{1,2}:\d{2}")


def _is_separator(line: bytes, next_line: bytes) -> bool:
    line = line.rstrip(b"\r\n")
    if not line.startswith(b"From ") or len(line) > 1000:
        return False
    sender_and_date = line[5:].split(None, 1)
    if len(sender_and_date) == 2 and not _TIME.search(sender_and_date[1]):
        return False
    return bool(HEADER_LINE.match(next_line))


def is_mbox(head: bytes) -> bool:
    """The data starts (after a BOM) with an mbox "From " separator line followed by a header."""
    data = head.lstrip(b"\xef\xbb\xbf")
    lines = data.split(b"\n", 2)
    return len(lines) >= 2 and _is_separator(lines[0], lines[1])


def split_mbox(data: bytes | BinaryIO) -> Iterator[bytes]:
    """Each message of an mbox, without its "From " line. Bytes or a binary file (streamed).

    ">From " quoting is left as is: the bytes are stored raw, and mboxo and mboxrd disagree.
    """
    lines = _lines(data)
    current: list[bytes] = []
    pending: bytes | None = None  # a From_ candidate waiting for its next line
    seen_separator = False
    for line in lines:
        if pending is not None:
            if _is_separator(pending, line):
                if current and seen_separator:
                    yield b"".join(current)
                current = []
                seen_separator = True
            else:
                current.append(pending)
            pending = None
        if line.startswith(b"From "):
            pending = line
            continue
        current.append(line)
    if pending is not None:
        current.append(pending)
    if current and (seen_separator or b"".join(current).strip()):
        yield b"".join(current)


def _lines(data: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end + 1
            yield data[start:end]
            start = end
        return
    first = True
    for line in iter(data.readline, b""):
        if first and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        first = False
        yield line
