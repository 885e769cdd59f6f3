"""POST /webhooks/anymail/mailgun/inbound[_mime]/: HMAC, fresh timestamps, single-use tokens."""

import hashlib
import hmac
import json
import secrets
import time

import pytest
from django.test.client import encode_multipart

from intake.models import Lead, Message, WebhookNonce
from tests.helpers import CORPUS_DATA, make_email

PARSED_URL = "/webhooks/anymail/mailgun/inbound/"
MIME_URL = "/webhooks/anymail/mailgun/inbound_mime/"
MAILGUN = CORPUS_DATA / "webhooks" / "mailgun"
SIGNING_KEY = "TEST_WEBHOOK_SIGNING_KEY"


def load(name: str) -> dict:
    return json.loads((MAILGUN / name).read_text())


def signed(fields: dict, *, age: int = 0, token: str | None = None, key: str = SIGNING_KEY) -> dict:
    """The fields with a fresh timestamp, a new token and Mailgun's signature over both."""
    timestamp = str(int(time.time()) - age)
    token = token or secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


def raw_mime_fields(**email) -> dict:
    fields = load("mailgun-inbound-raw-mime.form-fields.json")
    fields["body-mime"] = make_email(**email).decode()
    return fields


@pytest.fixture(autouse=True)
def mailgun_configured(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    settings.INBOUND_PROVIDERS = ["all"]
    settings.MAILGUN_MAX_AGE_SECONDS = 300


def test_it_stores_the_shared_parsed_fields_post(client, db, on_commit):
    with on_commit():
        response = client.post(
            PARSED_URL, signed(load("mailgun-inbound-parsed-fields.form-fields.json"))
        )

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.provider == "mailgun"
    assert message.envelope_recipient == "test@inbound.example.com"
    assert message.message_id == "CAEPk3R+4Zr@mail.example.org"
    assert b"Subject: Test subject\r\n" in bytes(message.raw)
    assert message.provider_payload["sender"] == "envelope-from@example.org"
    assert message.provider_payload["spam_score"] == 1.7
    assert "body-plain" not in message.provider_payload
    assert message.subject == "Test subject"
    assert "Test body plain" in message.text
    assert Lead.objects.get().subject == "Test subject"


def test_it_stores_the_shared_raw_mime_post_byte_for_byte(client, db, on_commit):
    fields = load("mailgun-inbound-raw-mime.form-fields.json")

    with on_commit():
        response = client.post(MIME_URL, signed(fields))

    assert response.status_code == 200
    message = Message.objects.get()
    assert bytes(message.raw) == fields["body-mime"].encode()
    assert message.subject == "Raw MIME test"
    assert message.lead.subject == "Raw MIME test"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda fields: {**fields, "signature": "0" * 64},
        lambda fields: {key: value for key, value in fields.items() if key != "signature"},
        lambda fields: {**fields, "token": fields["token"] + "x"},
    ],
    ids=["wrong-signature", "no-signature", "token-changed"],
)
def test_it_refuses_a_post_without_a_valid_signature(client, db, tamper):
    response = client.post(MIME_URL, tamper(signed(raw_mime_fields())))

    assert response.status_code == 400
    assert not Message.objects.exists()
    assert not WebhookNonce.objects.exists()


def test_it_refuses_a_post_signed_with_another_key(client, db):
    response = client.post(MIME_URL, signed(raw_mime_fields(), key="someone-elses-key"))

    assert response.status_code == 400
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "age", [600, -600, 301], ids=["ten-minutes-old", "ten-minutes-ahead", "just-stale"]
)
def test_it_refuses_a_validly_signed_post_with_a_stale_or_future_timestamp(client, db, age):
    response = client.post(MIME_URL, signed(raw_mime_fields(), age=age))

    assert response.status_code == 400
    assert "timestamp" in response.json()["error"]
    assert not Message.objects.exists()
    assert not WebhookNonce.objects.exists()


def test_it_accepts_a_timestamp_within_the_window(client, db):
    response = client.post(MIME_URL, signed(raw_mime_fields(), age=240))

    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_it_refuses_a_reused_token_with_a_different_body(client, db, on_commit):
    first = signed(raw_mime_fields(message_id="<first@acme-widgets.com>"))
    replay = {**first, "body-mime": make_email(message_id="<forged@acme-widgets.com>").decode()}

    with on_commit():
        accepted = client.post(MIME_URL, first)
    with on_commit():
        refused = client.post(MIME_URL, replay)

    assert accepted.status_code == 200
    assert refused.status_code == 400
    assert "token" in refused.json()["error"]
    assert Message.objects.get().message_id == "first@acme-widgets.com"
    assert Lead.objects.count() == 1


def test_it_answers_200_to_an_identical_retry_and_stores_once(client, db, on_commit):
    fields = signed(raw_mime_fields())

    with on_commit():
        first = client.post(MIME_URL, fields)
    with on_commit():
        retry = client.post(MIME_URL, fields)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert Message.objects.count() == 1
    assert WebhookNonce.objects.get().provider == "mailgun"
    assert Lead.objects.count() == 1


def test_it_recognises_a_retry_sent_with_a_new_multipart_boundary(client, db):
    fields = signed(raw_mime_fields())

    responses = [
        client.post(
            MIME_URL,
            encode_multipart(boundary, fields),
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        for boundary in ("first-boundary-1234", "other-boundary-5678")
    ]

    assert [response.status_code for response in responses] == [200, 200]
    assert Message.objects.count() == 1


def test_it_fails_closed_without_a_signing_key(client, db, settings):
    settings.ANYMAIL = {}

    response = client.post(MIME_URL, signed(raw_mime_fields()))

    assert response.status_code == 403
    assert "MAILGUN_WEBHOOK_SIGNING_KEY" not in response.json()["error"]
    assert not Message.objects.exists()


def test_it_also_requires_basic_auth_when_a_webhook_secret_is_set(client, db, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": "mg:pw"}

    response = client.post(MIME_URL, signed(raw_mime_fields()))

    assert response.status_code == 401
    assert not Message.objects.exists()
