"""Forged, stale and replayed webhooks against gunicorn: refused, nothing written."""

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.cache import cache

from intake import sns
from intake.models import Contact, Lead, Message, WebhookNonce
from tests.faults import stack
from tests.faults.stack import MAILGUN, POSTMARK, SENDGRID, SES
from tests.intake.test_amazon_ses_webhook import CERT_URL
from tests.intake.test_amazon_ses_webhook import load as load_ses
from tests.intake.test_amazon_ses_webhook import signed as sns_signed
from tests.intake.test_mailgun_webhook import raw_mime_fields
from tests.intake.test_mailgun_webhook import signed as mailgun_signed
from tests.processes import free_port, start_web, stop, wait_for, wait_for_http

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SES_SAMPLE = "ses-inbound-sns-action-utf8.sns-http-body.json"


def nothing_written() -> bool:
    return not (
        Message.objects.exists()
        or WebhookNonce.objects.exists()
        or Contact.objects.exists()
        or Lead.objects.exists()
    )


def mailgun(fields: dict, **kwargs) -> dict:
    return mailgun_signed(fields, key=stack.MAILGUN_SIGNING_KEY, **kwargs)


def post_sns(web: stack.Http, message: dict, auth: str | None = stack.WEBHOOK_SECRET):
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": message["Type"],
        "x-amz-sns-message-id": message["MessageId"],
        **(stack.basic(auth) if auth else {}),
    }
    return web.post(SES, json.dumps(message).encode(), headers)


def sns_key_and_cert() -> tuple[rsa.RSAPrivateKey, bytes]:
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


@pytest.mark.reliability(1)
@pytest.mark.parametrize("age", [600, -600], ids=["ten-minutes-old", "ten-minutes-ahead"])
def test_it_refuses_a_validly_signed_mailgun_post_with_a_stale_timestamp(web, age):
    """A Mailgun post with a valid HMAC but a timestamp 10 minutes off gets a 4xx and
    writes nothing."""
    answer = stack.post_form(web, MAILGUN, mailgun(raw_mime_fields(), age=age))

    assert answer.status == 400, answer.body
    assert "timestamp" in answer.json()["error"]
    assert nothing_written()


@pytest.mark.reliability(2)
def test_it_refuses_a_replayed_mailgun_token_with_another_body(web, workers):
    """A captured Mailgun token replayed with a forged body is refused; an identical retry
    is a 200 that stores nothing new; the worker opens one lead."""
    worker = workers()
    first = mailgun(raw_mime_fields(message_id="<first@acme-widgets.com>"))
    forged = {
        **first,
        "body-mime": stack.lead_email(1, message_id="<forged@evil.example>").decode(),
    }

    accepted = stack.post_form(web, MAILGUN, first)
    replayed = stack.post_form(web, MAILGUN, forged)
    retried = stack.post_form(web, MAILGUN, first)

    assert accepted.status == 200, accepted.body
    assert replayed.status == 400 and "token" in replayed.json()["error"]
    assert retried.status == 200
    assert wait_for(lambda: Lead.objects.filter(triage__decided_at__isnull=False).exists())
    assert Message.objects.get().message_id == "first@acme-widgets.com", stack.tail(worker.log)
    assert Lead.objects.count() == 1
    assert WebhookNonce.objects.count() == 1


@pytest.mark.reliability(3)
@pytest.mark.parametrize(
    "forge",
    [
        lambda fields: {**fields, "signature": "0" * 64},
        lambda fields: {k: v for k, v in fields.items() if k != "signature"},
        lambda fields: {**fields, "token": fields["token"] + "x"},
        lambda fields: mailgun_signed(fields, key="someone-elses-key"),
    ],
    ids=["wrong-signature", "no-signature", "token-changed", "other-key"],
)
def test_it_refuses_a_mailgun_post_without_our_signature(web, forge):
    """A Mailgun post with a missing, wrong or foreign-key signature gets a 4xx and writes
    nothing."""
    answer = stack.post_form(web, MAILGUN, forge(mailgun(raw_mime_fields())))

    assert answer.status == 400, answer.body
    assert nothing_written()


