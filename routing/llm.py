"""The only module that talks to Anthropic: one client, one retry loop, one error type.

Facts from ANTHROPIC.md and the `anthropic` 2.12 source that shape this module:

- Retries live here and only here. The SDK retries by itself (2 retries by
  default, honouring `retry-after` with no cap), so the client is built with
  `max_retries=0`; otherwise SDK retries multiply with ours and with the
  task queue's, and a `retry-after: 60` parks a worker for a minute.
- The SDK's default timeout is 600 s; we set ANTHROPIC_TIMEOUT (30 s).
- One client per process: a client per call leaks connections. It is cached,
  keyed by (API key, base URL, timeout), so a settings change (tests pointing
  at the fake server) is honoured.
- The SDK is built on httpx2, so respx / pytest-httpx do not intercept it:
  tests run it against a loopback server (tests/fakes/anthropic.py).
- Structured output goes in `output_config` (a keyword in SDK 2.12), never a
  forced `tool_choice` (HTTP 400 on Sonnet/Opus 5.5). API version 2026-10-21
  rejects temperature / top_p / top_k: `LlmRequest` has no field for them.
- Not every failure is an `AnthropicError`: a 200 whose JSON body is cut off
  raises `json.JSONDecodeError`, and a 200 that is not JSON at all (a proxy's
  HTML page) comes back as a plain `str`. Both are transient here.
- An empty API key makes the SDK fail with `APIConnectionError` (an illegal
  `Bearer ` header) that looks transient; we refuse to build a client instead.
- A spend-limit 429 (`error.details.error_code`) is permanent until the month
  turns; retrying it is a storm, not a recovery.

No ORM here: callers record one ModelCall row per attempt through `on_attempt`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anthropic
from django.conf import settings

from routing.prices import Usage

log = logging.getLogger(__name__)
T = TypeVar("T")

# Exponential backoff between attempts never waits longer than this.
MAX_BACKOFF_SECONDS = 8.0

# `error.details.error_code` values that mean "no more money this period": permanent.
SPEND_LIMIT_CODES = frozenset(
    {
        "enforced_spend_limit_reached",
        "contract_spend_limit_reached",
        "linked_organization_spend_limit_reached",
    }
)
TRANSIENT_STATUSES = frozenset({408, 409, 429, 499})

# Batch results carry an error type but no HTTP status.
_STATUS_BY_ERROR_TYPE = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


@dataclass(frozen=True, kw_only=True)
class LlmRequest:
    """One Messages API request; `system` comes from routing.prompt, its prefix marked cacheable."""

    model: str
    system: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]]
    max_tokens: int = 1024
    output_schema: dict[str, Any] | None = None

    def params(self) -> dict[str, Any]:
        """The Messages API parameters, for `messages.create` and a batch item alike."""
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": self.messages,
        }
        if self.system:
            params["system"] = self.system
        if self.output_schema is not None:
            params["output_config"] = {
                "format": {"type": "json_schema", "schema": self.output_schema}
            }
        return params


@dataclass(frozen=True)
class Response:
    text: str  # the text blocks joined; validate it, the schema is not a guarantee
    stop_reason: str | None  # "refusal" or "max_tokens" break the structured-output guarantee
    usage: Usage | None  # None when the API sent none: record null tokens, don't crash
    request_id: str | None  # the `request-id` header; None for batch results
    latency_ms: int | None  # None for batch results
    model: str | None
    attempt: int = 1


class LlmError(Exception):
    """A failed call. `permanent`: retrying the same request cannot succeed now."""

    def __init__(
        self,
        message: str,
        permanent: bool,
        *,
        status: int | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        usage: Usage | None = None,
        spend_limit: bool = False,
        latency_ms: int | None = None,
        attempt: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.error_type = error_type
        self.request_id = request_id
        self.retry_after = retry_after
        self.usage = usage
        self.spend_limit = spend_limit
        self.latency_ms = latency_ms
        self.attempt = attempt

    def __repr__(self) -> str:
        kind = "permanent" if self.permanent else "transient"
        return f"LlmError({self.message!r}, {kind}, status={self.status})"


# --- The client -----------------------------------------------------------------------

_client_lock = threading.Lock()
_client: anthropic.Anthropic | None = None
_client_key: tuple[str, str, float] | None = None


def get_client() -> anthropic.Anthropic:
    """The process's client, rebuilt only when the key, base URL or timeout setting changes."""
    global _client, _client_key
    api_key = settings.ANTHROPIC_API_KEY or ""
    key = (api_key, settings.ANTHROPIC_BASE_URL or "", float(settings.ANTHROPIC_TIMEOUT))
    with _client_lock:
        if _client is not None and _client_key == key:
            return _client
        if not api_key:
            raise LlmError(
                "ANTHROPIC_API_KEY is not set", permanent=True, error_type="not_configured"
            )
        previous = _client
        _client = anthropic.Anthropic(
            api_key=api_key,
            base_url=key[1] or None,
            timeout=key[2],
            max_retries=0,  # retries are owned by _retrying(), below
        )
        _client_key = key
    if previous is not None:
        previous.close()
    return _client


