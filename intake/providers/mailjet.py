"""Mailjet's Parse API: parsed fields behind basic auth (anymail rebuilds the message)."""

from intake.providers.base import Provider

PROVIDER = Provider(
    "mailjet",
    "anymail.webhooks.mailjet.MailjetInboundWebhookView",
    "mailjet/inbound/",
    ("WEBHOOK_SECRET",),
    payload_fields=("Sender", "Recipient", "CustomID"),
)
