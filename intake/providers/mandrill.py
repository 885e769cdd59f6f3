"""Mandrill: anymail's one endpoint takes inbound and tracking batches, signed with the
webhook key; each inbound event carries the raw message."""

from intake.providers.base import Provider, text_bytes


def raw(esp) -> bytes | None:
    return text_bytes((esp.get("msg") or {}).get("raw_msg"))


def payload(esp) -> dict:
    msg = esp.get("msg") or {}
    return {"email": msg.get("email"), "spam_report": msg.get("spam_report"), "spf": msg.get("spf")}


PROVIDER = Provider(
    "mandrill",
    "anymail.webhooks.mandrill.MandrillCombinedWebhookView",
    "mandrill/",
    ("MANDRILL_WEBHOOK_KEY",),
    raw=raw,
    payload=payload,
)
