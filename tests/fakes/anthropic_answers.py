"""What the fake Anthropic API answers with: messages, errors, raw and dropped answers,
token counts, and the batches it holds (tests/fakes/anthropic.py serves them)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def new_request_id() -> str:
    return f"req_fake_{uuid.uuid4().hex[:20]}"


def estimate_tokens(payload: Any) -> int:
    """About four characters a token: enough for tests that only need a plausible number."""
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return max(1, len(text) // 4)


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _error_body(error_type: str, message: str, details: dict | None, request_id: str) -> dict:
    error: dict[str, Any] = {"type": error_type, "message": message}
    if details is not None:
        error["details"] = details
    return {"type": "error", "error": error, "request_id": request_id}


# --- Answers ------------------------------------------------------------------------


@dataclass
class FakeMessage:
    """A 200 Messages API answer whose single text block is `text`."""

    text: str
    usage: dict[str, Any] | None = None  # overrides the estimated counts
    omit_usage: bool = False
    stop_reason: str = "end_turn"
    stop_details: dict[str, Any] | None = None
    model: str | None = None  # None: echo the requested model
    delay: float = 0

    def message(self, request_json: dict) -> dict:
        body: dict[str, Any] = {
            "id": f"msg_fake_{uuid.uuid4().hex[:20]}",
            "type": "message",
            "role": "assistant",
            "model": self.model or request_json.get("model") or "claude-haiku-5-5",
            "content": [{"type": "text", "text": self.text}],
            "stop_reason": self.stop_reason,
            "stop_sequence": None,
        }
        if self.stop_details is not None:
            body["stop_details"] = self.stop_details
        if not self.omit_usage:
            usage = {
                "input_tokens": estimate_tokens(
                    {key: request_json.get(key) for key in ("system", "messages")}
                ),
                "output_tokens": estimate_tokens(self.text),
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            }
            usage.update(self.usage or {})
            body["usage"] = usage
        return body

    def render(self, request_json: dict, request_id: str) -> tuple[int, dict[str, str], bytes]:
        return (
            200,
            {"content-type": "application/json"},
            json.dumps(self.message(request_json)).encode(),
        )

    def batch_result(self, params: dict) -> dict:
        return {"type": "succeeded", "message": self.message(params)}


@dataclass
class FakeError:
    """An API error answer: `{"type": "error", "error": {...}, "request_id": ...}`."""

    status: int
    error_type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] | None = None
    delay: float = 0

    def render(self, request_json: dict, request_id: str) -> tuple[int, dict[str, str], bytes]:
        body = _error_body(self.error_type, self.message, self.details, request_id)
        headers = {"content-type": "application/json", **self.headers}
        return self.status, headers, json.dumps(body).encode()

    def batch_result(self, params: dict) -> dict:
        # Inside a batch the error travels as an ErrorResponse without an HTTP status.
        return {
            "type": "errored",
            "error": _error_body(self.error_type, self.message, self.details, new_request_id()),
        }


@dataclass
class FakeRaw:
    """Any bytes with any status: malformed JSON, an HTML page from a proxy, ..."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0

    def render(self, request_json: dict, request_id: str) -> tuple[int, dict[str, str], bytes]:
        return self.status, {"content-type": self.content_type, **self.headers}, self.body

    def batch_result(self, params: dict) -> dict:
        # A batch line cannot be half-broken JSON; a server-side failure is what it stands for.
        return {
            "type": "errored",
            "error": _error_body("api_error", "Internal server error", None, new_request_id()),
        }


@dataclass
class FakeDrop:
    """Close the connection without answering: the client sees a connection error."""

    delay: float = 0

    def batch_result(self, params: dict) -> dict:
        return FakeRaw(b"").batch_result(params)


@dataclass
class FakeCount:
    """A count_tokens answer."""

    input_tokens: int
    delay: float = 0

    def render(self, request_json: dict, request_id: str) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps({"input_tokens": self.input_tokens}).encode()
        return 200, {"content-type": "application/json"}, body


Answer = FakeMessage | FakeError | FakeRaw | FakeDrop | FakeCount


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    json: Any  # None when the body was empty or not JSON
    status: int | None = None  # what the fake answered; None until answered, or dropped


@dataclass
class FakeBatch:
    """One Message Batch; tests may edit `results` (custom_id -> result object) directly."""

    id: str
    requests: list[dict]
    results: dict[str, dict]
    polls_left: int
    created_at: str = field(default_factory=now_iso)
    ended_at: str | None = None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if not self.ended:
            counts["processing"] = len(self.requests)
            return counts
        for result in self.results.values():
            counts[result["type"]] += 1
        return counts
