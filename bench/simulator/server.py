"""The simulated Messages API over HTTP: what the real SDK reaches at ANTHROPIC_BASE_URL.

It serves `POST /v1/messages`, `POST /v1/messages/count_tokens` and the Message Batches
API (create, retrieve, JSONL results), with the shapes the real API uses, a `request-id`
header on every answer, and any non-empty key (`Authorization: Bearer` or `x-api-key`).
Each answer is valid triage-contract JSON drawn by bench/simulator/model.py; usage bills as
input what the request sends and a fixed output per tier. Nothing in an answer claims to
come from Claude: ids say `sim`, and the summary names the simulation.

It is its own small server, not tests/fakes/anthropic.py: that one is scripted per test and
injects faults; this one only answers, and the demo (product code) runs it.
"""

import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.simulator import reading
from bench.simulator.model import NEXT_ACTION, Parameters, draw, tier_of, truth_from_label

EMAIL = re.compile(r"<<<EMAIL (\w+)>>>\n(.*?)\n<<<END \1>>>", re.DOTALL)
REPLICA = re.compile(r"^(.+)\+r(\d+)(@.+)$")
SENDER = re.compile(r"^From: (?:.*<)?([^\s<>]+@[^\s<>]+?)>?$", re.MULTILINE)
NO_FACT = {"value": None, "evidence": ""}
FACT_NUMBERS = {"budget": "amount_usd", "company_size": "employees"}
_BATCH = re.compile(r"^/v1/messages/batches/(?P<id>[A-Za-z0-9_-]+)(?P<results>/results)?$")


def input_tokens(request: dict) -> int:
    """What the request bills as input, estimated from what it sends: the system prompt, the
    messages (tier 1's draft included, when there is one) and the output schema, at about four
    characters a token."""
    system = request.get("system") or []
    texts = [system] if isinstance(system, str) else [block.get("text", "") for block in system]
    for message in request.get("messages") or []:
        content = message.get("content")
        texts.append(content if isinstance(content, str) else json.dumps(content))
    schema = ((request.get("output_config") or {}).get("format") or {}).get("schema")
    if schema is not None:
        texts.append(json.dumps(schema, separators=(",", ":")))
    return max(1, sum(len(text) for text in texts) // 4)


class Simulator:
    """Answers Messages API requests; `labels` maps a sender's address to its labels.csv row."""

    def __init__(self, params: Parameters, labels: dict[str, dict] | None = None) -> None:
        self.params = params
        self.labels = {sender.lower(): row for sender, row in (labels or {}).items()}

    def answer(self, request: dict) -> dict:
        """The Messages API response body for one request."""
        model = request.get("model") or ""
        tier = tier_of(model)
        content = (request.get("messages") or [{}])[0].get("content") or ""
        text = content if isinstance(content, str) else json.dumps(content)
        match = EMAIL.search(text)
        shown = match.group(2) if match else text
        sender_match = SENDER.search(shown)
        sender = sender_match.group(1).lower() if sender_match else ""
        schema = ((request.get("output_config") or {}).get("format") or {}).get("schema") or {}
        if set(schema.get("properties") or {}) == {"body"}:
            return self.reply(request, model, tier, {"body": DRAFT})
        categories = ((schema.get("properties") or {}).get("category") or {}).get("enum")
        row = self.label_of(sender)
        if row is not None:
            truth, facts = truth_from_label(row), {}
        else:
            truth, facts = reading.read(shown)
        if categories and truth.category not in categories:
            truth = type(truth)(**{**truth.__dict__, "category": categories[-1]})
        answer = draw(truth, tier=tier, params=self.params, categories=categories)
        if answer.category != truth.category or not answer.is_lead:
            facts = {}
        body = {
            "category": answer.category,
            "is_lead": answer.is_lead,
            "qualification": {
                name: {**NO_FACT, **({FACT_NUMBERS[name]: None} if name in FACT_NUMBERS else {})}
                | facts.get(name, {})
                for name in ("budget", "authority", "need", "timeline", "company_size")
            },
            "urgency": "normal",
            "language": truth.language,
            "summary": (
                f"{answer.category.replace('_', ' ').capitalize()} from {sender or 'a sender'} "
                f"(simulated tier {min(tier, 2)} answer)."
            )[:200],
            "next_action": NEXT_ACTION.get(answer.category, "no_action"),
            "confidence": answer.confidence,
            "needs_escalation": False,
            "escalation_reason": "",
            "injection_suspected": False,
        }
        return self.reply(request, model, tier, body)

    def label_of(self, sender: str) -> dict | None:
        """The labels.csv row of a labelled sender, or of a replica of one (`name+rK@host`,
        with `replica` set to K)."""
        if sender in self.labels:
            return self.labels[sender]
        match = REPLICA.match(sender)
        if match and (match.group(1) + match.group(3)) in self.labels:
            return {**self.labels[match.group(1) + match.group(3)], "replica": match.group(2)}
        return None

    def reply(self, request: dict, model: str, tier: int, body: dict) -> dict:
        output_tokens = self.params.tier(tier).output_tokens
        return {
            "id": f"msg_sim_{uuid.uuid4().hex[:20]}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": json.dumps(body)}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": input_tokens(request),
                "output_tokens": output_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        }


