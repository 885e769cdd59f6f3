"""A fake Anthropic Messages API: a real HTTP server on loopback, reached by the real SDK.

Why a server and not respx or pytest-httpx: the `anthropic` 2.x SDK is built on
httpx2, so those libraries silently stop intercepting (ANTHROPIC.md). Pointing
the SDK's `base_url` at this server exercises its real request building,
headers, response parsing and error mapping.

It serves `POST /v1/messages`, `POST /v1/messages/count_tokens` and the Message
Batches API (create, retrieve, JSONL results at the `results_url` it hands out).
Answers are scripted per endpoint and served first in, first out; when a script
is empty, `fake.default(request_json)` decides (a JSON-able object or text for
the answer, or any `Fake*` answer object). Every request is recorded in
`fake.requests`, with the status it was answered (`status`). Other processes
reach it by `base_url` (ANTHROPIC_BASE_URL); `port=` pins where it listens.

Fault shortcuts never ask the client to sleep for long: rate limits carry a
small `retry-after-ms`, and slow answers wake up as soon as the server stops.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.anthropic_answers import (
    Answer,
    FakeBatch,
    FakeCount,
    FakeDrop,
    FakeError,
    FakeMessage,
    FakeRaw,
    RecordedRequest,
    estimate_tokens,
    new_request_id,
    now_iso,
)

MESSAGES = "messages"
COUNT_TOKENS = "count_tokens"
BATCH_CREATE = "batch_create"
BATCH_RETRIEVE = "batch_retrieve"
BATCH_RESULTS = "batch_results"
ENDPOINTS = (MESSAGES, COUNT_TOKENS, BATCH_CREATE, BATCH_RETRIEVE, BATCH_RESULTS)

_BATCH_PATH = re.compile(r"^/v1/messages/batches/(?P<id>[A-Za-z0-9_-]+)(?P<results>/results)?$")


# --- The server -----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive, as the real API: the SDK's connection pool is exercised too.
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is dropped after this
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    do_POST = do_GET
    do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeAnthropic) -> None:
        super().__init__(("127.0.0.1", fake.port), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is a scripted outcome, not a failure.
        pass


class FakeAnthropic:
    """The fake API. `with FakeAnthropic() as fake:` or `start()` / `stop()`."""

    def __init__(self, *, api_key: str | None = None, batch_polls: int = 1, port: int = 0) -> None:
        # None: any non-empty key is accepted; a missing one is always a 401.
        self.api_key = api_key
        self.port = port  # 0: any free port
        # How many batch retrieves report `in_progress` before the batch has `ended`.
        self.batch_polls = batch_polls
        self.default: Callable[[dict], Any] | None = None
        self.requests: list[RecordedRequest] = []
        self.batches: dict[str, FakeBatch] = {}
        self._script: dict[str, deque[Answer]] = {name: deque() for name in ENDPOINTS}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> FakeAnthropic:
        self._stopping.clear()
        self._server = _Server(self)
        # A short poll keeps stop() (it waits for the serve loop) from adding 0.5 s a test.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-anthropic",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow answers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeAnthropic is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- scripting

    def queue(self, answer: Answer, *, endpoint: str = MESSAGES) -> Answer:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
        with self._lock:
            self._script[endpoint].append(answer)
        return answer

    def reply(
        self,
        answer: Any,
        *,
        usage: dict[str, Any] | None = None,
        stop_reason: str = "end_turn",
        model: str | None = None,
        delay: float = 0,
    ) -> FakeMessage:
        """Queue a 200 answer: a str is the text as is, anything else is dumped as JSON."""
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return self.queue(
            FakeMessage(text, usage=usage, stop_reason=stop_reason, model=model, delay=delay)
        )

    def fail(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
        delay: float = 0,
        endpoint: str = MESSAGES,
    ) -> FakeError:
        error = FakeError(status, error_type, message, headers or {}, details, delay)
        return self.queue(error, endpoint=endpoint)

    def count(self, input_tokens: int) -> FakeCount:
        """Queue the next count_tokens answer (by default it is estimated from the request)."""
        return self.queue(FakeCount(input_tokens), endpoint=COUNT_TOKENS)

    # Fault shortcuts. `endpoint` lets the same fault hit count_tokens or the batch calls.

    def rate_limited(self, *, retry_after_ms: int = 10, endpoint: str = MESSAGES) -> FakeError:
        return self.fail(
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit.",
            headers={"retry-after-ms": str(retry_after_ms)},
            endpoint=endpoint,
        )

    def spend_limit(self, *, endpoint: str = MESSAGES) -> FakeError:
        """The 429 a workspace at its monthly spend limit gets: permanent until the month turns."""
        return self.fail(
            429,
            "rate_limit_error",
            "You have reached your specified API usage limits. "
            "You will regain access on 2026-12-01 at 00:00 UTC.",
            details={"error_code": "enforced_spend_limit_reached"},
            endpoint=endpoint,
        )

    def overloaded(
        self, *, retry_after_ms: int | None = None, endpoint: str = MESSAGES
    ) -> FakeError:
        headers = {} if retry_after_ms is None else {"retry-after-ms": str(retry_after_ms)}
        return self.fail(529, "overloaded_error", "Overloaded", headers=headers, endpoint=endpoint)

    def server_error(self, *, endpoint: str = MESSAGES) -> FakeError:
        return self.fail(500, "api_error", "Internal server error", endpoint=endpoint)

    def unauthorized(self, *, endpoint: str = MESSAGES) -> FakeError:
        return self.fail(401, "authentication_error", "invalid x-api-key", endpoint=endpoint)

    def forbidden(self, *, endpoint: str = MESSAGES) -> FakeError:
        return self.fail(
            403,
            "permission_error",
            "Your API key does not have permission to use the specified resource.",
            endpoint=endpoint,
        )

    def bad_request(
        self, message: str = "messages: field required", *, endpoint: str = MESSAGES
    ) -> FakeError:
        return self.fail(400, "invalid_request_error", message, endpoint=endpoint)

    def slow(self, seconds: float, answer: Any = None) -> FakeMessage:
        """A 200 that starts only after `seconds`: set the client timeout below it."""
        text = "{}" if answer is None else answer if isinstance(answer, str) else json.dumps(answer)
        return self.queue(FakeMessage(text, delay=seconds))

    def malformed(
        self,
        body: bytes = b'{"id": "msg_01", "type": "message", "content": [{"ty',
        *,
        content_type: str = "application/json",
        status: int = 200,
        endpoint: str = MESSAGES,
    ) -> FakeRaw:
        """A response body that is not JSON although it says so (a cut-off answer)."""
        return self.queue(
            FakeRaw(body, status=status, content_type=content_type), endpoint=endpoint
        )

    def drop_connection(self, *, endpoint: str = MESSAGES) -> FakeDrop:
        return self.queue(FakeDrop(), endpoint=endpoint)

    def reply_not_json(
        self, text: str = "Sure! This lead looks like a demo request."
    ) -> FakeMessage:
        """Valid API answer whose text is prose, not the JSON the schema asked for."""
        return self.reply(text)

    def reply_off_schema(self, answer: Any = None) -> FakeMessage:
        """Valid JSON text that breaks the schema: unknown keys, missing required ones."""
        return self.reply(answer if answer is not None else {"verdict": "hot", "extra": True})

    def refusal(self, text: str = "") -> FakeMessage:
        return self.queue(
            FakeMessage(
                text,
                stop_reason="refusal",
                stop_details={"type": "refusal", "category": None, "explanation": None},
            )
        )

    def reply_without_usage(self, answer: Any) -> FakeMessage:
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return self.queue(FakeMessage(text, omit_usage=True))

    # -- inspection

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [
                request
                for request in self.requests
                if request.path == path and (method is None or request.method == method)
            ]

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            return self.requests[-1]

    # -- serving

    def _next(self, endpoint: str, request_json: Any) -> Answer:
        with self._lock:
            if self._script[endpoint]:
                return self._script[endpoint].popleft()
        if endpoint == COUNT_TOKENS:
            return FakeCount(estimate_tokens(request_json))
        if endpoint != MESSAGES:
            return None  # type: ignore[return-value]  # the endpoint's normal behaviour
        answer = self.default(request_json) if self.default is not None else {}
        if isinstance(answer, FakeMessage | FakeError | FakeRaw | FakeDrop):
            return answer
        return FakeMessage(answer if isinstance(answer, str) else json.dumps(answer))

    def _handle(self, handler: _Handler) -> None:
        raw_path, _, query = handler.path.partition("?")
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        try:
            request_json = json.loads(body) if body else None
        except ValueError:
            request_json = None
        headers = {name.lower(): value for name, value in handler.headers.items()}
        recorded = RecordedRequest(handler.command, raw_path, query, headers, body, request_json)
        with self._lock:
            self.requests.append(recorded)
        request_id = new_request_id()

        if not self._authorized(headers):
            message = "x-api-key header is required" if not self._key(headers) else "invalid key"
            error = FakeError(401, "authentication_error", message)
            self._send(handler, error, None, request_id, recorded)
            return

        method, match = handler.command, _BATCH_PATH.match(raw_path)
        if method == "POST" and raw_path == "/v1/messages":
            answer = self._next(MESSAGES, request_json or {})
        elif method == "POST" and raw_path == "/v1/messages/count_tokens":
            answer = self._next(COUNT_TOKENS, request_json or {})
        elif method == "POST" and raw_path == "/v1/messages/batches":
            answer = self._next(BATCH_CREATE, request_json) or self._create_batch(request_json)
        elif method == "GET" and match and not match["results"]:
            answer = self._next(BATCH_RETRIEVE, None) or self._retrieve_batch(match["id"])
        elif method == "GET" and match:
            answer = self._next(BATCH_RESULTS, None) or self._batch_results(match["id"])
        else:
            answer = FakeError(404, "not_found_error", f"{method} {raw_path} not found")
        self._send(handler, answer, request_json or {}, request_id, recorded)

    def _key(self, headers: dict[str, str]) -> str:
        # SDK 2.x sends `Authorization: Bearer`, 1.x sent `x-api-key`: accept both.
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            return bearer[7:].strip()
        return headers.get("x-api-key", "").strip()

    def _authorized(self, headers: dict[str, str]) -> bool:
        key = self._key(headers)
        return bool(key) and (self.api_key is None or key == self.api_key)

    def _send(
        self,
        handler: _Handler,
        answer: Answer,
        request_json: Any,
        request_id: str,
        recorded: RecordedRequest | None = None,
    ) -> None:
        if answer.delay and self._stopping.wait(answer.delay):
            handler.close_connection = True
            return
        if isinstance(answer, FakeDrop):
            handler.close_connection = True
            return
        status, headers, body = answer.render(request_json, request_id)
        if recorded is not None:
            recorded.status = status
        try:
            handler.send_response(status)
            for name, value in {**headers, "request-id": request_id}.items():
                handler.send_header(name, value)
            handler.send_header("content-length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout test): nothing to answer.
            handler.close_connection = True

    # -- batches

    def _create_batch(self, request_json: Any) -> FakeRaw | FakeError:
        requests = (request_json or {}).get("requests") or []
        if not requests:
            return FakeError(400, "invalid_request_error", "requests: at least one is required")
        batch_id = f"msgbatch_fake_{uuid.uuid4().hex[:20]}"
        results = {}
        for item in requests:
            # Each item takes the next scripted Messages answer, as a direct call would.
            answer = self._next(MESSAGES, item.get("params") or {})
            results[item["custom_id"]] = answer.batch_result(item.get("params") or {})
        batch = FakeBatch(batch_id, requests, results, polls_left=self.batch_polls)
        with self._lock:
            self.batches[batch_id] = batch
        return self._batch_answer(batch)

    def _retrieve_batch(self, batch_id: str) -> FakeRaw | FakeError:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return FakeError(404, "not_found_error", f"batch {batch_id} not found")
            if batch.polls_left > 0:
                batch.polls_left -= 1
            elif not batch.ended:
                batch.ended_at = now_iso()
        return self._batch_answer(batch)

    def _batch_answer(self, batch: FakeBatch) -> FakeRaw:
        created = datetime.fromisoformat(batch.created_at.replace("Z", "+00:00"))
        body = {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if batch.ended else "in_progress",
            "request_counts": batch.counts(),
            "created_at": batch.created_at,
            "ended_at": batch.ended_at,
            "expires_at": (created + timedelta(hours=24)).isoformat().replace("+00:00", "Z"),
            "archived_at": None,
            "cancel_initiated_at": None,
            # The SDK follows this URL for results: point it back at this server.
            "results_url": (
                f"{self.base_url}/v1/messages/batches/{batch.id}/results" if batch.ended else None
            ),
        }
        return FakeRaw(json.dumps(body).encode())

    def _batch_results(self, batch_id: str) -> FakeRaw | FakeError:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return FakeError(404, "not_found_error", f"batch {batch_id} not found")
            if not batch.ended:
                return FakeError(
                    400, "invalid_request_error", "Batch is still processing; results not ready"
                )
            lines = [
                json.dumps({"custom_id": custom_id, "result": result})
                for custom_id, result in batch.results.items()
            ]
        body = "".join(line + "\n" for line in lines).encode()
        return FakeRaw(body, content_type="application/binary")
