"""A fake of the HubSpot CRM v3 endpoints handoff.crm.hubspot uses, on loopback.

It keeps contacts by email and deals by id, records every request (`requests`), and
answers the next requests with injected faults first: `fake.fail(429, retry_after="1")`,
`fake.fail(503)`."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEAL = re.compile(r"^/crm/v3/objects/deals/(?P<id>\d+)$")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    json: dict
    status: int = 0


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status: int, payload: dict, headers: dict | None = None):
        body = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        fake: FakeHubSpot = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length) or b"{}")
        request = Request(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, data
        )
        with fake.lock:
            fake.requests.append(request)
            fault = fake.faults.popleft() if fake.faults else None
            if fault is not None:
                request.status = fault[0]
                headers = {"Retry-After": fault[1]} if fault[1] else {}
                return self._send(fault[0], {"status": "error", "category": "RATE_LIMITS"}, headers)
            if request.headers.get("authorization") != f"Bearer {fake.token}":
                request.status = 401
                return self._send(401, {"status": "error", "category": "INVALID_AUTHENTICATION"})
            status, payload = fake.answer(request)
            request.status = status
        self._send(status, payload)

    do_POST = do_PATCH = do_GET = _handle


class FakeHubSpot:
    def __init__(self, token: str = "pat-test"):
        self.token = token
        self.requests: list[Request] = []
        self.faults: deque = deque()
        self.contacts: dict[str, dict] = {}
        self.deals: dict[str, dict] = {}
        self.next_id = 1000
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail(self, status: int, *, retry_after: str = "", times: int = 1) -> None:
        self.faults.extend([(status, retry_after)] * times)

    def _id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def answer(self, request: Request) -> tuple[int, dict]:
        if request.method == "POST" and request.path == "/crm/v3/objects/contacts/batch/upsert":
            results = []
            for item in request.json["inputs"]:
                assert item["idProperty"] == "email"
                contact = self.contacts.get(item["id"])
                new = contact is None
                if new:
                    contact = self.contacts[item["id"]] = {"id": self._id(), "properties": {}}
                contact["properties"].update(item["properties"])
                results.append({"id": contact["id"], "new": new, **contact})
            return 200, {"status": "COMPLETE", "results": results}
        if request.method == "POST" and request.path == "/crm/v3/objects/deals":
            deal = {"id": self._id(), **request.json}
            self.deals[deal["id"]] = deal
            return 201, deal
        match = DEAL.match(request.path)
        if request.method == "PATCH" and match:
            deal = self.deals.get(match["id"])
            if deal is None:
                return 404, {"status": "error", "category": "OBJECT_NOT_FOUND"}
            deal["properties"].update(request.json["properties"])
            return 200, deal
        return 404, {"status": "error", "message": f"no route {request.method} {request.path}"}

    def __enter__(self) -> FakeHubSpot:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