@pytest.mark.reliability(3)
def test_it_fails_closed_when_no_secret_is_configured(stack_root):
    """A server started without signing keys, webhook secrets or an intake token refuses
    every provider and the raw endpoint with a 4xx, however the post is signed."""
    bare = {
        name: ""
        for name in (
            "ANYMAIL_WEBHOOK_SECRET",
            "MAILGUN_WEBHOOK_SIGNING_KEY",
            "INTAKE_TOKEN",
            "AMAZON_SES_TOPIC_ARNS",
        )
    }
    port = free_port()
    log = stack_root / "gunicorn-unconfigured.log"
    process = start_web(
        port, log=log, workers=1, threads=2, **stack.production_env(stack_root, **bare)
    )
    try:
        wait_for_http(port)
        web = stack.Http(port)
        sns_message = load_ses(SES_SAMPLE)
        answers = {
            "mailgun": stack.post_form(web, MAILGUN, mailgun(raw_mime_fields())),
            "postmark": stack.post_json(web, POSTMARK, stack.postmark_raw(1)),
            "sendgrid": stack.post_form(web, SENDGRID, {"email": stack.lead_email(2).decode()}),
            "amazon_ses": post_sns(web, sns_message),
            "raw": stack.post_raw(web, stack.lead_email(3)),
        }
    finally:
        stop(process)

    statuses = {name: answer.status for name, answer in answers.items()}
    assert statuses == dict.fromkeys(answers, 403), (statuses, stack.tail(log))
    assert nothing_written()


@pytest.mark.reliability(3, 4)
@pytest.mark.parametrize("path", [POSTMARK, SENDGRID], ids=["postmark", "sendgrid"])
def test_it_answers_401_to_wrong_basic_auth_and_200_to_the_right_one(web, path):
    """Postmark and SendGrid posts without or with wrong basic auth get a 401 challenge and
    write nothing; the same post with the right credentials is stored."""

    def send(auth):
        if path == POSTMARK:
            return stack.post_json(web, path, stack.postmark_raw(7), auth=auth)
        return stack.post_form(web, path, {"email": stack.lead_email(7).decode()}, auth=auth)

    refused = [send(None), send("provider:wrong-password"), send("nobody:")]

    assert [a.status for a in refused] == [401, 401, 401]
    assert all("basic" in a.headers.get("www-authenticate", "").lower() for a in refused)
    assert nothing_written()
    assert send(stack.WEBHOOK_SECRET).status == 200
    assert Message.objects.count() == 1


@pytest.mark.reliability(3)
def test_it_refuses_the_raw_endpoint_without_the_bearer_token(web):
    """POST /webhooks/raw/ without the bearer token, or with another, gets a 401 and writes
    nothing; with it, a 202."""
    raw = stack.lead_email(9)

    refused = [
        web.post(stack.RAW, raw, {"Content-Type": "message/rfc822"}),
        stack.post_raw(web, raw, token="not-the-token"),
        stack.post_raw(web, raw, token=stack.INTAKE_TOKEN + "x"),
    ]

    assert [a.status for a in refused] == [401, 401, 401]
    assert nothing_written()
    assert stack.post_raw(web, raw).status == 202


@pytest.mark.reliability(6)
def test_it_refuses_sns_from_another_topic_or_certificate_host_without_fetching(web):
    """SNS notifications from a topic not allow-listed, or naming a certificate off an SNS
    host, get a 4xx and make the server fetch nothing; a signed one from our topic is
    stored."""
    key, pem = sns_key_and_cert()
    sample = load_ses(SES_SAMPLE)
    with stack.CountingServer(free_port()) as aws:
        ours = aws.url.replace("http://", "")
        foreign_topic = sns_signed(
            {**sample, "TopicArn": "arn:aws:sns:us-east-1:999999999999:Someone_Else"},
            key,
            cert_url=f"{aws.url}/SimpleNotificationService-1.pem",
        )
        off_host = [
            sns_signed(sample, key, cert_url=url)
            for url in (
                f"{aws.url}/SimpleNotificationService-1.pem",
                f"https://{ours}/SimpleNotificationService-1.pem",
                f"https://sns.us-east-1.amazonaws.com@{ours}/cert.pem",
            )
        ]

        refused_topic = post_sns(web, foreign_topic)
        refused_hosts = [post_sns(web, message) for message in off_host]
        connections = list(aws.hits)

    assert refused_topic.status == 403, refused_topic.body
    assert [a.status for a in refused_hosts] == [400, 400, 400]
    assert connections == []
    assert nothing_written()

    # The control: our certificate is what the server's cache holds for the real SNS URL.
    cache.set(sns.cert_cache_key(CERT_URL), pem)
    accepted = post_sns(web, sns_signed(sample, key, cert_url=CERT_URL))
    assert accepted.status == 200, accepted.body
    assert Message.objects.get().provider == "amazon_ses"


@pytest.mark.reliability(2, 3)
def test_it_refuses_a_post_whose_token_is_too_long_to_record(web):
    """A validly signed Mailgun post with an absurd token gets a 4xx, never a 5xx."""
    fields = mailgun(raw_mime_fields(), token=secrets.token_hex(150))

    answer = stack.post_form(web, MAILGUN, fields)

    assert answer.status == 400, answer.body
    assert nothing_written()