def reset_client() -> None:
    """Close and forget the cached client (tests switching fake servers)."""
    global _client, _client_key
    with _client_lock:
        previous, _client, _client_key = _client, None, None
    if previous is not None:
        previous.close()


# --- Calls ----------------------------------------------------------------------------


def call(
    request: LlmRequest,
    *,
    attempts: int | None = None,
    on_attempt: Callable[[int, Response | LlmError], None] | None = None,
    before_attempt: Callable[[int], None] | None = None,
) -> Response:
    """Send one Messages request, retrying transient failures with backoff.

    `before_attempt(attempt_no)` runs just before each real API call, so the
    caller can record the call before it happens: a worker killed mid-call
    still leaves its row. `on_attempt(attempt_no, response_or_error)` runs
    after every real API call, success or failure, before any backoff: the
    caller completes that row there, so failed attempts are costed too. Raises LlmError after
    a permanent failure or when `attempts` (default ANTHROPIC_MAX_ATTEMPTS) run out.
    """

    def once(attempt: int) -> Response:
        client = get_client()  # raises before anything is sent when no key is set
        if before_attempt is not None:
            before_attempt(attempt)
        started = time.monotonic()
        try:
            message = client.messages.create(**request.params())
        except (anthropic.AnthropicError, json.JSONDecodeError) as exc:
            raise _error_from(exc, latency_ms=_ms_since(started), attempt=attempt) from exc
        if not isinstance(message, anthropic.types.Message):
            raise LlmError(
                f"response was not a message: {str(message)[:200]!r}",
                permanent=False,
                error_type="malformed_response",
                latency_ms=_ms_since(started),
                attempt=attempt,
            )
        return _response(
            message,
            latency_ms=_ms_since(started),
            attempt=attempt,
            request_id=getattr(message, "_request_id", None),
        )

    return _retrying(once, attempts=attempts, on_attempt=on_attempt)


def count_tokens(request: LlmRequest, *, attempts: int | None = None) -> int:
    """Input tokens the request would use (the count_tokens endpoint is free)."""

    def once(attempt: int) -> int:
        params = request.params()
        del params["max_tokens"]
        started = time.monotonic()
        try:
            counted = get_client().messages.count_tokens(**params)
        except (anthropic.AnthropicError, json.JSONDecodeError) as exc:
            raise _error_from(exc, latency_ms=_ms_since(started), attempt=attempt) from exc
        input_tokens = _get(counted, "input_tokens")
        if not isinstance(input_tokens, int):
            raise LlmError(
                f"count_tokens answer without a count: {str(counted)[:200]!r}",
                permanent=False,
                error_type="malformed_response",
                latency_ms=_ms_since(started),
                attempt=attempt,
            )
        return input_tokens

    return _retrying(once, attempts=attempts)


