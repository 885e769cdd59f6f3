"""The email providers whose inbound webhooks we take, one module each (its anymail view,
required settings, where the raw message is, the payload fields kept)."""

from importlib import import_module

from intake.providers.base import Provider

NAMES = (
    "amazon_ses",
    "brevo",
    "mailersend",
    "mailgun",
    "mailjet",
    "mailtrap",
    "mandrill",
    "postal",
    "postmark",
    "resend",
    "sendgrid",
    "sparkpost",
)
PROVIDERS: list[Provider] = [import_module(f"intake.providers.{name}").PROVIDER for name in NAMES]
BY_NAME: dict[str, Provider] = {provider.name: provider for provider in PROVIDERS}
