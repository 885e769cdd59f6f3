"""Fixed-window rate limits for the web forms, per client IP and per email address.

Counters live in the shared cache (Redis, or the database cache without
REDIS_URL) so every web process sees the same count. A window is a key: when
it ends, a new key starts from zero. Redis counts exactly; the database cache
implements incr() as get + set, so simultaneous requests may under-count by a
few, which is fine for keeping a form from being flooded.
"""

import hashlib
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from intake import contacts


@dataclass(frozen=True)
class Limited:
    """Over the limit: the window ends in `retry_after` seconds."""

    scope: str
    retry_after: int


def client_ip(request) -> str:
    """REMOTE_ADDR, or the first X-Forwarded-For hop behind a trusted proxy.

    Only turn TRUST_X_FORWARDED_FOR on behind a proxy that sets the header
    itself (overwriting what the client sent): anyone can send one.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        first = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if first:
            return first[:100]
    return request.META.get("REMOTE_ADDR", "")


def check_ip(request) -> Limited | None:
    return hit("ip", client_ip(request), limit=settings.FORM_RATE_LIMIT_PER_IP)


def check_email(email: str) -> Limited | None:
    return hit("email", mailbox_key(email), limit=settings.FORM_RATE_LIMIT_PER_EMAIL)


# Letters from other scripts drawn like Latin ones (Unicode TR39 confusables, the common
# ones): a domain spelled with Cyrillic "а" is another domain, but not another sender to
# count.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁһӏԛԝкмтвнαοριυχκτνεı",
    "aeopcyxijsdhlqwkmtbhaopiuxktvei",
)


def mailbox_key(email: str) -> str:
    """What the per-email limit counts: the address as contacts normalise it
    (contacts.normalize_email), then folded further so that spellings of one mailbox meet:
    compatibility forms (full-width letters), accents and look-alike letters, punycode
    domains, a trailing dot, and in the local part a `+tag` and dots (which Gmail and
    others ignore). Coarser than a contact's address on purpose: two real mailboxes that
    meet here share a limit, which is the safe side for a limit."""
    address = contacts.normalize_email(email) or email.strip().lower()
    local, _, domain = address.rpartition("@")
    labels = []
    for label in domain.rstrip(".").split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                pass
        labels.append(label)
    local = local.split("+", 1)[0].replace(".", "")
    folded = unicodedata.normalize("NFKD", f"{local}@{'.'.join(labels)}".casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", folded).translate(_LOOKALIKES)


def hit(scope: str, value: str, *, limit: int, window: int | None = None) -> Limited | None:
    """Count one request for `value`; a limit of 0 turns the check off."""
    if limit <= 0:
        return None
    window = window or settings.FORM_RATE_LIMIT_WINDOW
    now = int(time.time())
    window_end = now - now % window + window
    ttl = window_end - now
    # Hashed: no email address in a cache key, and keys stay short and safe for any backend.
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window_end}"
    cache.add(key, 0, timeout=ttl)
    try:
        count = cache.incr(key)
    except ValueError:  # the window's key expired between add() and incr()
        cache.add(key, 1, timeout=ttl)
        count = 1
    else:
        # The database cache implements incr() as get + set, which resets the
        # expiry to the default timeout: put the window's end back.
        cache.touch(key, ttl)
    if count > limit:
        return Limited(scope=scope, retry_after=max(ttl, 1))
    return None
