"""Postal: the raw message (base64 or text), signed with Postal's RSA key."""

from intake.providers.base import Provider, b64_or_text


def raw(esp) -> bytes | None:
    return b64_or_text(esp.get("message"), esp.get("base64") is True)


PROVIDER = Provider(
    "postal",
    "anymail.webhooks.postal.PostalInboundWebhookView",
    "postal/inbound/",
    ("POSTAL_WEBHOOK_KEY",),
    raw=raw,
    payload_fields=("id", "rcpt_to", "mail_from", "size", "spam_status", "bounce"),
)
