"""Amazon SES through SNS: signatures, certificate hosts and topics are verified, and
subscriptions confirmed over HTTPS without boto3 (intake.sns). The S3 receipt action is
not supported: it needs boto3 and S3 credentials (answered 501, the mail stays in S3)."""

import logging

from anymail.utils import get_anymail_setting
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.base import AnymailBaseWebhookView
from django.conf import settings

from intake import sns
from intake.providers.base import Provider, b64_or_text

logger = logging.getLogger(__name__)


class S3ActionNotSupported(Exception):
    def __init__(self, bucket: str, key: str):
        super().__init__(f"s3://{bucket}/{key}")
        self.bucket, self.key = bucket, key


class AmazonSESInboundView(AmazonSESInboundWebhookView):
    # The SNS signature and the topic allow-list authenticate; basic auth is
    # still enforced when WEBHOOK_SECRET is set.
    warn_if_no_basic_auth = False

    def __init__(self, **kwargs):
        # anymail's __init__ asks boto3 (not installed) for S3 and SNS client
        # settings. This view needs neither: set what anymail's methods read.
        self.auto_confirm_enabled = get_anymail_setting(
            "auto_confirm_sns_subscriptions", esp_name=self.esp_name, kwargs=kwargs, default=True
        )
        self.kms_key_id = None
        self.chunk_size = None
        self.session_params, self.client_params = {}, {}
        AnymailBaseWebhookView.__init__(self, **kwargs)

    def validate_request(self, request):
        # First of the validators (MRO order): nothing is fetched for a
        # foreign topic or certificate host. anymail then matches the
        # x-amz-sns-* headers against this parsed message.
        request._sns_message = sns.verify(
            request.body, allowed_topics=settings.AMAZON_SES_TOPIC_ARNS
        )

    def auto_confirm_sns_subscription(self, sns_message):
        if not self.auto_confirm_enabled:
            logger.warning(
                "SNS subscription to %s awaits confirmation: visit %s",
                sns_message.get("TopicArn"),
                sns_message.get("SubscribeURL"),
            )
            return
        sns.confirm_subscription(sns_message)

    def fetch_s3_chunks(self, bucket_name, object_key):
        raise S3ActionNotSupported(bucket_name, object_key)


def raw(esp) -> bytes | None:
    encoding = esp.get("receipt", {}).get("action", {}).get("encoding")
    return b64_or_text(esp.get("content"), encoding == "BASE64")


def payload(esp) -> dict:
    mail, receipt = esp.get("mail") or {}, esp.get("receipt") or {}
    return {
        "ses_message_id": mail.get("messageId"),
        "source": mail.get("source"),
        "destination": mail.get("destination"),
        "recipients": receipt.get("recipients"),
        "topic_arn": (receipt.get("action") or {}).get("topicArn"),
        "verdicts": {
            name: (receipt.get(name) or {}).get("status")
            for name in ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")
            if name in receipt
        },
    }


def missing() -> str:
    return "" if settings.AMAZON_SES_TOPIC_ARNS else "AMAZON_SES_TOPIC_ARNS"


PROVIDER = Provider(
    "amazon_ses",
    AmazonSESInboundView,
    "amazon_ses/inbound/",
    raw=raw,
    payload=payload,
    missing=missing,
)
