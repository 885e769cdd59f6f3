"""Brevo: notifies without the message; anymail fetches it from Brevo's API."""

from intake.providers.base import Provider

PROVIDER = Provider(
    "brevo",
    "anymail.webhooks.brevo.BrevoInboundWebhookView",
    "brevo/inbound/",
    ("WEBHOOK_SECRET", "BREVO_API_KEY"),
    payload_fields=("Uuid", "MessageId", "SpamScore"),
)
