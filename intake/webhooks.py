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

Each provider's facts (its view, extended where it needs more than anymail does:
Mailgun's replay guard, Postmark's message kept as bytes, SendGrid's raw mode, SES's SNS
checks; its settings; where its post carries the raw message) are in its own module
under intake/providers/. The SES S3 receipt action is answered 501 with the bucket
and key logged (the mail stays in S3): configure the SNS receipt action.

Raw MIME: POST /webhooks/raw/ with the message as the body and
`Authorization: Bearer $INTAKE_TOKEN`; answered 202 with the stored id.
"""

import json
import logging
from email import encoders

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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from intake import providers, sns
from intake.http import BadForm, BodyTooLarge, json_error, read_body
from intake.providers.amazon_ses import S3ActionNotSupported
from intake.providers.base import Provider
from intake.services import IntakeError, ingest_email

logger = logging.getLogger(__name__)


# --- providers ---------------------------------------------------------------------

PROVIDERS = providers.PROVIDERS
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
    missing = provider.missing() if provider.missing else ""
    if missing:
        return missing
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


_warned_unconfigured: set[str] = set()


def _not_configured(provider: Provider, detail: str) -> JsonResponse:
    """403, failing closed. The caller is anonymous: the setting is named in the log, once
    per provider and process (a scanner or a misrouted provider would otherwise write an
    ERROR per request), never in the answer."""
    if provider.name not in _warned_unconfigured:
        _warned_unconfigured.add(provider.name)
        logger.warning("%s inbound webhook called but not configured: %s", provider.name, detail)
    return json_error(403, f"{provider.name} inbound is not configured")


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
    provider = providers.BY_NAME[esp_name.lower().replace(" ", "_")]
    message = event.message
    if message is None:
        logger.warning("%s inbound event %s carried no message", provider.name, event.event_id)
        return
    ingest_email(
        # Postmark's view composes the raw message itself (PostmarkInboundView).
        raw=getattr(event, "raw", None)
        or provider.sent_raw(event.esp_event)
        or _reconstructed(message),
        provider=provider.name,
        provider_message_id=str(event.event_id or ""),
        envelope_recipient=message.envelope_recipient or "",
        provider_payload=_payload(provider, event),
    )


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


def _small(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:1000]
    text = json.dumps(value, default=str)
    return value if len(text) <= 2000 else text[:2000]


def _payload(provider: Provider, event) -> dict:
    """What we keep of the post beside the message: the event's facts and the provider's
    small fields (never bodies or attachments)."""
    message, esp = event.message, event.esp_event
    fields = {
        "event_id": event.event_id,
        "timestamp": event.timestamp.isoformat() if event.timestamp else None,
        "envelope_sender": message.envelope_sender,
        "spam_detected": message.spam_detected,
        "spam_score": message.spam_score,
    }
    source = esp.POST if isinstance(esp, HttpRequest) else esp if isinstance(esp, dict) else {}
    for key in provider.payload_fields:
        fields[key] = source.get(key)
    if provider.payload is not None:
        fields.update(provider.payload(esp))
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
