"""POST /webhooks/anymail/postmark/inbound/: basic auth, stored raw, one message per delivery."""

import email
import email.policy
import json
import threading
from base64 import b64encode

import pytest
from django.db import connection
from django.test import Client
from django_q.models import Task

from intake.models import Lead, Message
from tests.helpers import CORPUS_DATA

URL = "/webhooks/anymail/postmark/inbound/"
POSTMARK = CORPUS_DATA / "webhooks" / "postmark"
SECRET = "postmark:correct-horse-battery"


def basic_auth(credentials: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + b64encode(credentials.encode()).decode()}


def load(name: str) -> dict:
    return json.loads((POSTMARK / name).read_text())


def post(client, payload: dict, **headers):
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


@pytest.fixture(autouse=True)
def postmark_configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.INBOUND_PROVIDERS = ["all"]


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        ("anymail-postmark-inbound-test-payload.json", "Test subject", "This is a test text body."),
        (
            "anymail-postmark-inbound-test-payload-with-raw.json",
            "Test subject",
            "This is a test text body.",
        ),
        ("jpadilla-valid_http_post-legacy.json", "Hi There", "This is awesome!"),
    ],
)
def test_it_stores_each_shared_payload(client, db, on_commit, name, subject, text):
    with on_commit():
        response = post(client, load(name), **basic_auth())

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.provider == "postmark"
    assert f"Subject: {subject}\r\n".encode() in bytes(message.raw)
    assert message.subject == subject
    assert text in message.text
    assert message.parse_state == Message.ParseState.PARSED
    assert message.lead is not None
    assert Lead.objects.get().subject == subject


def test_it_stores_raw_email_byte_for_byte(client, db):
    payload = load("anymail-postmark-inbound-test-payload-with-raw.json")

    post(client, payload, **basic_auth())

    assert bytes(Message.objects.get().raw) == payload["RawEmail"].encode()


def test_it_keeps_binary_attachments_intact_when_rebuilding_the_message(client, db):
    content = bytes(range(256)) * 4
    payload = load("anymail-postmark-inbound-test-payload.json")
    payload["Attachments"] = [
        {
            "Name": "quote.pdf",
            "ContentType": "application/pdf",
            "Content": b64encode(content).decode(),
        }
    ]

    post(client, payload, **basic_auth())

    parsed = email.message_from_bytes(bytes(Message.objects.get().raw), policy=email.policy.default)
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "quote.pdf"
    assert attachment.get_content() == content


def test_it_keeps_text_attachments_byte_for_byte_when_rebuilding_the_message(client, db):
    files = {
        "notes.txt": ("text/plain", b"line one\nline two\n"),
        "x.html": ("text/html", b"<p>one</p>\n<p>two</p>\n"),
    }
    payload = load("anymail-postmark-inbound-test-payload.json")
    payload["Attachments"] = [
        {"Name": name, "ContentType": content_type, "Content": b64encode(content).decode()}
        for name, (content_type, content) in files.items()
    ]

    post(client, payload, **basic_auth())

    parsed = email.message_from_bytes(bytes(Message.objects.get().raw), policy=email.policy.default)
    kept = {
        part.get_filename(): part.get_payload(decode=True) for part in parsed.iter_attachments()
    }
    assert kept == {name: content for name, (_, content) in files.items()}


def test_it_keeps_small_provider_fields_and_never_the_attachments(client, db):
    post(client, load("anymail-postmark-inbound-test-payload-with-raw.json"), **basic_auth())

    message = Message.objects.get()
    assert message.provider_message_id == "00000000-0000-0000-0000-000000000000"
    assert message.envelope_recipient == "mailbox+SampleHash@inbound.postmarkapp.com"
    assert message.provider_payload["MailboxHash"] == "SampleHash"
    assert message.provider_payload["MessageStream"] == "inbound"
    assert "Attachments" not in message.provider_payload
    assert "VGhpcyBpcyBhdHRhY2htZW50" not in json.dumps(message.provider_payload)


