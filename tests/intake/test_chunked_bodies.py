"""Bodies sent without Content-Length (Transfer-Encoding: chunked) reach Django whole, capped."""

import io

from config.wsgi import with_chunked_bodies


def seen_by_app(body: bytes, *, limit: int, **environ):
    seen = {}

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        seen["length"] = length
        seen["body"] = environ["wsgi.input"].read(length)
        return [b""]

    env = {"wsgi.input": io.BytesIO(body), "HTTP_TRANSFER_ENCODING": "chunked", **environ}
    with_chunked_bodies(app, limit_bytes=limit)(env, lambda *a: None)
    return seen


def test_it_gives_a_chunked_body_its_length():
    assert seen_by_app(b"Subject: hi\r\n\r\nbody", limit=100) == {
        "length": 19,
        "body": b"Subject: hi\r\n\r\nbody",
    }


def test_it_declares_limit_plus_one_past_the_cap_and_reads_no_more():
    stream = io.BytesIO(b"x" * 1000)
    seen = seen_by_app(b"", limit=10, **{"wsgi.input": stream})
    assert seen["length"] == 11
    assert stream.tell() == 11


def test_it_leaves_a_declared_length_alone():
    seen = seen_by_app(b"abcdef", limit=100, CONTENT_LENGTH="3", HTTP_TRANSFER_ENCODING="")
    assert seen == {"length": 3, "body": b"abc"}
