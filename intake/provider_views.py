"""anymail's inbound views for the providers whose posts need more than anymail does.

- Mailgun signs only timestamp + token, not the body: timestamps further than
  MAILGUN_MAX_AGE_SECONDS from now are refused and every token is single-use
  (WebhookNonce).
- Postmark: irregular Headers entries of old payloads are normalised, and the
  message is kept as bytes: RawEmail when Postmark sends it, else composed from
  the fields (intake.rfc822) instead of anymail's email.message.
- SendGrid: the raw MIME variant.
- Amazon SES: SNS signatures, certificate hosts and topics are verified, and
  subscriptions confirmed over HTTPS without boto3 (intake.sns). The S3 receipt
  action is not supported: it needs boto3 and S3 credentials.

intake.webhooks routes requests to them and stores what their `inbound` signal carries.
"""

import binascii
import logging
import time
from base64 import b64decode
from email.utils import getaddresses, unquote

from anymail.exceptions import (
    AnymailConfigurationError,
)
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType
from anymail.utils import get_anymail_setting
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.base import AnymailBaseWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from intake import rfc822, sns
from intake.http import form_digest
from intake.models import WebhookNonce
from intake.services import IntakeError

logger = logging.getLogger(__name__)


class S3ActionNotSupported(Exception):
    def __init__(self, bucket: str, key: str):
        super().__init__(f"s3://{bucket}/{key}")
        self.bucket, self.key = bucket, key


# --- anymail views, extended ---------------------------------------------------


class MailgunInboundView(MailgunInboundWebhookView):
    def validate_request(self, request):
        # anymail checks the HMAC of timestamp + token but not its age, and the
        # body is not signed: a captured post could be replayed with any body.
        timestamp = request.POST.get("timestamp")
        if timestamp is None:
            return  # anymail's own check refuses a post without its security fields
        try:
            skew = time.time() - int(timestamp)
        except ValueError:
            raise IntakeError("Mailgun timestamp is not a number") from None
        if abs(skew) > settings.MAILGUN_MAX_AGE_SECONDS:
            raise IntakeError(
                f"Mailgun timestamp is {abs(int(skew))} s {'old' if skew > 0 else 'ahead'};"
                f" at most {settings.MAILGUN_MAX_AGE_SECONDS} s is accepted"
            )

    def parse_events(self, request):
        # Runs after every validate_request: the signature is good.
        if request.content_type != "application/json" and not self._claim_token(request):
            return []
        return super().parse_events(request)

    @staticmethod
    def _claim_token(request: HttpRequest) -> bool:
        """Record the token; False when this exact post was already stored."""
        token = request.POST["token"]
        if len(token) > 200:
            raise IntakeError("Mailgun token is too long")
        digest = form_digest(request)
        try:
            with transaction.atomic():
                WebhookNonce.objects.create(provider="mailgun", token=token, body_sha256=digest)
        except IntegrityError:
            seen = WebhookNonce.objects.filter(provider="mailgun", token=token).first()
            if seen is not None and constant_time_compare(seen.body_sha256, digest):
                # The token row commits in the same transaction as the message,
                # so a recorded token with this very content means the message is
                # already stored: Mailgun is retrying a post whose answer it
                # missed. 200 without a second write makes it stop.
                return False
            raise IntakeError("Mailgun token was already used for a different post") from None
        return True


class PostmarkInboundView(PostmarkInboundWebhookView):
    """Postmark's inbound JSON, with the message kept as bytes.

    anymail builds an `email.message` from the JSON, which we would then flatten
    back to bytes to store: most of a request's CPU. Here the raw message is
    Postmark's RawEmail when it sends one, else composed directly from the fields
    (intake.rfc822, parsed the same way as anymail's reconstruction), and the
    event's `message` carries only what the receiver reads besides the bytes: the
    envelope and the spam verdict.
    """

    def esp_to_anymail_event(self, esp_event):
        esp_event = normalised_postmark(esp_event)
        record_type = esp_event.get("RecordType", "Inbound")
        if record_type != "Inbound":
            raise AnymailConfigurationError(
                f"You seem to have set Postmark's *{record_type}* webhook"
                " to Anymail's Postmark *inbound* webhook URL."
            )
        headers = [(h["Name"], h["Value"]) for h in esp_event["Headers"]]
        envelope_sender = None
        # Postmark puts the envelope sender first as Return-Path; it is not part of
        # the message (anymail drops it the same way).
        if headers and headers[0][0].lower() == "return-path":
            envelope_sender = unquote(headers.pop(0)[1])
        message = AnymailInboundMessage()
        message.envelope_sender = envelope_sender
        message.envelope_recipient = esp_event.get("OriginalRecipient")
        spam = {name.lower(): value for name, value in reversed(headers)}
        message.spam_detected = spam.get("x-spam-status", "No").strip().lower() == "yes"
        try:
            message.spam_score = float(spam["x-spam-score"])
        except (KeyError, TypeError, ValueError):
            pass
        event = AnymailInboundEvent(
            event_type=EventType.INBOUND,
            timestamp=None,
            event_id=esp_event.get("MessageID"),
            esp_event=esp_event,
            message=message,
        )
        event.raw = text_bytes(esp_event.get("RawEmail")) or postmark_message(esp_event, headers)
        return event


