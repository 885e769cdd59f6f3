"""Mailtrap: notifies without the message; anymail fetches it with the API token."""

from intake.providers.base import Provider

PROVIDER = Provider(
    "mailtrap",
    "anymail.webhooks.mailtrap.MailtrapInboundWebhookView",
    "mailtrap/inbound/",
    ("MAILTRAP_API_TOKEN", ("MAILTRAP_INBOUND_SECRET", "WEBHOOK_SECRET")),
)
