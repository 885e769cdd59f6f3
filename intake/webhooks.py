"""Provider webhooks (django-anymail) and the raw MIME endpoint.

Provider webhooks are anymail's inbound views, at anymail's paths under
/webhooks/anymail/. Before anymail runs, `_inbound_view` answers:

- 404 unless the provider is in settings.INBOUND_PROVIDERS ("all": every one);
- 403 when the provider's secret is not configured. anymail only warns when
  WEBHOOK_SECRET is missing (the endpoint would take mail from anyone) and
  raises ImproperlyConfigured, a 500, when a signing key is missing; we fail
  closed instead;
- 401 with a Basic challenge when WEBHOOK_SECRET is set and the request's
  basic auth is missing or wrong (anymail would answer 400);
- 413 above settings.INTAKE_MAX_BYTES: the body is read here, past Django's
  2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE (see intake.http).

Then anymail's view runs inside one transaction: it checks the provider's
signature (400 when wrong), parses, and sends its `inbound` signal, whose
receiver below stores the raw message with intake.services.ingest_email. The
message, Mailgun's token record and, on commit, the processing task land
together or not at all; a database failure answers 503 so the provider
retries.

Where a provider needs more than anymail does (Mailgun's replay guard, Postmark's
message kept as bytes, SendGrid's raw mode, SES's SNS checks), its view is extended
in intake.provider_views. The SES S3 receipt action is answered 501 with the bucket
and key logged (the mail stays in S3): configure the SNS receipt action.

Raw MIME: POST /webhooks/raw/ with the message as the body and
`Authorization: Bearer $INTAKE_TOKEN`; answered 202 with the stored id.
"""

import binascii
import json
import logging
from base64 import b64decode
from dataclasses import dataclass
from email import encoders
from functools import cached_property

from anymail.exceptions import (
    AnymailConfigurationError,
    AnymailWebhookValidationFailure,
)
from anymail.signals import inbound
from anymail.utils import get_request_basic_auth
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from intake import sns
from intake.http import BadForm, BodyTooLarge, field_bytes, json_error, read_body
from intake.provider_views import (
    AmazonSESInboundView,
    MailgunInboundView,
    PostmarkInboundView,
    S3ActionNotSupported,
    SendGridInboundView,
    text_bytes,
)
from intake.services import IntakeError, ingest_email

logger = logging.getLogger(__name__)


# --- providers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    name: str
    # anymail's own views by dotted path, imported on first use: some pull in heavy
    # SDKs at import (Resend's, svix: 35 MB in every web worker, used by none).
    view: type | str
    route: str  # anymail's path under /webhooks/anymail/
    # anymail settings that must be set; a tuple inside is "one of these"
    required: tuple = ()
    regex: bool = False

    @cached_property
    def view_class(self) -> type:
        return import_string(self.view) if isinstance(self.view, str) else self.view


PROVIDERS = [
    Provider("amazon_ses", AmazonSESInboundView, "amazon_ses/inbound/"),
    Provider(
        "brevo",
        "anymail.webhooks.brevo.BrevoInboundWebhookView",
        "brevo/inbound/",
        ("WEBHOOK_SECRET", "BREVO_API_KEY"),
    ),
    Provider(
        "mailersend",
        "anymail.webhooks.mailersend.MailerSendInboundWebhookView",
        "mailersend/inbound/",
        ("MAILERSEND_INBOUND_SECRET",),
    ),
    # Mailgun posts raw MIME (body-mime) when the URL contains "mime".
    Provider(
        "mailgun",
        MailgunInboundView,
        r"^mailgun/inbound(?:_mime)?/$",
        ("MAILGUN_WEBHOOK_SIGNING_KEY",),
        regex=True,
    ),
    Provider(
        "mailjet",
        "anymail.webhooks.mailjet.MailjetInboundWebhookView",
        "mailjet/inbound/",
        ("WEBHOOK_SECRET",),
    ),
    Provider(
        "mailtrap",
        "anymail.webhooks.mailtrap.MailtrapInboundWebhookView",
        "mailtrap/inbound/",
        ("MAILTRAP_API_TOKEN", ("MAILTRAP_INBOUND_SECRET", "WEBHOOK_SECRET")),
    ),
    # anymail's one Mandrill endpoint takes inbound and tracking batches.
    Provider(
        "mandrill",
        "anymail.webhooks.mandrill.MandrillCombinedWebhookView",
        "mandrill/",
        ("MANDRILL_WEBHOOK_KEY",),
    ),
    Provider(
        "postal",
        "anymail.webhooks.postal.PostalInboundWebhookView",
        "postal/inbound/",
        ("POSTAL_WEBHOOK_KEY",),
    ),
    Provider("postmark", PostmarkInboundView, "postmark/inbound/", ("WEBHOOK_SECRET",)),
    Provider(
        "resend",
        "anymail.webhooks.resend.ResendInboundWebhookView",
        "resend/inbound/",
        ("RESEND_API_KEY", ("RESEND_INBOUND_SECRET", "WEBHOOK_SECRET")),
    ),
    Provider("sendgrid", SendGridInboundView, "sendgrid/inbound/", ("WEBHOOK_SECRET",)),
    Provider(
        "sparkpost",
        "anymail.webhooks.sparkpost.SparkPostInboundWebhookView",
        "sparkpost/inbound/",
        ("WEBHOOK_SECRET",),
    ),
]
PROVIDER_NAMES = {provider.name for provider in PROVIDERS}

