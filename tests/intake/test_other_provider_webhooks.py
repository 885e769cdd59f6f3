"""The other anymail inbound endpoints: mounted, enabled by setting, fail closed; 3 replays."""

import hashlib
import hmac
import json
import logging
from base64 import b64decode, b64encode

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from intake import webhooks
from intake.models import Lead, Message
from tests.helpers import FIXTURES

ROUTES = {
    "amazon_ses": "/webhooks/anymail/amazon_ses/inbound/",
    "brevo": "/webhooks/anymail/brevo/inbound/",
    "mailersend": "/webhooks/anymail/mailersend/inbound/",
    "mailgun": "/webhooks/anymail/mailgun/inbound/",
    "mailgun-mime": "/webhooks/anymail/mailgun/inbound_mime/",
    "mailjet": "/webhooks/anymail/mailjet/inbound/",
    "mailtrap": "/webhooks/anymail/mailtrap/inbound/",
    "mandrill": "/webhooks/anymail/mandrill/",
    "postal": "/webhooks/anymail/postal/inbound/",
    "postmark": "/webhooks/anymail/postmark/inbound/",
    "resend": "/webhooks/anymail/resend/inbound/",
    "sendgrid": "/webhooks/anymail/sendgrid/inbound/",
    "sparkpost": "/webhooks/anymail/sparkpost/inbound/",
}
SECRET = "provider:webhook-pw"
BASIC_AUTH = {"HTTP_AUTHORIZATION": "Basic " + b64encode(SECRET.encode()).decode()}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / "webhooks" / name).read_bytes()


@pytest.fixture(autouse=True)
def nothing_configured(settings):
    settings.ANYMAIL = {}
    settings.AMAZON_SES_TOPIC_ARNS = []
    settings.INBOUND_PROVIDERS = ["all"]


@pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())
def test_it_fails_closed_for_every_provider_without_its_secret(client, db, route):
    response = client.post(route, b"{}", content_type="application/json", **BASIC_AUTH)

    assert response.status_code == 403
    assert response.json()["error"].endswith("inbound is not configured")
    assert not Message.objects.exists()


def test_it_names_the_missing_setting_in_one_log_line_and_never_to_the_caller(client, db, caplog):
    route = ROUTES["postal"]
    webhooks._warned_unconfigured.discard("postal")

    with caplog.at_level(logging.WARNING, logger="intake.webhooks"):
        answers = [client.post(route, b"{}", content_type="application/json") for _ in range(3)]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert all("POSTAL_WEBHOOK_KEY" not in a.content.decode() for a in answers)
    logged = [r for r in caplog.records if "not configured" in r.getMessage()]
    assert len(logged) == 1
    assert "POSTAL_WEBHOOK_KEY" in logged[0].getMessage()
    assert logged[0].levelname == "WARNING"


@pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())
def test_it_answers_404_for_every_provider_not_enabled(client, db, settings, route):
    settings.INBOUND_PROVIDERS = []
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    response = client.post(route, b"{}", content_type="application/json", **BASIC_AUTH)

    assert response.status_code == 404


def test_it_enables_only_the_listed_providers(client, db, settings):
    settings.INBOUND_PROVIDERS = ["postmark"]
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    mailjet = client.post(
        ROUTES["mailjet"],
        fixture_bytes("mailjet-inbound.json"),
        content_type="application/json",
        **BASIC_AUTH,
    )

    assert mailjet.status_code == 404
    assert not Message.objects.exists()


def test_it_answers_mandrills_url_check_before_the_key_exists(client, db):
    # Mandrill HEADs the URL when the webhook is created, before it shows the key.
    response = client.head(ROUTES["mandrill"])

    assert response.status_code == 200


