"""SparkPost relay webhooks: the RFC 822 message inside msys.relay_message."""

from intake.providers.base import Provider, b64_or_text


def raw(esp) -> bytes | None:
    content = esp["msys"]["relay_message"]["content"]
    return b64_or_text(content.get("email_rfc822"), bool(content.get("email_rfc822_is_base64")))


def payload(esp) -> dict:
    relay = (esp.get("msys") or {}).get("relay_message") or {}
    return {key: relay.get(key) for key in ("msg_from", "rcpt_to", "webhook_id")}


PROVIDER = Provider(
    "sparkpost",
    "anymail.webhooks.sparkpost.SparkPostInboundWebhookView",
    "sparkpost/inbound/",
    ("WEBHOOK_SECRET",),
    raw=raw,
    payload=payload,
)
