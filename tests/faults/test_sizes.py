"""Big and over-cap posts through gunicorn: stored up to the cap, a deliberate 413 above it."""

import http.client
import json

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from intake.models import Message
from tests.faults import stack
from tests.faults.stack import MB, POSTMARK, SENDGRID
from tests.intake.test_webhook_limits import postmark_payload

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CAP = 40 * MB  # INTAKE_MAX_BYTES in stack.production_env


@pytest.mark.reliability(7)
def test_it_stores_a_30_mb_postmark_post(web, workers):
    """A 30 MB Postmark JSON post (a 22 MB attachment, base64) is answered 200, stored whole,
    and the worker processes it."""
    worker = workers()
    body = json.dumps(postmark_payload(attachment_bytes=22 * MB)).encode()
    assert 29 * MB < len(body) < 31 * MB

    answer = stack.post_json(web, POSTMARK, body)

    assert answer.status == 200, answer.body
    message = Message.objects.get()
    assert len(bytes(message.raw)) > 29 * MB
    parsed = stack.poll(
        lambda: Message.objects.exclude(parse_state=Message.ParseState.PENDING).first(),
        timeout=120,
    )
    assert parsed is not None, stack.tail(worker.log)
    assert parsed.parse_state == Message.ParseState.PARSED
    assert parsed.attachments.get().size == 22 * MB + len(b"%PDF-1.7\n")


@pytest.mark.reliability(7)
@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "raw"])
def test_it_answers_413_above_the_cap(web, provider):
    """A post just over INTAKE_MAX_BYTES, as Postmark JSON, SendGrid multipart or raw MIME,
    gets a 413 naming the limit, never a bare 400, and stores nothing."""
    if provider == "postmark":
        answer = stack.post_json(web, POSTMARK, postmark_payload(attachment_bytes=31 * MB))
    elif provider == "sendgrid":
        fields = {"email": stack.lead_email(1).decode(), "padding": "x" * (CAP + MB)}
        answer = stack.post_form(web, SENDGRID, fields)
    else:
        raw = stack.lead_email(1) + b"x" * (CAP + 1)
        answer = stack.post_raw(web, raw)

    assert answer.status == 413, answer.body[:500]
    assert answer.json()["limit"] == CAP
    assert not Message.objects.exists()


@pytest.mark.reliability(7)
def test_it_answers_413_from_the_declared_length_before_reading_the_body(web):
    """A post declaring 100 MB is refused with a 413 after sending only its first bytes: the
    server does not wait for, or buffer, what it will not keep."""
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
    try:
        conn.putrequest("POST", POSTMARK)
        for name, value in {
            **stack.basic(),
            "Content-Type": "application/json",
            "Content-Length": str(100 * MB),
        }.items():
            conn.putheader(name, value)
        conn.endheaders(b'{"MessageID": "')
        answer = conn.getresponse()
        status, body = answer.status, answer.read()
    finally:
        conn.close()

    assert status == 413, body
    assert not Message.objects.exists()


@pytest.mark.reliability(7)
def test_it_stores_a_multipart_post_above_djangos_upload_limit(web):
    """A 12 MB SendGrid multipart post, far above Django's 2.5 MB default, is stored."""
    raw = stack.lead_email(3) + b"y" * (12 * MB)
    body = encode_multipart(BOUNDARY, {"email": raw.decode()})

    answer = web.post(SENDGRID, body, {"Content-Type": MULTIPART_CONTENT, **stack.basic()})

    assert answer.status == 200, answer.body[:500]
    assert bytes(Message.objects.get().raw) == raw


@pytest.mark.reliability(24)
def test_it_stores_a_chunked_raw_post(web):
    """A raw RFC 822 post without Content-Length (Transfer-Encoding: chunked, as `curl -T -`
    sends from a pipe) is read whole and stored, not refused as an empty body."""
    raw = stack.lead_email(1)
    answer = web.post_chunked(stack.RAW, raw, {**stack.bearer(), "Content-Type": "message/rfc822"})

    assert answer.status == 202, answer.body[:500]
    assert bytes(Message.objects.get().raw) == raw


@pytest.mark.reliability(24)
def test_it_stores_a_chunked_postmark_post(web):
    """A Postmark JSON post sent chunked is read whole and stored."""
    body = json.dumps(stack.postmark_raw(1)).encode()
    headers = {"Content-Type": "application/json", **stack.basic()}
    answer = web.post_chunked(POSTMARK, body, headers)

    assert answer.status == 200, answer.body[:500]
    assert Message.objects.count() == 1


@pytest.mark.reliability(24)
def test_it_answers_413_to_a_chunked_post_over_the_cap(web):
    """A 42 MB chunked raw post gets the deliberate 413 naming the limit, and nothing is
    stored: the cap holds while the body streams in."""
    raw = stack.lead_email(1) + b"x" * (42 * MB)
    answer = web.post_chunked(stack.RAW, raw, {**stack.bearer(), "Content-Type": "message/rfc822"})

    assert answer.status == 413, answer.body[:500]
    assert answer.json()["limit"] == CAP
    assert not Message.objects.exists()
