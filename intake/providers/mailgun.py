"""Mailgun: routes that forward parsed fields, or the raw message (body-mime) when the URL
contains "mime". Mailgun signs only timestamp + token, not the body: timestamps further
than MAILGUN_MAX_AGE_SECONDS from now are refused and every token is single-use
(WebhookNonce)."""

import json
import time

from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from intake.http import field_bytes, form_digest
from intake.models import WebhookNonce
from intake.providers.base import Provider
from intake.services import IntakeError


class MailgunInboundView(MailgunInboundWebhookView):
    def validate_request(self, request):
        # anymail checks the HMAC of timestamp + token but not its age, and the
        # body is not signed: a captured post could be replayed with any body.
        timestamp, _token = security_fields(request)
        if timestamp is None:
            return  # anymail's own check refuses a post without its security fields
        try:
            skew = time.time() - int(timestamp)
        except (TypeError, ValueError):
            raise IntakeError("Mailgun timestamp is not a number") from None
        if abs(skew) > settings.MAILGUN_MAX_AGE_SECONDS:
            raise IntakeError(
                f"Mailgun timestamp is {abs(int(skew))} s {'old' if skew > 0 else 'ahead'};"
                f" at most {settings.MAILGUN_MAX_AGE_SECONDS} s is accepted"
            )

    def parse_events(self, request):
        # Runs after every validate_request: the signature is good and fresh.
        if request.content_type == "application/json":
            # Inbound routes post form data; JSON is a tracking webhook pointed here.
            # Nothing is stored, and 406 is Mailgun's "rejected for good": no retries.
            raise NotInbound("Mailgun posts inbound mail as form data; this is a JSON webhook")
        if not self._claim_token(request):
            return []
        return super().parse_events(request)

    @staticmethod
    def _claim_token(request: HttpRequest) -> bool:
        """Record the token; False when this exact post was already stored."""
        _timestamp, token = security_fields(request)
        if not isinstance(token, str) or not token:
            raise IntakeError("Mailgun token is missing")
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


class NotInbound(IntakeError):
    status = 406


def security_fields(request: HttpRequest) -> tuple[object, object]:
    """(timestamp, token) as the post carries them: form fields, or the JSON webhooks'
    `signature` block; None where absent (anymail's own check refuses those)."""
    if request.content_type != "application/json":
        return request.POST.get("timestamp"), request.POST.get("token")
    try:
        block = json.loads(request.body).get("signature")
    except (AttributeError, ValueError):
        return None, None
    if not isinstance(block, dict):
        return None, None
    return block.get("timestamp"), block.get("token")


def raw(esp) -> bytes | None:
    return field_bytes(esp, "body-mime")


PROVIDER = Provider(
    "mailgun",
    MailgunInboundView,
    r"^mailgun/inbound(?:_mime)?/$",
    ("MAILGUN_WEBHOOK_SIGNING_KEY",),
    regex=True,
    raw=raw,
    payload_fields=("recipient", "sender", "token", "timestamp"),
)
