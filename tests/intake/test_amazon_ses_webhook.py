"""POST /webhooks/anymail/amazon_ses/inbound/: SNS signatures, certificate hosts, topics."""

import email.message
import io
import json
import urllib.error
import urllib.request
import urllib.response
from base64 import b64decode, b64encode
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.core.cache import cache

from intake import sns
from intake.models import Lead, Message
from tests.helpers import CORPUS_DATA

URL = "/webhooks/anymail/amazon_ses/inbound/"
SES = CORPUS_DATA / "webhooks" / "amazon-ses"
INBOUND_TOPIC = "arn:aws:sns:us-east-1:111111111111:SES_Inbound"
CONFIRM_TOPIC = "arn:aws:sns:us-west-2:123456789012:SES_Notifications"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-12345abcde.pem"
OTHER_CERT_URL = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-12345abcde.pem"


@pytest.fixture(scope="module")
def signing_key():
    """An RSA key and a self-signed certificate standing in for Amazon's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def trusted_cert(db, signing_key):
    """Our certificate already in Django's cache under the SNS URLs, as after a first fetch."""
    for url in (CERT_URL, OTHER_CERT_URL):
        cache.set(sns.cert_cache_key(url), signing_key[1])


@pytest.fixture(autouse=True)
def ses_configured(settings):
    settings.ANYMAIL = {}
    settings.INBOUND_PROVIDERS = ["all"]
    settings.AMAZON_SES_TOPIC_ARNS = [INBOUND_TOPIC, CONFIRM_TOPIC]
    sns.recent_fetches.clear()


class FakeAws(urllib.request.BaseHandler):
    """Answers HTTPS GETs from fixed pages: the network is the boundary we fake."""

    def __init__(self, pages: dict[str, bytes]):
        self.pages = pages

    def https_open(self, request):
        if request.full_url not in self.pages:
            raise urllib.error.URLError("unreachable in tests")
        page = io.BytesIO(self.pages[request.full_url])
        return urllib.response.addinfourl(page, email.message.Message(), request.full_url, 200)


def fake_aws(monkeypatch, pages: dict[str, bytes]) -> None:
    opener = urllib.request.OpenerDirector()
    opener.add_handler(FakeAws(pages))
    monkeypatch.setattr(sns, "opener", opener)


def aws_string_to_sign(message: dict) -> bytes:
    # Spelled out from AWS's "Verifying the signatures of Amazon SNS messages".
    if message["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{key}\n{message[key]}\n" for key in keys if key in message).encode()


def signed(message: dict, key, version: str = "1", cert_url: str = CERT_URL) -> dict:
    message = {**message, "SignatureVersion": version, "SigningCertURL": cert_url}
    message.setdefault("Timestamp", "2018-03-30T17:21:52.000Z")
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = key.sign(aws_string_to_sign(message), padding.PKCS1v15(), digest)
    return {**message, "Signature": b64encode(signature).decode()}


def load(name: str) -> dict:
    return json.loads((SES / name).read_text())


def post(client, message: dict, **headers):
    return client.post(
        URL,
        json.dumps(message),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message["Type"],
        HTTP_X_AMZ_SNS_MESSAGE_ID=message["MessageId"],
        **headers,
    )


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize(
    "name",
    [
        "ses-inbound-sns-action-utf8.sns-http-body.json",
        "ses-inbound-sns-action-base64.sns-http-body.json",
    ],
)
def test_it_stores_each_signed_sns_action_notification(
    client, trusted_cert, signing_key, on_commit, name, version
):
    message = signed(load(name), signing_key[0], version)

    with on_commit():
        response = post(client, message)

    assert response.status_code == 200
    stored = Message.objects.get()
    event = json.loads(message["Message"])
    content = event["content"]
    expected = b64decode(content) if "base64" in name else content.encode()
    assert bytes(stored.raw) == expected
    assert stored.provider == "amazon_ses"
    assert stored.provider_message_id == event["mail"]["messageId"]
    assert stored.envelope_recipient == "inbound@example.com"
    assert stored.provider_payload["topic_arn"] == INBOUND_TOPIC
    assert "content" not in stored.provider_payload
    assert stored.subject == "Test inbound message"
    assert Lead.objects.get().subject == "Test inbound message"
    assert list(sns.recent_fetches) == []  # the cached certificate served


def test_it_refuses_a_bad_signature(client, trusted_cert, signing_key):
    message = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0])
    message["Message"] = message["Message"].replace("It's a body", "It's a forged body")

    response = post(client, message)

    assert response.status_code == 400
    assert "signature" in response.json()["error"]
    assert not Message.objects.exists()


def test_it_refuses_the_shared_payload_with_its_placeholder_signature(client, trusted_cert):
    response = post(client, load("ses-inbound-sns-action-utf8.sns-http-body.json"))

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_refuses_a_message_signed_by_another_key(client, trusted_cert):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    message = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), other_key)

    response = post(client, message)

    assert response.status_code == 400
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://evil.example.com/SimpleNotificationService-12345abcde.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example.com/cert.pem",
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-12345abcde.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-12345abcde.txt",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-12345abcde.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com\\@evil.example.com/cert.pem",
    ],
)
def test_it_refuses_a_certificate_off_an_sns_host_without_fetching(
    client, db, signing_key, cert_url
):
    message = signed(
        load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0], cert_url=cert_url
    )

    response = post(client, message)

    assert response.status_code == 400
    assert not Message.objects.exists()
    assert list(sns.recent_fetches) == []


