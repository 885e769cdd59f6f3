"""Webhook size limits: past Django's 2.5 MB, a deliberate 413 above our cap; no redirects."""

import hashlib
import hmac
import json
import os
import secrets
import time
from base64 import b64encode

import pytest
from django.conf import settings as django_settings

from intake.models import Message
from tests.helpers import CORPUS_DATA, make_email

POSTMARK_URL = "/webhooks/anymail/postmark/inbound/"
MAILGUN_URL = "/webhooks/anymail/mailgun/inbound_mime/"
SECRET = "postmark:limits-pw"
BASIC_AUTH = {"HTTP_AUTHORIZATION": "Basic " + b64encode(SECRET.encode()).decode()}
SIGNING_KEY = "limits-signing-key"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def providers_configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    settings.INBOUND_PROVIDERS = ["all"]
    settings.INTAKE_MAX_BYTES = 40 * MB


def postmark_payload(attachment_bytes: int = 0) -> dict:
    payload = json.loads(
        (
            CORPUS_DATA / "webhooks" / "postmark" / "anymail-postmark-inbound-test-payload.json"
        ).read_text()
    )
    if attachment_bytes:
        payload["Attachments"] = [
            {
                "Name": "floor-plan.pdf",
                "ContentType": "application/pdf",
                "Content": b64encode(b"%PDF-1.7\n" + os.urandom(attachment_bytes)).decode(),
                "ContentLength": attachment_bytes,
            }
        ]
    return payload


def mailgun_fields(body_mime: bytes) -> dict:
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    signature = hmac.new(
        SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "recipient": "sales@leadrouter.test",
        "sender": "dana@acme-widgets.com",
        "body-mime": body_mime.decode(),
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }


def test_it_stores_a_30_mb_postmark_json_post(client, db):
    body = json.dumps(postmark_payload(attachment_bytes=22 * MB))
    assert len(body) > 29 * MB > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.post(POSTMARK_URL, body, content_type="application/json", **BASIC_AUTH)

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.raw_size > 29 * MB
    assert b'filename="floor-plan.pdf"' in bytes(message.raw)


def test_it_stores_a_form_field_above_djangos_field_limit(client, db):
    raw = make_email(body="A long enquiry.\r\n" + "0123456789abcdef" * (4 * MB // 16))
    assert len(raw) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.post(MAILGUN_URL, mailgun_fields(raw), **BASIC_AUTH)

    assert response.status_code == 200
    assert bytes(Message.objects.get().raw) == raw


def test_it_answers_413_to_a_json_post_above_the_cap(client, db, settings):
    settings.INTAKE_MAX_BYTES = 50_000
    body = json.dumps(postmark_payload(attachment_bytes=60_000))

    response = client.post(POSTMARK_URL, body, content_type="application/json", **BASIC_AUTH)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["limit"] == 50_000
    assert not Message.objects.exists()


def test_it_answers_413_to_a_multipart_post_above_the_cap(client, db, settings):
    settings.INTAKE_MAX_BYTES = 50_000

    response = client.post(MAILGUN_URL, mailgun_fields(make_email(body="x" * 60_000)), **BASIC_AUTH)

    assert response.status_code == 413
    assert not Message.objects.exists()


def test_it_answers_413_from_content_length_alone(client, db, settings):
    settings.INTAKE_MAX_BYTES = 50_000

    response = client.generic(
        "POST",
        POSTMARK_URL,
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(60_000),
        **BASIC_AUTH,
    )

    assert response.status_code == 413
    assert not Message.objects.exists()


def test_it_accepts_a_post_exactly_at_the_cap(client, db, settings):
    body = json.dumps(postmark_payload())
    settings.INTAKE_MAX_BYTES = len(body)

    response = client.post(POSTMARK_URL, body, content_type="application/json", **BASIC_AUTH)

    assert response.status_code == 200


@pytest.mark.parametrize("url", [POSTMARK_URL, "/webhooks/raw/"])
def test_it_never_redirects_a_webhook_to_https(client, db, settings, url):
    settings.SECURE_SSL_REDIRECT = True
    settings.INTAKE_TOKEN = "raw-token"

    response = client.post(
        url,
        json.dumps(postmark_payload()) if url == POSTMARK_URL else make_email(),
        content_type="application/json" if url == POSTMARK_URL else "message/rfc822",
        **(BASIC_AUTH if url == POSTMARK_URL else {"HTTP_AUTHORIZATION": "Bearer raw-token"}),
    )

    assert response.status_code in (200, 202)
