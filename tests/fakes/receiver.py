"""A webhook receiver on loopback: records every request and answers from a script.

`Receiver().answers(500, 200)` answers the first request 500, the second 200, then the
default (200). An answer may be an int or (status, headers, body). Other processes reach it
by `url`; `port=` pins where it listens."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake: Receiver = self.server.fake  # type: ignore[attr-defined]
        with fake.lock:
            fake.received.append(
                Received(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
            )
            answer = fake.script.popleft() if fake.script else fake.default
        if callable(answer):
            answer = answer(fake.received[-1])
        status, headers, content = (answer, {}, b"ok") if isinstance(answer, int) else answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_POST = do_PATCH = do_PUT = do_GET = _answer


class Receiver:
    def __init__(self, *, port: int = 0, default=200):
        self.received: list[Received] = []
        self.script: deque = deque()
        self.default = default
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def answers(self, *answers) -> Receiver:
        self.script.extend(answers)
        return self

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
