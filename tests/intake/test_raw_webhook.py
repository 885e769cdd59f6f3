"""POST /webhooks/raw/: the RFC 822 bytes as the body, bearer token."""

import pytest

from intake.models import Lead, Message
from tests.helpers import make_email

URL = "/webhooks/raw/"
TOKEN = "raw-intake-token-for-tests"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def token_configured(settings):
    settings.INTAKE_TOKEN = TOKEN


def post(client, body: bytes, content_type: str = "message/rfc822", **headers):
    return client.post(URL, body, content_type=content_type, **headers)


def test_it_stores_a_message_and_answers_202(client, db, on_commit):
    raw = make_email(subject="Demo for 40 seats", message_id="<raw-1@acme-widgets.com>")

    with on_commit():
        response = post(client, raw, **AUTH)

    assert response.status_code == 202
    message = Message.objects.get()
    assert response.json() == {
        "id": message.pk,
        "duplicate": False,
        "message_id": "raw-1@acme-widgets.com",
    }
    assert bytes(message.raw) == raw
    assert message.provider == "raw"
    assert message.subject == "Demo for 40 seats"
    assert Lead.objects.get().subject == "Demo for 40 seats"


def test_it_reports_a_duplicate(client, db):
    raw = make_email()

    first = post(client, raw, **AUTH).json()
    second = post(client, raw, **AUTH)

    assert second.status_code == 202
    assert second.json() == {**first, "duplicate": True}
    assert Message.objects.count() == 1


def test_it_stores_the_body_as_sent_whatever_the_content_type(client, db):
    raw = make_email(body="name=value&other=1 is not a form field")

    response = post(client, raw, content_type="application/x-www-form-urlencoded", **AUTH)

    assert response.status_code == 202
    assert bytes(Message.objects.get().raw) == raw


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Bearer wrong-token"}, {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"}],
    ids=["missing", "wrong", "not-bearer"],
)
def test_it_refuses_a_missing_or_wrong_token(client, db, headers):
    response = post(client, make_email(), **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Message.objects.exists()


def test_it_fails_closed_without_a_configured_token(client, db, settings):
    settings.INTAKE_TOKEN = ""

    response = post(client, make_email(), HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 403
    assert "INTAKE_TOKEN" in response.json()["error"]
    assert not Message.objects.exists()


def test_it_refuses_bytes_that_are_not_mail(client, db):
    response = post(client, b"\x89PNG\r\n\x1a\n not an email at all", **AUTH)

    assert response.status_code == 400
    assert "RFC 822" in response.json()["error"]
    assert not Message.objects.exists()


def test_it_refuses_an_empty_body(client, db):
    response = post(client, b"", **AUTH)

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_answers_413_above_the_configured_cap(client, db, settings):
    settings.INTAKE_MAX_BYTES = 1000

    response = post(client, make_email(body="x" * 2000), **AUTH)

    assert response.status_code == 413
    assert response.json()["limit"] == 1000
    assert not Message.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_it_answers_405_to_anything_but_post(client, db, method):
    response = getattr(client, method)(URL, **AUTH)

    assert response.status_code == 405
