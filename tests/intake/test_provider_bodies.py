"""Provider posts of the wrong shape get a 4xx with a reason, never a 500: a provider retries
a 5xx for hours, and these can never succeed (RELIABILITY.md, #27)."""

import hashlib
import hmac
import json
import time

import pytest

from intake.models import Message, WebhookNonce
from tests.intake.test_postmark_webhook import SECRET, basic_auth

pytestmark = pytest.mark.django_db
MAILGUN_KEY = "mailgun-signing-key"


@pytest.fixture(autouse=True)
def configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    settings.INBOUND_PROVIDERS = ["all"]


def post(client, provider: str, body: bytes):
    return client.post(
        f"/webhooks/anymail/{provider}/inbound/",
        body,
        content_type="application/json",
        **basic_auth(),
    )


@pytest.mark.parametrize(
    "body",
    [
        b"[1,2]",
        b'"x"',
        b"null",
        json.dumps({"Headers": "x"}).encode(),
        json.dumps({"Headers": [1, 2], "Attachments": ["abc", 3]}).encode(),
        json.dumps({"FromFull": {"Email": "a@example.com"}, "Attachments": "abc"}).encode(),
    ],
    ids=["list", "string", "null", "headers-string", "attachments-strings", "attachments-str"],
)
def test_it_refuses_a_postmark_body_of_the_wrong_shape(client, body):
    response = post(client, "postmark", body)

    assert response.status_code == 400, response.content
    assert "Postmark" in response.json()["error"]
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", [b"{}", b"[]", b'{"email": 1}'])
def test_it_refuses_a_sendgrid_json_body(client, body):
    response = post(client, "sendgrid", body)

    assert response.status_code == 400, response.content
    assert "SendGrid" in response.json()["error"]
    assert not Message.objects.exists()


def mailgun_json(age_seconds: int, token: str = "t" * 50) -> bytes:
    timestamp = str(int(time.time()) - age_seconds)
    signature = hmac.new(
        MAILGUN_KEY.encode(), (timestamp + token).encode(), hashlib.sha256
    ).hexdigest()
    block = {"timestamp": timestamp, "token": token, "signature": signature}
    return json.dumps({"signature": block, "event-data": {"event": "delivered"}}).encode()


def test_it_applies_the_age_check_to_a_mailgun_json_post(client):
    response = post(client, "mailgun", mailgun_json(age_seconds=86_400))

    assert response.status_code == 400, response.content
    assert "old" in response.json()["error"]
    assert not WebhookNonce.objects.exists()


def test_it_rejects_a_fresh_mailgun_json_post_for_good_and_stores_nothing(client):
    response = post(client, "mailgun", mailgun_json(age_seconds=0))

    # A tracking webhook pointed at the inbound URL: 406 tells Mailgun not to retry.
    assert response.status_code == 406, response.content
    assert "form data" in response.json()["error"]
    assert not Message.objects.exists()
