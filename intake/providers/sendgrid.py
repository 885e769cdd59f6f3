"""SendGrid Inbound Parse: multipart behind basic auth; the raw MIME variant (the `email`
field) is stored byte for byte."""

from anymail.webhooks.base import AnymailBaseWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView

from intake.http import field_bytes
from intake.providers.base import Provider
from intake.services import IntakeError


class SendGridInboundView(SendGridInboundWebhookView):
    def __init__(self, **kwargs):
        # anymail's __init__ only adds a warning, on every request, that it no
        # longer tests SendGrid; we use its inbound parser knowingly.
        AnymailBaseWebhookView.__init__(self, **kwargs)

    def parse_events(self, request):
        try:
            return super().parse_events(request)
        except KeyError as exc:
            # anymail's "missing both 'headers' and 'email' fields": not SendGrid's post
            # (it posts multipart/form-data), and a retry cannot fix it.
            raise IntakeError(f"not a SendGrid Inbound Parse post: {exc}") from None


def raw(esp) -> bytes | None:
    return field_bytes(esp, "email")


PROVIDER = Provider(
    "sendgrid",
    SendGridInboundView,
    "sendgrid/inbound/",
    ("WEBHOOK_SECRET",),
    raw=raw,
    payload_fields=("envelope", "SPF", "dkim", "sender_ip", "spam_report", "charsets"),
)
