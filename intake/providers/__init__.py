"""The email providers whose inbound webhooks we take, one module each (its anymail view,
required settings, where the raw message is, the payload fields kept)."""

from intake.providers import (
    amazon_ses,
    brevo,
    mailersend,
    mailgun,
    mailjet,
    mailtrap,
    mandrill,
    postal,
    postmark,
    resend,
    sendgrid,
    sparkpost,
)
from intake.providers.base import Provider

PROVIDERS: list[Provider] = [
    module.PROVIDER
    for module in (
        amazon_ses,
        brevo,
        mailersend,
        mailgun,
        mailjet,
        mailtrap,
        mandrill,
        postal,
        postmark,
        resend,
        sendgrid,
        sparkpost,
    )
]
BY_NAME: dict[str, Provider] = {provider.name: provider for provider in PROVIDERS}
