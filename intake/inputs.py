"""Pure: bounds on what clients send that the standard parsers do not check.

Two causes of 500s share one shape: a parser with no limit. `json` recurses once per
level of nesting (100,000 `[` is a RecursionError, not a ValueError), and a time a client
sends back to us (a cursor position, a poll's `since`) can be a real date where our own
arithmetic on it overflows (`datetime.min - timedelta(seconds=5)`), or no date at all,
which the ORM only notices inside a query. Every endpoint that reads JSON or a
client-sent time goes through here and answers 4xx with the reason.
"""

import json
import re
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

# Ours nest three levels (a form's extra fields); providers' payloads about six.
MAX_JSON_DEPTH = 32
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

# Strings first (a bracket inside one is text), then every bracket in order.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class TooDeep(ValueError):
    def __init__(self):
        super().__init__(f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels.")


def check_json_depth(raw: bytes) -> None:
    """TooDeep when arrays and objects nest past MAX_JSON_DEPTH (checked without recursion)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise TooDeep()
        else:
            depth -= 1


def loads_json(raw: bytes):
    """json.loads with the depth bound; ValueError (TooDeep, JSONDecodeError) when unreadable."""
    check_json_depth(raw)
    return json.loads(raw)


def client_datetime(value: str) -> datetime:
    """A time a client sent back to us: ValueError unless it is a real, aware time between
    EARLIEST and LATEST, where adding or subtracting days or hours cannot overflow."""
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:  # well-formed but impossible, like 2026-02-30
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"{value[:40]!r} is not a time with a timezone")
    if not EARLIEST <= parsed <= LATEST:
        raise ValueError(f"{value[:40]!r} is outside {EARLIEST.year}-{LATEST.year}")
    return parsed