def _retrying(
    once: Callable[[int], T],
    *,
    attempts: int | None,
    on_attempt: Callable[[int, Any], None] | None = None,
) -> T:
    attempts = settings.ANTHROPIC_MAX_ATTEMPTS if attempts is None else attempts
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, not {attempts}")
    for attempt in range(1, attempts + 1):
        try:
            result = once(attempt)
        except LlmError as error:
            if error.attempt is None:
                error.attempt = attempt
            # Without a key no request left the process: there is no call to record.
            if on_attempt is not None and error.error_type != "not_configured":
                on_attempt(attempt, error)
            if error.permanent or attempt == attempts:
                raise
            delay = _backoff(attempt, error.retry_after)
            log.warning(
                "Anthropic attempt %d/%d failed (%r); retrying in %.2fs",
                attempt,
                attempts,
                error,
                delay,
            )
            time.sleep(delay)
            continue
        if on_attempt is not None:
            on_attempt(attempt, result)
        return result
    raise AssertionError("unreachable: the last attempt returns or raises")


def _backoff(attempt: int, retry_after: float | None) -> float:
    """The server's retry-after when it gave one (capped), else exponential with jitter."""
    cap = float(settings.ANTHROPIC_RETRY_AFTER_CAP)
    if retry_after is not None and retry_after >= 0:
        # A little extra so a crowd of workers does not come back in the same millisecond.
        return min(retry_after, cap) * random.uniform(1.0, 1.1)
    base = settings.ANTHROPIC_BACKOFF_MS / 1000 * 2 ** (attempt - 1)
    return min(base, MAX_BACKOFF_SECONDS, cap) * random.uniform(0.5, 1.0)


# --- Batches --------------------------------------------------------------------------


def submit_batch(items: list[tuple[str, LlmRequest]]) -> str:
    """Create a Message Batch (50% off, results within 24 h); returns its id.

    Not retried here: creating a batch is not idempotent, and a timed-out create
    may have succeeded. The caller's task retries, after checking what exists.
    """
    requests = [
        {"custom_id": custom_id, "params": request.params()} for custom_id, request in items
    ]
    started = time.monotonic()
    try:
        batch = get_client().messages.batches.create(requests=requests)
        return batch.id
    except (anthropic.AnthropicError, json.JSONDecodeError, AttributeError) as exc:
        raise _error_from(exc, latency_ms=_ms_since(started), attempt=1) from exc


def batch_status(batch_id: str) -> dict[str, Any]:
    """`{"processing_status": "in_progress" | "canceling" | "ended", "counts": {...}}`."""
    started = time.monotonic()
    try:
        batch = get_client().messages.batches.retrieve(batch_id)
        counts = batch.request_counts
        return {
            "processing_status": batch.processing_status,
            "counts": {
                name: getattr(counts, name, 0) or 0
                for name in ("processing", "succeeded", "errored", "canceled", "expired")
            },
        }
    except (anthropic.AnthropicError, json.JSONDecodeError, AttributeError) as exc:
        raise _error_from(exc, latency_ms=_ms_since(started), attempt=1) from exc


def batch_results(batch_id: str) -> Iterator[tuple[str, Response | LlmError]]:
    """Each request's outcome, keyed on custom_id (the API does not keep request order).

    Succeeded requests become a Response (no request id, no latency: bill them
    at the batch rate); errored, expired and canceled ones an LlmError. A batch
    that has not ended, or a failure fetching the results, raises LlmError.
    """
    try:
        results = get_client().messages.batches.results(batch_id)
        for item in results:
            yield item.custom_id, _batch_outcome(item.result)
    except (anthropic.AnthropicError, json.JSONDecodeError, AttributeError) as exc:
        if type(exc) is anthropic.AnthropicError and "results_url" in str(exc):
            raise LlmError(
                f"batch {batch_id} has no results yet",
                permanent=False,
                error_type="batch_not_ended",
            ) from exc
        raise _error_from(exc, latency_ms=None, attempt=1) from exc


# Batch outcomes that mean the request was never processed: nothing to record or bill.
BATCH_UNPROCESSED = ("expired", "canceled")


