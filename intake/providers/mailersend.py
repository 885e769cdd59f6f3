"""MailerSend: an HMAC-signed `inbound.message` webhook carrying the raw message."""

from intake.providers.base import Provider, text_bytes


def raw(esp) -> bytes | None:
    return text_bytes((esp.get("data") or {}).get("raw"))


def payload(esp) -> dict:
    data = esp.get("data") or {}
    return {"id": data.get("id"), "spf_check": data.get("spf_check")}


PROVIDER = Provider(
    "mailersend",
    "anymail.webhooks.mailersend.MailerSendInboundWebhookView",
    "mailersend/inbound/",
    ("MAILERSEND_INBOUND_SECRET",),
    raw=raw,
    payload=payload,
)
