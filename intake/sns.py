"""Amazon SNS message verification, for the Amazon SES inbound webhook.

anymail does not verify SNS signatures; it trusts basic auth. A message is
accepted here only when, in this order:

1. its TopicArn is in settings.AMAZON_SES_TOPIC_ARNS (an empty list accepts
   nothing: fail closed);
2. its SigningCertURL is https://sns.<region>.amazonaws.com[.cn]/....pem;
3. its Signature verifies against that certificate's public key over the
   string AWS signs (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA).

Steps 1 and 2 look only at the message, so a request from someone else's
topic or pointing at someone else's certificate makes us fetch nothing. The
certificate is fetched over verified TLS from the SNS host (that and the host
check are what make it Amazon's), without following redirects, with a short
timeout, and cached by URL in Django's cache.

Only SES's SNS receipt action is supported (the mail travels inside the
notification, up to 150 KB). With the S3 action the notification carries only
a bucket and key; fetching them needs boto3 and S3 credentials, which
leadrouter does not have, so the webhook answers 501 and logs the object key.
The mail stays in the bucket: nothing is lost, but configure the SNS action.
"""

import base64
import binascii
import hashlib
import json
import logging
import re
import urllib.error
import urllib.request
from collections import deque
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.cache import cache

logger = logging.getLogger(__name__)

HOST_RE = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
FETCH_TIMEOUT = 5
MAX_FETCH_BYTES = 64 * 1024
CERT_CACHE_SECONDS = 24 * 3600

# Field order of the string to sign, per message type (AWS: "Verifying the
# signatures of Amazon SNS messages"). Subject is signed only when present.
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
SIGNED_FIELDS["UnsubscribeConfirmation"] = SIGNED_FIELDS["SubscriptionConfirmation"]
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}

# Every URL this process tried to fetch, newest last: shows operators and
# tests that a rejected message caused no request.
recent_fetches: deque[str] = deque(maxlen=50)


class SnsError(Exception):
    """A message we do not accept: answered `status`, nothing stored."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx becomes an HTTPError: the URL we checked is the URL we read


# The network seam: tests install a handler that answers from fixed bytes.
opener = urllib.request.build_opener(_NoRedirect)


def verify(body: bytes, *, allowed_topics: list[str]) -> dict:
    """The SNS message in `body`, if it is authentic and from an allowed topic; else SnsError."""
    message = _parse(body)
    kind = message.get("Type")
    if kind not in SIGNED_FIELDS:
        raise SnsError(f"unknown SNS message type {kind!r}")
    if not allowed_topics:
        raise SnsError("no SNS topic is allowed: set AMAZON_SES_TOPIC_ARNS", status=403)
    if message.get("TopicArn") not in allowed_topics:
        raise SnsError(f"SNS topic {message.get('TopicArn')!r} is not allowed", status=403)
    cert_url = message.get("SigningCertURL")
    check_sns_url(cert_url, pem=True)
    algorithm = HASHES.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise SnsError(f"unsupported SNS SignatureVersion {message.get('SignatureVersion')!r}")
    try:
        signature = base64.b64decode(message.get("Signature") or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise SnsError("SNS Signature is not base64") from None
    public_key = certificate(cert_url).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsError("SNS certificate does not hold an RSA key")
    try:
        public_key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise SnsError("SNS signature does not verify") from None
    return message


def _parse(body: bytes) -> dict:
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SnsError("the body is not an SNS message (not JSON)") from None
    if not isinstance(message, dict):
        raise SnsError("the body is not an SNS message (not a JSON object)")
    return message


def string_to_sign(message: dict) -> bytes:
    lines = []
    for field in SIGNED_FIELDS[message["Type"]]:
        if field == "Subject" and field not in message:
            continue
        value = message.get(field)
        if not isinstance(value, str):
            raise SnsError(f"SNS message without {field}")
        lines.append(f"{field}\n{value}\n")
    return "".join(lines).encode("utf-8")


def check_sns_url(url: object, *, pem: bool) -> str:
    """`url` if it is an https URL on an SNS host (ending .pem for certificates); else SnsError."""
    if not isinstance(url, str) or any(ch in url for ch in " \t\r\n\\"):
        raise SnsError("SNS URL is missing or malformed")
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme != "https"
        or not HOST_RE.match(parts.hostname or "")
        or parts.username is not None
        or parts.password is not None
        or port not in (None, 443)
        or (pem and not parts.path.endswith(".pem"))
    ):
        raise SnsError(f"{url!r} is not an Amazon SNS {'certificate ' if pem else ''}URL")
    return url


def cert_cache_key(url: str) -> str:
    return "sns-cert:" + hashlib.sha256(url.encode()).hexdigest()


def certificate(url: str) -> x509.Certificate:
    key = cert_cache_key(url)
    pem = cache.get(key)
    if pem is None:
        pem = fetch(url)
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise SnsError(f"{url} did not return a PEM certificate", status=503) from None
        cache.set(key, pem, CERT_CACHE_SECONDS)
        return cert
    return x509.load_pem_x509_certificate(pem)


def fetch(url: str) -> bytes:
    """GET an already checked SNS URL. Failures are ours to retry: SnsError 503."""
    recent_fetches.append(url)
    try:
        with opener.open(url, timeout=FETCH_TIMEOUT) as response:
            data = response.read(MAX_FETCH_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SnsError(f"could not fetch {url}: {exc}", status=503) from None
    if len(data) > MAX_FETCH_BYTES:
        raise SnsError(f"{url} returned more than {MAX_FETCH_BYTES} bytes", status=503)
    return data


def confirm_subscription(message: dict) -> None:
    """Confirm a verified SubscriptionConfirmation by visiting its SubscribeURL."""
    url = check_sns_url(message.get("SubscribeURL"), pem=False)
    fetch(url)
    logger.info("confirmed the SNS subscription to %s", message.get("TopicArn"))