def test_it_answers_405_to_a_get(client, db, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    response = client.get(ROUTES["mailjet"], **BASIC_AUTH)

    assert response.status_code == 405


# --- Mailjet: basic auth ----------------------------------------------------------


def test_it_stores_a_mailjet_post_with_basic_auth(client, db, settings, on_commit):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    with on_commit():
        response = client.post(
            ROUTES["mailjet"],
            fixture_bytes("mailjet-inbound.json"),
            content_type="application/json",
            **BASIC_AUTH,
        )

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.provider == "mailjet"
    assert message.message_id == "mailjet-1@northwind.example"
    assert message.envelope_recipient == "sales@leadrouter.test"
    assert message.provider_payload["spam_score"] == 0.312
    assert b"Subject: Quote for 120 licences\r\n" in bytes(message.raw)
    assert "120 licences" in message.text
    assert Lead.objects.get().subject == "Quote for 120 licences"


def test_it_refuses_a_mailjet_post_with_wrong_basic_auth(client, db, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    response = client.post(
        ROUTES["mailjet"],
        fixture_bytes("mailjet-inbound.json"),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + b64encode(b"provider:guess").decode(),
    )

    assert response.status_code == 401
    assert not Message.objects.exists()


# --- Postal: RSA-signed ----------------------------------------------------------


@pytest.fixture(scope="module")
def postal_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def postal_public_key(key) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b64encode(der).decode()


def postal_signature(key, body: bytes) -> str:
    return b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA1())).decode()


def test_it_stores_a_signed_postal_post(client, db, settings, postal_key, on_commit):
    settings.ANYMAIL = {"POSTAL_WEBHOOK_KEY": postal_public_key(postal_key)}
    body = fixture_bytes("postal-inbound.json")

    with on_commit():
        response = client.post(
            ROUTES["postal"],
            body,
            content_type="application/json",
            HTTP_X_POSTAL_SIGNATURE=postal_signature(postal_key, body),
        )

    assert response.status_code == 200
    message = Message.objects.get()
    assert bytes(message.raw) == b64decode(json.loads(body)["message"])
    assert message.provider == "postal"
    assert message.provider_message_id == "20261124"
    assert message.lead.subject == "Quote for 120 licences"


@pytest.mark.parametrize("signature", [None, "bm90IGEgc2lnbmF0dXJl"], ids=["missing", "wrong"])
def test_it_refuses_a_postal_post_without_a_valid_signature(
    client, db, settings, postal_key, signature
):
    settings.ANYMAIL = {"POSTAL_WEBHOOK_KEY": postal_public_key(postal_key)}
    headers = {} if signature is None else {"HTTP_X_POSTAL_SIGNATURE": signature}

    response = client.post(
        ROUTES["postal"],
        fixture_bytes("postal-inbound.json"),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 400
    assert not Message.objects.exists()


# --- MailerSend: HMAC-signed --------------------------------------------------


MAILERSEND_SECRET = "mailersend-inbound-signing-secret"


def test_it_stores_a_signed_mailersend_post(client, db, settings, on_commit):
    settings.ANYMAIL = {"MAILERSEND_INBOUND_SECRET": MAILERSEND_SECRET}
    body = fixture_bytes("mailersend-inbound.json")
    signature = hmac.new(MAILERSEND_SECRET.encode(), body, hashlib.sha256).hexdigest()

    with on_commit():
        response = client.post(
            ROUTES["mailersend"], body, content_type="application/json", HTTP_SIGNATURE=signature
        )

    assert response.status_code == 200
    message = Message.objects.get()
    assert bytes(message.raw) == json.loads(body)["data"]["raw"].encode()
    assert message.provider == "mailersend"
    assert message.envelope_recipient == "sales@leadrouter.test"
    assert message.lead.subject == "Quote for 120 licences"


def test_it_refuses_a_mailersend_post_with_a_wrong_signature(client, db, settings):
    settings.ANYMAIL = {"MAILERSEND_INBOUND_SECRET": MAILERSEND_SECRET}
    body = fixture_bytes("mailersend-inbound.json")
    signature = hmac.new(b"another-secret", body, hashlib.sha256).hexdigest()

    response = client.post(
        ROUTES["mailersend"], body, content_type="application/json", HTTP_SIGNATURE=signature
    )

    assert response.status_code == 400
    assert not Message.objects.exists()
