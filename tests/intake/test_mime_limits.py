"""intake.mime.parse_message under its caps: size, headers, parts, depth and time."""

import random
import signal
import threading
import time

import pytest

from intake import mime
from intake.mime import Limits, parse_message
from tests.intake.mail_samples import (
    CORPUS_FILES,
    assert_no_nul,
    fixture,
    messages_in,
    multipart,
    nested_messages,
    nested_multipart,
)

# --- caps and time ---------------------------------------------------------------------------


def test_it_fails_fast_on_ten_thousand_parts():
    raw = multipart(10_000)
    started = time.monotonic()
    parsed = parse_message(raw)
    elapsed = time.monotonic() - started

    assert parsed.failed == "more than 500 MIME parts"
    assert parsed.subject == "many parts"
    assert parsed.from_email == "a@example.com"
    assert elapsed < 1.0


def test_it_parses_a_message_just_under_the_part_cap():
    parsed = parse_message(multipart(499))

    assert parsed.failed == ""
    assert len(parsed.part_types) == 500
    assert parsed.text.startswith("part 0\n\npart 1")


def test_it_counts_parts_the_precheck_cannot_see():
    parsed = parse_message(multipart(50), limits=Limits(max_parts=20))

    assert parsed.failed == "more than 20 MIME parts"


def test_it_fails_fast_on_deep_multipart_nesting():
    started = time.monotonic()
    parsed = parse_message(nested_multipart(5_000))

    assert parsed.failed == "MIME nesting deeper than 20"
    assert parsed.subject == "deep"
    assert time.monotonic() - started < 1.0


def test_it_parses_nesting_at_the_depth_cap():
    parsed = parse_message(nested_multipart(19))

    assert parsed.failed == ""
    assert parsed.text == "the bottom"


@pytest.mark.parametrize("depth", [25, 5_000])
def test_it_fails_on_deeply_nested_attached_messages(depth):
    parsed = parse_message(nested_messages(depth))

    assert parsed.failed
    assert parsed.subject == "russian doll"


def test_it_fails_on_a_message_over_the_byte_cap_keeping_cheap_headers():
    raw = b"Message-ID: <big@example.com>\nSubject: big\nFrom: x@example.com\n\n" + b"a" * 2000
    parsed = parse_message(raw, limits=Limits(max_bytes=1000))

    assert "over the 1000 byte cap" in parsed.failed
    assert (parsed.message_id, parsed.subject, parsed.from_email) == (
        "big@example.com",
        "big",
        "x@example.com",
    )


def test_it_fails_on_a_huge_header():
    raw = b"Subject: hello\nX-Huge: " + b"a" * (300 * 1024) + b"\n\nbody\n"
    parsed = parse_message(raw)

    assert parsed.failed == "header section over 262144 bytes"
    assert parsed.subject == "hello"


def test_it_fails_on_too_many_headers():
    raw = b"Subject: hello\n" + b"X-Spam: 0123456789012345678901234567890123\n" * 8000 + b"\nhi\n"
    parsed = parse_message(raw)

    assert parsed.failed == "header section over 262144 bytes"


def test_it_caps_header_values_and_count():
    raw = b"Subject: s\nX-Long: " + b"b" * 5000 + b"\n" + b"X-Many: v\n" * 500 + b"\nbody\n"
    parsed = parse_message(raw)

    assert parsed.failed == ""
    assert len(parsed.headers) == 200
    assert parsed.headers[1] == ("X-Long", "b" * 2000)


def slow_message() -> bytes:
    return multipart(450) + b"x" * 3_000_000


def test_it_times_out_with_sigalrm_and_restores_the_previous_handler():
    def previous(signum, frame):  # pragma: no cover - must not be called
        raise AssertionError("the old handler ran")

    old = signal.signal(signal.SIGALRM, previous)
    try:
        parsed = parse_message(slow_message(), limits=Limits(max_seconds=0.001))

        assert parsed.failed == "parsing took longer than 0.001 s"
        assert signal.getsignal(signal.SIGALRM) is previous
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, old)


def test_it_keeps_an_outer_timer_running():
    fired = []
    old = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        parsed = parse_message(fixture("sales_inquiry.eml"))
        remaining, _interval = signal.getitimer(signal.ITIMER_REAL)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)

    assert parsed.failed == ""
    assert 25 < remaining <= 30
    assert fired == []


def test_it_is_bounded_off_the_main_thread_too():
    results = []
    thread = threading.Thread(
        target=lambda: results.append(
            parse_message(slow_message(), limits=Limits(max_seconds=0.001))
        )
    )
    thread.start()
    thread.join(10)

    assert results[0].failed == "parsing took longer than 0.001 s"


def test_it_never_raises_on_mangled_corpus_mail():
    rng = random.Random(1234)
    sources = [raw for path in CORPUS_FILES[::7] for raw in messages_in(path)]
    assert sources
    for raw in sources:
        data = bytearray(raw[:20_000])
        for _ in range(20):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = bytes(data[: rng.randrange(1, len(data) + 1)])
        for candidate in (bytes(data), cut, cut.replace(b"\n", b"\n--", 3)):
            parsed = parse_message(candidate)
            assert isinstance(parsed, mime.ParsedMessage)
            assert_no_nul(parsed)
