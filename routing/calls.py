"""The API calls of triage: each one recorded as a ModelCall, priced, and failures sorted.

A row is created before each real call and completed after it (tokens, the
price in force, latency, request id, error), each committed at once: the
record matches the calls the API really received, a killed worker's included.
"""

import logging
import threading
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from routing import config, llm, prices, rows
from routing.models import Circuit, ModelCall, ModelPrice

logger = logging.getLogger(__name__)

# Errors about the account (key, permissions, model access, billing) open the circuit.
ACCOUNT_ERRORS = {401, 402, 403, 404}


class TransientFailure(Exception):
    """The API stayed unavailable through every attempt: decide provisionally, retry later."""


class PermanentFailure(Exception):
    """The API refused this request for good (400, 413): a person decides; no retry."""


def call_model(lead, request, *, tier: int, purpose: str, cooldown_seconds: int) -> llm.Response:
    """Call the API; one ModelCall row per real call, created before the call and
    completed after it, each committed at once (no transaction is open here)."""
    made: dict[int, ModelCall] = {}

    def before_attempt(attempt: int) -> None:
        made[attempt] = rows.insert(
            ModelCall(
                lead=lead,
                model=request.model,
                tier=tier,
                purpose=purpose,
                retries=attempt - 1,
                error="no answer recorded (the call was interrupted)",
            )
        )

    def on_attempt(attempt: int, outcome) -> None:
        complete_call(made[attempt], outcome)

    try:
        return llm.call(
            request,
            attempts=settings.ANTHROPIC_MAX_ATTEMPTS,
            before_attempt=before_attempt,
            on_attempt=on_attempt,
        )
    except llm.LlmError as exc:
        if exc.permanent and (exc.spend_limit or exc.status in ACCOUNT_ERRORS):
            # The account, not this lead: stop calling for everyone for a cool-down.
            open_circuit(
                f"{exc.status or ''} {exc.error_type or ''}: {exc}".strip(), cooldown_seconds
            )
        elif exc.permanent:
            raise PermanentFailure(str(exc)[:200]) from exc
        raise TransientFailure(str(exc)[:200]) from exc


def complete_call(call: ModelCall, outcome) -> ModelCall:
    """Fill in a ModelCall from the answer or the error: tokens, price, latency, request id."""
    usage = outcome.usage
    call.price = price_in_force(call.model, call.created_at)
    call.completed_at = timezone.now()
    call.latency_ms = getattr(outcome, "latency_ms", None)
    call.request_id = (outcome.request_id or "")[:100]
    call.error = ""
    if usage is not None:
        call.input_tokens = usage.input_tokens
        call.output_tokens = usage.output_tokens
        call.cache_creation_input_tokens = usage.cache_creation_input_tokens
        call.cache_creation_5m_tokens = usage.cache_creation_5m_tokens
        call.cache_creation_1h_tokens = usage.cache_creation_1h_tokens
        call.cache_read_input_tokens = usage.cache_read_input_tokens
        call.cost_usd = prices.cost(usage, call.price, batch=call.batch) if call.price else None
    if isinstance(outcome, llm.LlmError):
        call.error = str(outcome)[:2000]
        call.error_type = (outcome.error_type or type(outcome).__name__)[:60]
    else:
        call.stop_reason = (outcome.stop_reason or "")[:30]
        call.answer = outcome.text or ""
        if usage is None:
            call.error = "response carried no usage"
    if call.pk is None:
        call.save()
    else:
        rows.update(call, COMPLETED_FIELDS)
    return call


# What complete_call fills in on a row created before the call.
COMPLETED_FIELDS = [
    "price",
    "completed_at",
    "latency_ms",
    "request_id",
    "error",
    "error_type",
    "stop_reason",
    "answer",
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_creation_5m_tokens",
    "cache_creation_1h_tokens",
    "cache_read_input_tokens",
    "cost_usd",
]


def price_in_force(model: str, at) -> ModelPrice | None:
    return config.current().price_in_force(model, at.date())


def spend_today() -> Decimal:
    """Spend since local midnight (TIME_ZONE), the day the daily budget and dashboard use.

    Every lead asks, so each process sums the day once and then only the calls since: calls
    made more than SETTLED_AFTER ago are final (a call's row is completed within the API
    timeout, or never: a killed worker's), so their sum is kept and only newer rows are read
    again. Inside a transaction (tests, an admin action) rows may still roll back: there the
    whole day is summed."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    if connection.in_atomic_block:
        return _spend_between(start, None)[1]
    boundary = max(start, timezone.now() - SETTLED_AFTER)
    with _spend_lock:
        if _spend["start"] != start or boundary < _spend["until"]:  # a new day, or clock reset
            _spend.update(start=start, until=start, settled=Decimal("0"))
        newly_settled, unsettled = _spend_between(_spend["until"], boundary)
        _spend["settled"] += newly_settled
        _spend["until"] = boundary
        return _spend["settled"] + unsettled


# A call's row is completed within ANTHROPIC_TIMEOUT of its creation, with room to spare.
SETTLED_AFTER = timedelta(seconds=max(60, 2 * settings.ANTHROPIC_TIMEOUT))
_spend_lock = threading.Lock()
_spend: dict = {"start": None, "until": None, "settled": Decimal("0")}


def forget_spend() -> None:
    """Drop the kept sum (the next spend_today() sums the whole day again)."""
    with _spend_lock:
        _spend.update(start=None, until=None, settled=Decimal("0"))


def _spend_between(since, boundary) -> tuple[Decimal, Decimal]:
    """(cost of calls made from `since` to before `boundary`, cost of those from it on)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(cost_usd) FILTER (WHERE created_at < %s), 0), "
            f"COALESCE(SUM(cost_usd) FILTER (WHERE created_at >= %s), 0) "
            f"FROM {ModelCall._meta.db_table} WHERE created_at >= %s AND purpose <> %s",
            # Evaluation calls (`evaluate_router`) are not triage's spend: no lead pays for them.
            [boundary or since, boundary or since, since, ModelCall.Purpose.EVALUATION],
        )
        return cursor.fetchone()


def open_circuit(reason: str, cooldown_seconds: int) -> None:
    now = timezone.now()
    Circuit.objects.update_or_create(
        name=Circuit.ANTHROPIC,
        defaults={
            "open_until": now + timedelta(seconds=cooldown_seconds),
            "reason": reason[:300],
            "opened_at": now,
        },
    )
    logger.error("Anthropic circuit opened: %s", reason)
