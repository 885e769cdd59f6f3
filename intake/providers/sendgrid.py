"""SendGrid Inbound Parse: multipart behind basic auth; the raw MIME variant (the `email`
field) is stored byte for byte."""

from anymail.webhooks.base import AnymailBaseWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView

from intake.http import field_bytes
from intake.providers.base import Provider


class SendGridInboundView(SendGridInboundWebhookView):
    def __init__(self, **kwargs):
        # anymail's __init__ only adds a warning, on every request, that it no
        # longer tests SendGrid; we use its inbound parser knowingly.
        AnymailBaseWebhookView.__init__(self, **kwargs)


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
