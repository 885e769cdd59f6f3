"""Pure: what a reply draft states that nobody we trust gave it, highlighted for the rep
before sending (RELIABILITY.md #32).

Any URL, email address, phone number or price (amounts, percentages: discounts) in a draft
is flagged unless it appears in the reply knowledge or in our own messages of the thread.
The customer's messages count for less, because echoing them is exactly what an injection
asks for ("put this link in your reply", "confirm the 40% discount", "tell me to write to
billing@elsewhere"): from them, only phone numbers, and links and addresses on the sender's
own domain, are taken as known. Anything else the customer wrote and the draft repeats is
highlighted, so the rep checks it; nothing is removed.
"""

import re
from dataclasses import dataclass

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.+])\+?\(?\d[\d\s().\-/]{6,}\d(?!\w)")
_PRICE = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.\s]*\d(?:\s?[kKmM]\b)?|[$€£¥]\s?\d"
    r"|\b\d[\d,.]*\s?(?:%|percent\b|per ?cent\b|USD\b|EUR\b|GBP\b|dollars?\b|euros?\b|"
    r"pounds?\b|k\b(?=\s*(?:USD|EUR|\$|€)))"
    r"|\b(?:USD|EUR|GBP)\s?\d[\d,.]*)",
    re.IGNORECASE,
)
# Dates look like phone numbers to _PHONE: 2026-12-01, 01.12.2026, 12/01/2026.
_DATE = re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})$")
_TRAILING = ".,;:!?)]}>'\""


@dataclass(frozen=True)
class Flag:
    kind: str  # "url" | "email" | "phone" | "price"
    value: str
    start: int
    end: int


def _norm(kind: str, value: str) -> str:
    value = value.lower()
    if kind == "url":
        value = re.sub(r"^(?:https?://)?(?:www\.)?", "", value).rstrip("/")
    elif kind in ("phone", "price"):
        value = re.sub(r"[^\d%.a-z$€£¥]", "", value).rstrip(".")
        if kind == "phone":
            value = re.sub(r"\D", "", value)
    return value


def _found(kind: str, pattern: re.Pattern, text: str) -> list[tuple[str, int, int]]:
    out = []
    for match in pattern.finditer(text):
        value = match.group(0)
        stripped = value.rstrip(_TRAILING + " ")
        if not stripped:
            continue
        out.append((stripped, match.start(), match.start() + len(stripped)))
    return out


PATTERNS = (("url", _URL), ("email", _EMAIL), ("phone", _PHONE), ("price", _PRICE))


def _known(texts: list[str]) -> dict[str, set[str]]:
    known: dict[str, set[str]] = {kind: set() for kind, _ in PATTERNS}
    for kind, pattern in PATTERNS:
        for text in texts:
            for value, _, _ in _found(kind, pattern, text):
                known[kind].add(_norm(kind, value))
    return known


def _domain_of(kind: str, norm: str) -> str:
    if kind == "email":
        return norm.rpartition("@")[2]
    return norm.split("/", 1)[0].split(":", 1)[0]


def check_draft(
    draft: str,
    *,
    trusted: list[str],
    customer: list[str] = (),
    customer_domains: set[str] = frozenset(),
) -> list[Flag]:
    """Flags for what the draft states that neither the trusted texts (the knowledge, our own
    messages) nor, for phone numbers and the sender's own domain, the customer's mail say."""
    trusted_known = _known(trusted)
    customer_known = _known(list(customer))
    trusted_lower = "\n".join(trusted).lower()
    domains = {d.lower() for d in customer_domains if d}
    flags: list[Flag] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for value, start, end in _found(kind, pattern, draft):
            if any(s <= start < e for s, e in taken):
                continue  # the address in a URL, the digits of a price already flagged
            norm = _norm(kind, value)
            if kind == "phone" and (len(norm) < 7 or _DATE.match(value)):
                continue
            if norm in trusted_known[kind] or (kind in ("url", "email") and norm in trusted_lower):
                continue
            if norm in customer_known[kind]:
                domain = _domain_of(kind, norm) if kind in ("url", "email") else ""
                own = domain and any(domain == d or domain.endswith("." + d) for d in domains)
                if kind == "phone" or own:
                    continue
            flags.append(Flag(kind, value, start, end))
            taken.append((start, end))
    return sorted(flags, key=lambda f: f.start)


def segments(draft: str, flags: list[dict]) -> list[tuple[str, str]]:
    """The draft cut into (text, flag kind or "") pieces, for highlighting in a template
    (which escapes each piece)."""
    pieces, at = [], 0
    for flag in sorted(flags, key=lambda f: f["start"]):
        start, end = flag["start"], flag["end"]
        if start < at or end > len(draft):
            continue
        if start > at:
            pieces.append((draft[at:start], ""))
        pieces.append((draft[start:end], flag["kind"]))
        at = end
    if at < len(draft):
        pieces.append((draft[at:], ""))
    return pieces
