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