def normalised_postmark(esp_event: dict) -> dict:
    """Postmark's payload with its Headers as Name/Value pairs and the *Full fields set.

    2011-era payloads carry some Headers as {"X-Spam-Status": "No"} instead of
    {"Name": ..., "Value": ...}, and no FromFull/ToFull.
    """
    esp_event = dict(esp_event)
    headers = []
    for entry in esp_event.get("Headers") or []:
        if isinstance(entry, dict) and "Name" in entry:
            headers.append({"Name": str(entry["Name"]), "Value": str(entry.get("Value") or "")})
        elif isinstance(entry, dict):
            headers += [{"Name": str(k), "Value": str(v)} for k, v in entry.items()]
    esp_event["Headers"] = headers
    if not esp_event.get("FromFull") and esp_event.get("From"):
        esp_event["FromFull"] = {"Email": esp_event["From"], "Name": esp_event.get("FromName", "")}
    for field in ("To", "Cc", "Bcc"):
        if not esp_event.get(f"{field}Full") and esp_event.get(field):
            esp_event[f"{field}Full"] = [
                {"Email": email, "Name": name} for name, email in getaddresses([esp_event[field]])
            ]
    return esp_event


def postmark_message(esp_event: dict, headers: list[tuple[str, str]]) -> bytes:
    """The RFC 5322 message from Postmark's parsed fields (no RawEmail in the payload)."""

    def mailboxes(entries) -> rfc822.Mailboxes:
        if isinstance(entries, dict):
            entries = [entries]
        return rfc822.mailboxes(
            [
                (str(e.get("Name") or ""), str(e.get("Email") or ""))
                for e in entries or []
                if isinstance(e, dict) and (e.get("Email") or e.get("Name"))
            ]
        )

    fields = []
    for name, key in (("From", "FromFull"), ("To", "ToFull"), ("Cc", "CcFull"), ("Bcc", "BccFull")):
        value = mailboxes(esp_event.get(key))
        if value:
            fields.append((name, value))
    fields.append(("Subject", str(esp_event.get("Subject") or "")))
    # Postmark gives these as fields of their own; the given fields win over headers.
    given = {"from", "to", "cc", "bcc", "subject"}
    fields += [(name, value) for name, value in headers if name.lower() not in given]
    present = {name.lower() for name, _ in fields}
    for name, key in (("Date", "Date"), ("Reply-To", "ReplyTo")):
        if esp_event.get(key) and name.lower() not in present:
            fields.append((name, str(esp_event[key])))
    attachments = []
    for entry in esp_event.get("Attachments") or []:
        # Real payloads say "Content"; Postmark's test payloads have said "Data".
        content = entry.get("Content") or entry.get("Data") or ""
        try:
            data = b64decode(content, validate=False)
        except (binascii.Error, ValueError):
            raise IntakeError(f"Postmark attachment {entry.get('Name')!r} is not base64") from None
        attachments.append(
            rfc822.Attachment(
                content=data,
                content_type=str(entry.get("ContentType") or "application/octet-stream"),
                filename=str(entry.get("Name") or ""),
                content_id=str(entry.get("ContentID") or ""),
            )
        )
    return rfc822.compose(
        fields,
        text=str(esp_event.get("TextBody") or ""),
        html=str(esp_event.get("HtmlBody") or ""),
        attachments=attachments,
    )


class SendGridInboundView(SendGridInboundWebhookView):
    def __init__(self, **kwargs):
        # anymail's __init__ only adds a warning, on every request, that it no
        # longer tests SendGrid; we use its inbound parser knowingly.
        AnymailBaseWebhookView.__init__(self, **kwargs)


class AmazonSESInboundView(AmazonSESInboundWebhookView):
    # The SNS signature and the topic allow-list authenticate; basic auth is
    # still enforced when WEBHOOK_SECRET is set.
    warn_if_no_basic_auth = False

    def __init__(self, **kwargs):
        # anymail's __init__ asks boto3 (not installed) for S3 and SNS client
        # settings. This view needs neither: set what anymail's methods read.
        self.auto_confirm_enabled = get_anymail_setting(
            "auto_confirm_sns_subscriptions", esp_name=self.esp_name, kwargs=kwargs, default=True
        )
        self.kms_key_id = None
        self.chunk_size = None
        self.session_params, self.client_params = {}, {}
        AnymailBaseWebhookView.__init__(self, **kwargs)

    def validate_request(self, request):
        # First of the validators (MRO order): nothing is fetched for a
        # foreign topic or certificate host. anymail then matches the
        # x-amz-sns-* headers against this parsed message.
        request._sns_message = sns.verify(
            request.body, allowed_topics=settings.AMAZON_SES_TOPIC_ARNS
        )

    def auto_confirm_sns_subscription(self, sns_message):
        if not self.auto_confirm_enabled:
            logger.warning(
                "SNS subscription to %s awaits confirmation: visit %s",
                sns_message.get("TopicArn"),
                sns_message.get("SubscribeURL"),
            )
            return
        sns.confirm_subscription(sns_message)

    def fetch_s3_chunks(self, bucket_name, object_key):
        raise S3ActionNotSupported(bucket_name, object_key)


def text_bytes(value) -> bytes | None:
    # JSON carries text, not bytes: UTF-8 is what the provider decoded from.
    return value.encode("utf-8", "replace") if isinstance(value, str) and value else None