def test_it_normalises_irregular_legacy_headers(client, db):
    payload = load("jpadilla-valid_http_post-legacy.json")
    payload["Headers"].append({"X-Spam-Score": "2.5"})
    del payload["FromFull"]

    response = post(client, payload, **basic_auth())

    assert response.status_code == 200
    raw = bytes(Message.objects.get().raw)
    assert b"X-Spam-Score: 2.5" in raw
    assert b"From: bob@bob.com" in raw


@pytest.mark.parametrize(
    "headers",
    [{}, basic_auth("postmark:wrong-password"), {"HTTP_AUTHORIZATION": "Bearer " + SECRET}],
    ids=["missing", "wrong", "not-basic"],
)
def test_it_refuses_missing_or_wrong_basic_auth(client, db, headers):
    response = post(client, load("anymail-postmark-inbound-test-payload.json"), **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert not Message.objects.exists()


def test_it_fails_closed_without_a_webhook_secret(client, db, settings):
    settings.ANYMAIL = {}

    response = post(client, load("anymail-postmark-inbound-test-payload.json"), **basic_auth())

    assert response.status_code == 403
    assert "WEBHOOK_SECRET" not in response.json()["error"]
    assert not Message.objects.exists()


def test_it_answers_404_when_postmark_is_not_enabled(client, db, settings):
    settings.INBOUND_PROVIDERS = ["mailgun"]

    response = post(client, load("anymail-postmark-inbound-test-payload.json"), **basic_auth())

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_it_answers_5xx_to_a_tracking_webhook_pointed_at_inbound(client, db):
    # Our configuration to fix: Postmark keeps retrying until we do.
    response = post(client, {"RecordType": "Bounce", "ID": 42}, **basic_auth())

    assert response.status_code == 500
    assert "Bounce" in response.json()["error"]
    assert not Message.objects.exists()


def test_it_stores_a_redelivered_message_once(client, db, on_commit):
    payload = load("jpadilla-valid_http_post-legacy.json")

    with on_commit():
        first = post(client, payload, **basic_auth())
    with on_commit():
        second = post(client, payload, **basic_auth())

    assert (first.status_code, second.status_code) == (200, 200)
    assert Message.objects.count() == 1
    assert Lead.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_stores_concurrent_deliveries_once_with_one_processing_task():
    payload = json.dumps(load("jpadilla-valid_http_post-legacy.json"))
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    statuses = []

    def deliver():
        try:
            client = Client()
            barrier.wait()
            response = client.post(URL, payload, content_type="application/json", **basic_auth())
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * threads_count
    assert Message.objects.count() == 1
    # Processing runs on commit (inline in tests, recorded as a django-q2 task).
    assert Task.objects.filter(func="intake.tasks.process_message").count() == 1
    message = Message.objects.get()
    assert message.parse_state == Message.ParseState.PARSED
    assert Lead.objects.count() == 1
    assert message.lead.subject == "Hi There"


@pytest.mark.django_db(transaction=True)
def test_it_answers_5xx_while_the_database_is_down_and_stores_the_retry_once(client):
    payload = load("anymail-postmark-inbound-test-payload.json")
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: the database is "down"
    try:
        down = post(client, payload, **basic_auth())
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    assert 500 <= down.status_code < 600  # the provider will retry; never a 3xx or 4xx
    assert not Message.objects.exists()  # and no partial rows

    retried = post(client, payload, **basic_auth())
    again = post(client, payload, **basic_auth())
    assert retried.status_code == again.status_code == 200
    assert Message.objects.count() == 1
    assert Lead.objects.count() == 1


def test_it_stores_a_payload_whose_header_values_keep_their_folding(client, db):
    payload = load("anymail-postmark-inbound-test-payload.json")
    payload["Headers"].append({"Name": "X-Folded", "Value": "one\r\n  two"})

    response = post(client, payload, **basic_auth())

    assert response.status_code == 200
    assert b"X-Folded: one  two\r\n" in bytes(Message.objects.get().raw)
