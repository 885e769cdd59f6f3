"""The routing configuration triage reads for every lead: policy, categories, rules, prices,
queues and their members, and the circuit, kept per process until a row changes.

One query per lead asks PostgreSQL for a digest of those tables, computed over whole rows, so an
admin edit, a bulk action, a `QuerySet.update()` or a migration all count and apply to the next
lead without a deploy; only when the digest differs are the rows read again. The circuit is
in the digest too: it opens rarely, and every worker must see it opened at once.

A triage pins one configuration for its whole run (`pinned()`): one digest query per lead, and
one consistent view of the rules from the first tier to the assignment. The cached objects are
shared between threads and runs: read them, never change them.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection

from routing import defaults
from routing.models import (
    Category,
    Circuit,
    ModelPrice,
    Queue,
    QueueMembership,
    RoutingPolicy,
    Rule,
)

# The round-robin position moves with every lead assigned; it is read under a row lock
# (assign.next_in_rotation), never from here.
_VOLATILE = {Queue: ("last_assigned_id",)}
_TABLES = (RoutingPolicy, Category, Rule, ModelPrice, Queue, Circuit)


@dataclass(frozen=True)
class Config:
    digest: str
    policy: RoutingPolicy
    categories: tuple[Category, ...]  # active ones, in prompt order
    categories_by_slug: dict[str, Category]  # every one, active or not, with its queue
    rules: dict[str, tuple[Rule, ...]]  # enabled ones by stage, in evaluation order
    prices: dict[str, tuple[ModelPrice, ...]]  # by model, newest first
    queues: dict[str, Queue]  # by slug
    members: dict[int, tuple[tuple[int, int], ...]]  # queue id: (user id, capacity), active
    circuit: Circuit | None

    def price_in_force(self, model: str, day: date) -> ModelPrice | None:
        for price in self.prices.get(model, ()):
            if price.effective_from <= day:
                return price
        return None


_lock = threading.Lock()
_cached: Config | None = None
_local = threading.local()


def current() -> Config:
    """The configuration in force: the pinned one inside `pinned()`, else checked now."""
    return getattr(_local, "config", None) or _load()


@contextmanager
def pinned():
    """Read the configuration once and use it for everything inside (one triage)."""
    outer = getattr(_local, "config", None)
    _local.config = outer or _load()
    try:
        yield _local.config
    finally:
        _local.config = outer


def forget() -> None:
    """Drop the cached copy (the next read loads the rows again)."""
    global _cached
    with _lock:
        _cached = None


def _digest_sql() -> str:
    quote = connection.ops.quote_name
    parts = []
    for model in _TABLES:
        row = "to_jsonb(t)" + "".join(f" - '{column}'" for column in _VOLATILE.get(model, ()))
        parts.append(
            f"(SELECT md5(COALESCE(string_agg(({row})::text, ',' ORDER BY t.id), '')) "
            f"FROM {quote(model._meta.db_table)} t)"
        )
    # Memberships, and whether each member's account is still active (nothing else of users:
    # their rows change at every login).
    user = get_user_model()._meta
    parts.append(
        "(SELECT md5(COALESCE(string_agg(concat_ws(':', m.id, m.queue_id, m.user_id, "
        "m.capacity, m.is_active, u.is_active), ',' ORDER BY m.id), '')) "
        f"FROM {quote(QueueMembership._meta.db_table)} m "
        f"JOIN {quote(user.db_table)} u ON u.{quote(user.pk.column)} = m.user_id)"
    )
    return "SELECT md5(" + " || ".join(parts) + ")"


def digest() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_digest_sql())
        return cursor.fetchone()[0]


def _load() -> Config:
    global _cached
    now = digest()
    cached = _cached
    if cached is not None and cached.digest == now:
        return cached
    with _lock:
        if _seed_missing():
            now = digest()
        _cached = _read(now)
        return _cached


def _active_members() -> dict[int, tuple[tuple[int, int], ...]]:
    members: dict[int, list[tuple[int, int]]] = {}
    for queue_id, user_id, capacity in (
        QueueMembership.objects.filter(is_active=True, user__is_active=True)
        .order_by("queue_id", "user_id")
        .values_list("queue_id", "user_id", "capacity")
    ):
        members.setdefault(queue_id, []).append((user_id, capacity))
    return {queue_id: tuple(found) for queue_id, found in members.items()}


def _seed_missing() -> bool:
    """A database with no categories or no active policy (a fresh flush) gets the defaults:
    triage cannot choose a category from an empty set."""
    if Category.objects.exists() and RoutingPolicy.objects.filter(is_active=True).exists():
        return False
    defaults.seed_defaults(Queue, Category, RoutingPolicy)
    if not RoutingPolicy.objects.filter(is_active=True).exists():
        RoutingPolicy.objects.create(name="Default policy")
    return True


def _read(digest_now: str) -> Config:
    policy = (
        RoutingPolicy.objects.filter(is_active=True)
        .select_related("default_queue", "review_queue")
        .order_by("pk")
        .first()
    )
    categories = list(Category.objects.select_related("queue").order_by("position", "slug"))
    rules: dict[str, list[Rule]] = {}
    for rule in Rule.objects.filter(is_enabled=True).order_by("position", "pk"):
        rules.setdefault(rule.stage, []).append(rule)
    prices: dict[str, list[ModelPrice]] = {}
    for price in ModelPrice.objects.order_by("model", "-effective_from"):
        prices.setdefault(price.model, []).append(price)
    return Config(
        digest=digest_now,
        policy=policy,
        categories=tuple(c for c in categories if c.is_active),
        categories_by_slug={c.slug: c for c in categories},
        rules={stage: tuple(found) for stage, found in rules.items()},
        prices={model: tuple(found) for model, found in prices.items()},
        queues={q.slug: q for q in Queue.objects.all()},
        members=_active_members(),
        circuit=Circuit.anthropic(),
    )