def test_it_refuses_a_topic_not_allow_listed_without_fetching(client, db, signing_key, settings):
    settings.AMAZON_SES_TOPIC_ARNS = ["arn:aws:sns:us-east-1:111111111111:Other_Topic"]
    message = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0])

    response = post(client, message)

    assert response.status_code == 403
    assert "not allowed" in response.json()["error"]
    assert not Message.objects.exists()
    assert list(sns.recent_fetches) == []


def test_it_fails_closed_with_no_allowed_topics(client, trusted_cert, signing_key, settings):
    settings.AMAZON_SES_TOPIC_ARNS = []
    message = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0])

    response = post(client, message)

    assert response.status_code == 403
    assert "AMAZON_SES_TOPIC_ARNS" not in response.json()["error"]
    assert not Message.objects.exists()


def test_it_fetches_the_certificate_once_and_caches_it(client, db, signing_key, monkeypatch):
    fake_aws(monkeypatch, {CERT_URL: signing_key[1]})
    utf8 = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0])
    base64 = signed(load("ses-inbound-sns-action-base64.sns-http-body.json"), signing_key[0])

    responses = [post(client, utf8), post(client, base64)]

    assert [response.status_code for response in responses] == [200, 200]
    assert list(sns.recent_fetches) == [CERT_URL]
    assert cache.get(sns.cert_cache_key(CERT_URL)) == signing_key[1]


def test_it_answers_503_when_the_certificate_cannot_be_fetched(
    client, db, signing_key, monkeypatch
):
    fake_aws(monkeypatch, {})
    message = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0])

    response = post(client, message)

    assert response.status_code == 503  # SNS retries
    assert list(sns.recent_fetches) == [CERT_URL]
    assert not Message.objects.exists()


def test_it_answers_501_to_the_s3_receipt_action_and_stores_nothing(
    client, trusted_cert, signing_key
):
    message = signed(load("ses-inbound-s3-action.sns-http-body.json"), signing_key[0])

    response = post(client, message)

    assert response.status_code == 501
    body = response.json()
    assert "SNS action" in body["error"]
    assert body["key"] == "inbound/fqef5sop459utgdf4o9lqbsv7jeo73pejig34301"
    assert not Message.objects.exists()


def test_it_confirms_a_signed_subscription_from_an_allowed_topic(
    client, db, signing_key, monkeypatch
):
    confirmation = load("sns-subscription-confirmation.json")
    fake_aws(monkeypatch, {OTHER_CERT_URL: signing_key[1], confirmation["SubscribeURL"]: b"<ok/>"})

    response = post(client, signed(confirmation, signing_key[0], cert_url=OTHER_CERT_URL))

    assert response.status_code == 200
    assert list(sns.recent_fetches) == [OTHER_CERT_URL, confirmation["SubscribeURL"]]
    assert not Message.objects.exists()


def test_it_only_logs_a_subscription_when_auto_confirm_is_off(
    client, trusted_cert, signing_key, settings
):
    settings.ANYMAIL = {"AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False}
    confirmation = signed(
        load("sns-subscription-confirmation.json"), signing_key[0], cert_url=OTHER_CERT_URL
    )

    response = post(client, confirmation)

    assert response.status_code == 200
    assert list(sns.recent_fetches) == []


def test_it_refuses_a_forged_subscription_without_visiting_it(client, trusted_cert, signing_key):
    confirmation = signed(
        load("sns-subscription-confirmation.json"), signing_key[0], cert_url=OTHER_CERT_URL
    )
    confirmation["SubscribeURL"] = (
        "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=x"
    )

    response = post(client, confirmation)

    assert response.status_code == 400
    assert list(sns.recent_fetches) == []


def test_it_refuses_mismatched_sns_headers(client, trusted_cert, signing_key):
    message = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0])

    response = client.post(
        URL,
        json.dumps(message),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID="someone-elses-id",
    )

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_requires_basic_auth_when_a_webhook_secret_is_set(
    client, trusted_cert, signing_key, settings
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "sns:pw"}
    message = signed(load("ses-inbound-sns-action-utf8.sns-http-body.json"), signing_key[0])

    refused = post(client, message)
    accepted = post(client, message, HTTP_AUTHORIZATION="Basic " + b64encode(b"sns:pw").decode())

    # SNS sends credentials only after a 401 challenge.
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Basic ")
    assert accepted.status_code == 200
    assert Message.objects.count() == 1


def test_it_refuses_a_body_that_is_not_an_sns_message(client, trusted_cert):
    response = client.post(
        URL,
        b"not json",
        content_type="text/plain",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID="x",
    )

    assert response.status_code == 400
    assert not Message.objects.exists()