def _batch_outcome(result: Any) -> Response | LlmError:
    kind = getattr(result, "type", None)
    if kind == "succeeded":
        return _response(result.message, latency_ms=None, attempt=1, request_id=None)
    if kind == "errored":
        error = _get(_get(result, "error"), "error")
        error_type = _get(error, "type") or "api_error"
        status = _STATUS_BY_ERROR_TYPE.get(error_type, 500)
        details = _get(error, "details")
        spend_limit = _get(details, "error_code") in SPEND_LIMIT_CODES
        return LlmError(
            f"batch request {error_type}: {_get(error, 'message') or ''}",
            permanent=_is_permanent(status, spend_limit),
            status=status,
            error_type=error_type,
            request_id=_get(_get(result, "error"), "request_id"),
            spend_limit=spend_limit,
            attempt=1,
        )
    # expired (not processed within 24 h) or canceled: the request itself is fine.
    return LlmError(f"batch request {kind}", permanent=False, error_type=str(kind), attempt=1)


# --- Parsing and classification -------------------------------------------------------


def _response(
    message: Any, *, latency_ms: int | None, attempt: int, request_id: str | None
) -> Response:
    content = _get(message, "content") or []
    text = "".join(_get(block, "text") or "" for block in content if _get(block, "type") == "text")
    return Response(
        text=text,
        stop_reason=_get(message, "stop_reason"),
        usage=_usage(_get(message, "usage")),
        request_id=request_id,
        latency_ms=latency_ms,
        model=_get(message, "model"),
        attempt=attempt,
    )


def _usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    split = _get(usage, "cache_creation")
    return Usage(
        input_tokens=_get(usage, "input_tokens"),
        output_tokens=_get(usage, "output_tokens"),
        cache_creation_input_tokens=_get(usage, "cache_creation_input_tokens"),
        cache_creation_5m_tokens=_get(split, "ephemeral_5m_input_tokens"),
        cache_creation_1h_tokens=_get(split, "ephemeral_1h_input_tokens"),
        cache_read_input_tokens=_get(usage, "cache_read_input_tokens"),
    )


def _get(obj: Any, name: str) -> Any:
    """A field from an SDK model or a plain dict; lenient parsing can leave either, or None."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _is_permanent(status: int | None, spend_limit: bool) -> bool:
    if spend_limit:
        return True
    if status is None:
        return False
    return 400 <= status < 500 and status not in TRANSIENT_STATUSES


def _error_from(exc: BaseException, *, latency_ms: int | None, attempt: int) -> LlmError:
    if isinstance(exc, LlmError):
        return exc
    common = {"latency_ms": latency_ms, "attempt": attempt}
    if isinstance(exc, anthropic.APITimeoutError):
        return LlmError("request timed out", permanent=False, error_type="timeout", **common)
    if isinstance(exc, anthropic.APIConnectionError):
        cause = exc.__cause__ or exc
        return LlmError(
            f"connection error: {cause!r}"[:300],
            permanent=False,
            error_type="connection_error",
            **common,
        )
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        error_type = exc.type or f"http_{status}"
        spend_limit = exc.error_code in SPEND_LIMIT_CODES
        return LlmError(
            f"HTTP {status} {error_type}: {exc.api_message or ''}".strip()[:500],
            permanent=_is_permanent(status, spend_limit),
            status=status,
            error_type=exc.error_code if spend_limit else error_type,
            request_id=exc.request_id or _get(exc.body, "request_id"),
            retry_after=_retry_after(exc.response.headers),
            spend_limit=spend_limit,
            **common,
        )
    if isinstance(exc, anthropic.CredentialsError):
        return LlmError(str(exc), permanent=True, error_type="not_configured", **common)
    # A body that is not the JSON it claims to be, or a model the SDK could not build.
    return LlmError(
        f"malformed response: {exc}"[:300],
        permanent=False,
        error_type="malformed_response",
        **common,
    )


def _retry_after(headers: Any) -> float | None:
    """`retry-after-ms` (Anthropic's, precise), else `retry-after` in seconds or as a date."""
    try:
        return max(float(headers.get("retry-after-ms")) / 1000, 0.0)
    except (TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