_unknown = {name.lower() for name in settings.INBOUND_PROVIDERS} - PROVIDER_NAMES - {"all"}
if _unknown:
    raise ImproperlyConfigured(
        f"INBOUND_PROVIDERS has unknown providers {sorted(_unknown)}; known: all, "
        + ", ".join(sorted(PROVIDER_NAMES))
    )


def _enabled(name: str) -> bool:
    enabled = {item.lower() for item in settings.INBOUND_PROVIDERS}
    return "all" in enabled or name in enabled


def _anymail_setting(name: str):
    """An anymail setting, looked up as anymail does (ANYMAIL dict, ANYMAIL_*, bare)."""
    value = (getattr(settings, "ANYMAIL", None) or {}).get(name)
    if value is None:
        value = getattr(settings, f"ANYMAIL_{name}", None)
    if value is None and name != "WEBHOOK_SECRET":
        value = getattr(settings, name, None)
    return value


def _missing_settings(provider: Provider) -> str:
    if provider.name == "amazon_ses" and not settings.AMAZON_SES_TOPIC_ARNS:
        return "AMAZON_SES_TOPIC_ARNS"
    for requirement in provider.required:
        names = requirement if isinstance(requirement, tuple) else (requirement,)
        if not any(_anymail_setting(name) for name in names):
            return " or ".join(names)
    return ""


def _webhook_secrets() -> list[str]:
    secrets = _anymail_setting("WEBHOOK_SECRET") or []
    if isinstance(secrets, str):
        secrets = [secrets]
    return [secret for secret in secrets if secret]


def _basic_auth_ok(request: HttpRequest, secrets: list[str]) -> bool:
    sent = get_request_basic_auth(request) or ""
    # Compare against every secret (a list, not a generator) so timing shows nothing.
    return any([constant_time_compare(sent, secret) for secret in secrets])


def _unavailable() -> JsonResponse:
    response = json_error(503, "temporarily unavailable; retry later")
    response["Retry-After"] = "60"
    return response


def _not_configured(provider: Provider, detail: str) -> JsonResponse:
    logger.error("%s inbound webhook called but not configured: %s", provider.name, detail)
    return json_error(403, f"{provider.name} inbound is not configured: {detail}")


def _inbound_view(provider: Provider):
    @csrf_exempt
    @login_not_required
    def view(request: HttpRequest) -> HttpResponse:
        if not _enabled(provider.name):
            return json_error(404, f"{provider.name} inbound is not enabled (INBOUND_PROVIDERS)")
        if request.method != "POST":
            # HEAD (Mandrill checks its URL with one) and OPTIONS as anymail answers them.
            return _run_anymail(provider, request)
        missing = _missing_settings(provider)
        if missing:
            return _not_configured(provider, f"set {missing}")
        secrets = _webhook_secrets()
        if secrets and not _basic_auth_ok(request, secrets):
            response = json_error(401, "missing or wrong basic auth")
            response["WWW-Authenticate"] = 'Basic realm="leadrouter webhooks"'
            return response
        try:
            read_body(request, settings.INTAKE_MAX_BYTES)
        except BodyTooLarge as exc:
            return json_error(413, str(exc), limit=settings.INTAKE_MAX_BYTES)
        except BadForm as exc:
            return json_error(400, str(exc))
        return _run_anymail(provider, request)

    return view


