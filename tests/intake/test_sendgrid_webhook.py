"""POST /webhooks/anymail/sendgrid/inbound/: basic auth, parsed and raw-MIME Inbound Parse posts."""

import json
from base64 import b64encode

import pytest

from intake.http import split_multipart
from intake.models import Lead, Message
from tests.helpers import CORPUS_DATA

URL = "/webhooks/anymail/sendgrid/inbound/"
SENDGRID = CORPUS_DATA / "webhooks" / "sendgrid"
SAMPLES = SENDGRID / "sendgrid-python-sample-data"
SECRET = "sendgrid:inbound-parse-pw"


def basic_auth(credentials: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + b64encode(credentials.encode()).decode()}


def sample_body(name: str) -> bytes:
    # The samples use LF; multipart/form-data on the wire uses CRLF.
    return (SAMPLES / name).read_bytes().replace(b"\n", b"\r\n")


def post_sample(client, name: str, **headers):
    return client.post(
        URL, sample_body(name), content_type="multipart/form-data; boundary=xYzZY", **headers
    )


@pytest.fixture(autouse=True)
def sendgrid_configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.INBOUND_PROVIDERS = ["all"]


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("default_data.txt", "Inbound Parse Test Data"),
        ("raw_data.txt", "Inbound Parse Test Raw Data"),
        ("raw_data_with_attachments.txt", "Inbound Parse Test Raw Data with Attachment"),
    ],
)
def test_it_stores_each_sample_post(client, db, on_commit, name, subject):
    with on_commit():
        response = post_sample(client, name, **basic_auth())

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.provider == "sendgrid"
    assert message.envelope_recipient.startswith("inbound@inbound.")
    assert message.subject == subject
    assert "Hello Twilio SendGrid!" in message.text
    assert Lead.objects.get().subject == subject


@pytest.mark.parametrize("name", ["raw_data.txt", "raw_data_with_attachments.txt"])
def test_it_stores_the_email_field_byte_for_byte(client, db, name):
    body = sample_body(name)
    [email] = [
        content for info, content in split_multipart(body, "xYzZY") if info["name"] == "email"
    ]

    post_sample(client, name, **basic_auth())

    assert bytes(Message.objects.get().raw) == email


def test_it_keeps_the_attachment_of_a_raw_post(client, db, on_commit):
    with on_commit():
        post_sample(client, "raw_data_with_attachments.txt", **basic_auth())

    attachment = Message.objects.get().attachments.get()
    assert attachment.filename == "SendGrid.jpg"
    assert attachment.sniffed_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("sendgrid-inbound-parsed-fields.form-fields.json", "Test subject"),
        ("sendgrid-inbound-raw-mime.form-fields.json", "Raw MIME test"),
    ],
)
def test_it_stores_each_form_fields_post(client, db, on_commit, name, subject):
    fields = json.loads((SENDGRID / name).read_text())

    with on_commit():
        response = client.post(URL, fields, **basic_auth())

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.subject == subject
    assert message.envelope_recipient == "test@inbound.example.com"
    assert message.provider_payload["spam_score"] == 1.7
    assert message.provider_payload["SPF"] == "pass"
    assert "text" not in message.provider_payload
    assert message.lead is not None


@pytest.mark.parametrize("headers", [{}, basic_auth("sendgrid:guess")], ids=["missing", "wrong"])
def test_it_refuses_missing_or_wrong_basic_auth(client, db, headers):
    response = post_sample(client, "raw_data.txt", **headers)

    assert response.status_code == 401
    assert not Message.objects.exists()


def test_it_fails_closed_without_a_webhook_secret(client, db, settings):
    settings.ANYMAIL = {}

    response = post_sample(client, "raw_data.txt", **basic_auth())

    assert response.status_code == 403
    assert not Message.objects.exists()


def test_it_refuses_a_truncated_multipart_body(client, db):
    body = sample_body("raw_data.txt")

    response = client.post(
        URL,
        body[: len(body) // 2],
        content_type="multipart/form-data; boundary=xYzZY",
        **basic_auth(),
    )

    assert response.status_code == 400
    assert not Message.objects.exists()
