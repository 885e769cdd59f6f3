"""Slow clients against gunicorn as deployed (config/gunicorn.py): others are still served."""

import http.client
import socket
import threading
import time

import pytest

from tests.faults import stack

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def trickle(port: int, lines: list[bytes], stop: threading.Event, every: float) -> None:
    """Send `lines` one at a time, `every` seconds apart, until told to stop."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            for line in lines:
                if stop.wait(every):
                    return
                sock.sendall(line)
            stop.wait(30)
    except OSError:
        pass  # the server may drop a slow client: that is allowed


@pytest.mark.reliability(26)
def test_it_keeps_answering_healthz_while_clients_trickle(web):
    """Four connections sending a header line every 2 s and four sending a body a byte a
    second leave /healthz answering: every probe succeeds within its 5 s socket timeout."""
    headers = [b"GET /healthz HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n"]
    headers += [b"X-Slow-%d: x\r\n" % n for n in range(20)]
    body_head = (
        f"POST {stack.RAW} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
        f"Authorization: Bearer {stack.INTAKE_TOKEN}\r\nContent-Type: message/rfc822\r\n\r\n"
    ).encode()
    bodies = [body_head] + [b"x"] * 999
    stop = threading.Event()
    clients = [
        threading.Thread(target=trickle, args=(web.port, headers, stop, 2.0)) for _ in range(4)
    ] + [threading.Thread(target=trickle, args=(web.port, bodies, stop, 1.0)) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        time.sleep(3)  # every slow client has connected and started
        statuses = []
        for _ in range(10):
            conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=5)
            try:
                conn.request("GET", "/healthz")
                statuses.append(conn.getresponse().status)
            except OSError as error:
                statuses.append(repr(error))
            finally:
                conn.close()
            time.sleep(1)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=35)

    assert statuses == [200] * 10, statuses