def _run_anymail(provider: Provider, request: HttpRequest) -> HttpResponse:
    try:
        anymail_view = provider.view_class()  # reads the settings now, per request
    except ImproperlyConfigured as exc:
        return _not_configured(provider, str(exc))
    if getattr(anymail_view, "warn_if_no_basic_auth", False) and not anymail_view.basic_auth:
        return _not_configured(provider, "set ANYMAIL_WEBHOOK_SECRET")
    anymail_view.setup(request)
    try:
        with transaction.atomic():
            return anymail_view.dispatch(request)
    except AnymailWebhookValidationFailure as exc:
        logger.warning("%s webhook refused: %s", provider.name, exc)
        return json_error(400, str(exc))
    except (IntakeError, sns.SnsError) as exc:
        logger.warning("%s webhook refused (%s): %s", provider.name, exc.status, exc)
        return json_error(exc.status, str(exc))
    except S3ActionNotSupported as exc:
        logger.error("SES message left in %s: the S3 receipt action is not supported", exc)
        return json_error(
            501,
            "the Amazon SES S3 receipt action is not supported; use the SNS action",
            bucket=exc.bucket,
            key=exc.key,
        )
    except AnymailConfigurationError as exc:
        # Ours to fix (a tracking webhook pointed here, Mailgun's store()
        # action...): a 5xx keeps the provider retrying until we do.
        logger.error("%s webhook: %s", provider.name, exc)
        return json_error(500, f"{provider.name} inbound is misconfigured: {exc}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return json_error(400, f"malformed {provider.name} payload: {exc}")
    except DatabaseError:
        logger.exception("%s webhook: database error", provider.name)
        return _unavailable()


def _slashless(provider: Provider):
    # Without this, APPEND_SLASH answers a POST to the URL minus its slash with a 301,
    # which providers do not follow (SendGrid drops the mail): serve it there too.
    if provider.regex:
        return re_path(provider.route.replace("/$", "$"), _inbound_view(provider))
    return path(provider.route.rstrip("/"), _inbound_view(provider))


anymail_urlpatterns = [
    (re_path if provider.regex else path)(
        provider.route, _inbound_view(provider), name=f"webhook-{provider.name}"
    )
    for provider in PROVIDERS
] + [_slashless(provider) for provider in PROVIDERS]


# --- the inbound signal --------------------------------------------------------------


@receiver(inbound, dispatch_uid="intake.webhooks.store_inbound")
def store_inbound(sender, event, esp_name, **kwargs) -> None:
    provider = esp_name.lower().replace(" ", "_")
    message = event.message
    if message is None:
        logger.warning("%s inbound event %s carried no message", provider, event.event_id)
        return
    ingest_email(
        # Postmark's view composes the raw message itself (PostmarkInboundView).
        raw=getattr(event, "raw", None)
        or _sent_raw(provider, event.esp_event)
        or _reconstructed(message),
        provider=provider,
        provider_message_id=str(event.event_id or ""),
        envelope_recipient=message.envelope_recipient or "",
        provider_payload=_payload(provider, event),
    )


def _b64_or_text(value, is_base64: bool) -> bytes | None:
    if not value:
        return None
    return b64decode(value) if is_base64 else text_bytes(value)


def _sent_raw(provider: str, esp) -> bytes | None:
    """The RFC 822 bytes as the provider sent them, when it sends them."""
    try:
        if provider == "mailgun":
            return field_bytes(esp, "body-mime")
        if provider == "sendgrid":
            return field_bytes(esp, "email")
        if provider == "amazon_ses":
            encoding = esp.get("receipt", {}).get("action", {}).get("encoding")
            return _b64_or_text(esp.get("content"), encoding == "BASE64")
        if provider == "postal":
            return _b64_or_text(esp.get("message"), esp.get("base64") is True)
        if provider == "sparkpost":
            content = esp["msys"]["relay_message"]["content"]
            return _b64_or_text(
                content.get("email_rfc822"), bool(content.get("email_rfc822_is_base64"))
            )
        if provider == "mailersend":
            return text_bytes((esp.get("data") or {}).get("raw"))
        if provider == "mandrill":
            return text_bytes((esp.get("msg") or {}).get("raw_msg"))
    except (AttributeError, KeyError, TypeError, ValueError, binascii.Error):
        logger.warning(
            "%s: raw message not where expected; storing anymail's reconstruction", provider
        )
    return None


def _reconstructed(message) -> bytes:
    """anymail's message rebuilt from a provider's parsed fields, as RFC 5322 bytes."""
    for part in message.walk():
        if part.is_multipart() or part.get("Content-Transfer-Encoding"):
            continue
        # anymail builds attachments from decoded bytes with no
        # Content-Transfer-Encoding; written out as they are, line-ending
        # conversion would corrupt binary content, and a text file's LF would
        # come back as CRLF: an attachment keeps the sender's exact bytes.
        content = part.get_payload(decode=True)
        if isinstance(content, bytes) and (
            part.get_content_maintype() != "text"
            or not content.isascii()
            or (part.get_filename() is not None and _bare_line_ends(content))
        ):
            encoders.encode_base64(part)
    # RFC 5322 lines end in CRLF; the email package writes "\n" unless told.
    policy = message.policy.clone(linesep="\r\n")
    try:
        return message.as_bytes(policy=policy)
    except (UnicodeError, ValueError, LookupError):
        return message.as_bytes(policy=policy.clone(utf8=True))


def _bare_line_ends(content: bytes) -> bool:
    """A lone LF or CR, which the email package writes out as CRLF."""
    rest = content.replace(b"\r\n", b"")
    return b"\n" in rest or b"\r" in rest


# Small, useful provider fields kept beside the message; never bodies or attachments.
PAYLOAD_FIELDS = {
    "postmark": (
        "MessageID",
        "MailboxHash",
        "OriginalRecipient",
        "MessageStream",
        "Tag",
        "BccFull",
    ),
    "mailgun": ("recipient", "sender", "token", "timestamp"),
    "sendgrid": ("envelope", "SPF", "dkim", "sender_ip", "spam_report", "charsets"),
    "mailjet": ("Sender", "Recipient", "CustomID"),
    "postal": ("id", "rcpt_to", "mail_from", "size", "spam_status", "bounce"),
    "brevo": ("Uuid", "MessageId", "SpamScore"),
}


def _small(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:1000]
    text = json.dumps(value, default=str)
    return value if len(text) <= 2000 else text[:2000]


def _payload(provider: str, event) -> dict:
    message, esp = event.message, event.esp_event
    fields = {
        "event_id": event.event_id,
        "timestamp": event.timestamp.isoformat() if event.timestamp else None,
        "envelope_sender": message.envelope_sender,
        "spam_detected": message.spam_detected,
        "spam_score": message.spam_score,
    }
    source = esp.POST if isinstance(esp, HttpRequest) else esp if isinstance(esp, dict) else {}
    for key in PAYLOAD_FIELDS.get(provider, ()):
        fields[key] = source.get(key)
    if provider == "amazon_ses":
        mail, receipt = esp.get("mail") or {}, esp.get("receipt") or {}
        fields.update(
            ses_message_id=mail.get("messageId"),
            source=mail.get("source"),
            destination=mail.get("destination"),
            recipients=receipt.get("recipients"),
            topic_arn=(receipt.get("action") or {}).get("topicArn"),
            verdicts={
                name: (receipt.get(name) or {}).get("status")
                for name in (
                    "spamVerdict",
                    "virusVerdict",
                    "spfVerdict",
                    "dkimVerdict",
                    "dmarcVerdict",
                )
                if name in receipt
            },
        )
    elif provider == "sparkpost":
        relay = (esp.get("msys") or {}).get("relay_message") or {}
        fields.update({key: relay.get(key) for key in ("msg_from", "rcpt_to", "webhook_id")})
    elif provider == "mailersend":
        data = esp.get("data") or {}
        fields.update(id=data.get("id"), spf_check=data.get("spf_check"))
    elif provider == "mandrill":
        msg = esp.get("msg") or {}
        fields.update(
            email=msg.get("email"), spam_report=msg.get("spam_report"), spf=msg.get("spf")
        )
    return {key: _small(value) for key, value in fields.items() if value not in (None, "", [], {})}


# --- raw MIME ------------------------------------------------------------------------


def _bearer_ok(request: HttpRequest, token: str) -> bool:
    scheme, _, sent = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer" and constant_time_compare(sent.strip(), token)


@csrf_exempt
@login_not_required
@require_POST
def raw_mime(request: HttpRequest) -> HttpResponse:
    """Store one RFC 822 message posted as the body (Postfix pipes, Email Workers, scripts)."""
    token = settings.INTAKE_TOKEN
    if not token:
        logger.error("raw MIME intake called but INTAKE_TOKEN is not set")
        return json_error(403, "raw MIME intake is not configured: set INTAKE_TOKEN")
    if not _bearer_ok(request, token):
        response = json_error(401, "missing or wrong bearer token")
        response["WWW-Authenticate"] = 'Bearer realm="leadrouter"'
        return response
    try:
        raw = read_body(request, settings.INTAKE_MAX_BYTES, parse_form=False)
    except BodyTooLarge as exc:
        return json_error(413, str(exc), limit=settings.INTAKE_MAX_BYTES)
    try:
        with transaction.atomic():
            result = ingest_email(raw=raw, provider="raw")
    except IntakeError as exc:
        return json_error(exc.status, str(exc))
    except DatabaseError:
        logger.exception("raw MIME intake: database error")
        return _unavailable()
    return JsonResponse(
        {
            "id": result.message.pk,
            "duplicate": not result.created,
            "message_id": result.message.message_id,
        },
        status=202,
    )
