"""Resend: notifies without the message; anymail fetches it with the API key."""

from intake.providers.base import Provider

PROVIDER = Provider(
    "resend",
    "anymail.webhooks.resend.ResendInboundWebhookView",
    "resend/inbound/",
    ("RESEND_API_KEY", ("RESEND_INBOUND_SECRET", "WEBHOOK_SECRET")),
)