# A reply draft (routing/drafts.py asks for {"body": ...}): fixed words that say what they are.
DRAFT = (
    "Hello,\n\nThank you for your message. This is a simulated draft from leadrouter's "
    "simulated Messages API, not a reply written by Claude: edit it before sending.\n\n"
    "Best regards"
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: "SimulatedApi"

    def do_POST(self) -> None:
        self.server.handle_request_of(self)

    do_GET = do_POST

    def log_message(self, format, *args) -> None:
        pass


class SimulatedApi(ThreadingHTTPServer):
    """`SimulatedApi(simulator, port=0).serve()` in a thread; `base_url` once bound."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        simulator: Simulator,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        delays: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        super().__init__((host, port), _Handler)
        self.simulator = simulator
        self.delays = delays
        self.batches: dict[str, dict] = {}
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_request_of(self, handler: _Handler) -> None:
        path = handler.path.partition("?")[0]
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        key = handler.headers.get("authorization", "").removeprefix("Bearer ").strip()
        key = key or handler.headers.get("x-api-key", "").strip()
        try:
            request = json.loads(raw) if raw else {}
        except ValueError:
            request = None
        batch = _BATCH.match(path)
        if not key:
            status, body = 401, _error("authentication_error", "x-api-key header is required")
        elif request is None or not isinstance(request, dict):
            status, body = 400, _error("invalid_request_error", "the body is not a JSON object")
        elif handler.command == "POST" and path == "/v1/messages":
            delay = self.delays[0 if tier_of(request.get("model", "")) == 1 else 1]
            if delay:
                time.sleep(delay)
            status, body = 200, self.simulator.answer(request)
        elif handler.command == "POST" and path == "/v1/messages/count_tokens":
            status, body = 200, {"input_tokens": input_tokens(request)}
        elif handler.command == "POST" and path == "/v1/messages/batches":
            status, body = self.create_batch(request)
        elif handler.command == "GET" and batch and not batch["results"]:
            status, body = self.batch_status(batch["id"])
        elif handler.command == "GET" and batch:
            return self.send(handler, *self.batch_results(batch["id"]))
        else:
            status, body = 404, _error("not_found_error", f"{handler.command} {path} not found")
        self.send(handler, status, json.dumps(body).encode(), "application/json")

    def send(self, handler: _Handler, status: int, body: bytes, content_type: str) -> None:
        try:
            handler.send_response(status)
            handler.send_header("content-type", content_type)
            handler.send_header("request-id", f"req_sim_{uuid.uuid4().hex[:20]}")
            handler.send_header("content-length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    # A batch is answered at once: it has ended by the first retrieve.
    def create_batch(self, request: dict) -> tuple[int, dict]:
        items = request.get("requests") or []
        if not items:
            return 400, _error("invalid_request_error", "requests: at least one is required")
        batch_id = f"msgbatch_sim_{uuid.uuid4().hex[:20]}"
        results = {
            item["custom_id"]: {
                "type": "succeeded",
                "message": self.simulator.answer(item.get("params") or {}),
            }
            for item in items
        }
        now = datetime.now(UTC)
        batch = {"id": batch_id, "results": results, "created_at": now, "ended_at": None}
        with self.lock:
            self.batches[batch_id] = batch
        return 200, self.batch_body(batch)

    def batch_status(self, batch_id: str) -> tuple[int, dict]:
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, _error("not_found_error", f"batch {batch_id} not found")
            batch["ended_at"] = batch["ended_at"] or datetime.now(UTC)
        return 200, self.batch_body(batch)

    def batch_results(self, batch_id: str) -> tuple[int, bytes, str]:
        with self.lock:
            batch = self.batches.get(batch_id)
        if batch is None or batch["ended_at"] is None:
            body = _error("not_found_error", f"batch {batch_id} has no results")
            return 404, json.dumps(body).encode(), "application/json"
        lines = "".join(
            json.dumps({"custom_id": custom_id, "result": result}) + "\n"
            for custom_id, result in batch["results"].items()
        )
        return 200, lines.encode(), "application/binary"

    def batch_body(self, batch: dict) -> dict:
        ended = batch["ended_at"] is not None
        count = len(batch["results"])
        return {
            "id": batch["id"],
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": count if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": _iso(batch["created_at"]),
            "ended_at": _iso(batch["ended_at"]) if ended else None,
            "expires_at": _iso(batch["created_at"] + timedelta(hours=24)),
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": (
                f"{self.base_url}/v1/messages/batches/{batch['id']}/results" if ended else None
            ),
        }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _error(error_type: str, message: str) -> dict:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": f"req_sim_{uuid.uuid4().hex[:20]}",
    }
