"""How each mail client shapes a message in the labelled set: its Message-ID form, the Received
header our MX adds, its MIME (text and HTML, quoted-printable, format=flowed) and its own headers.

Used by bench.labelled.generate; every random choice comes from the generator's seeded rng, in
the order the generator makes it, so the output stays byte-for-byte the same.
"""

import html
import random
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

CLIENTS = ["gmail", "outlook", "apple", "thunderbird", "plain"]
IP_RANGES = [(20, 220), (0, 255), (0, 255), (1, 254)]


def dress(
    msg: EmailMessage, rng: random.Random, client: str, text: str, language: str, domain: str
) -> None:
    """Set the body and the client's own headers, as `client` would send `text`."""
    if client == "gmail" or client == "outlook":
        msg.set_content(text, cte="quoted-printable")
        msg.add_alternative(as_html(text, client), subtype="html", cte="quoted-printable")
    elif client == "apple":
        msg["X-Mailer"] = rng.choice(["iPhone Mail (22B83)", "Apple Mail (2.3826.200.121)"])
        msg.set_content(
            text + "\n\nSent from my iPhone" * (rng.random() < 0.5), cte="quoted-printable"
        )
    elif client == "thunderbird":
        msg["User-Agent"] = "Mozilla Thunderbird"
        msg.set_content(text, cte="8bit")
        msg.set_param("format", "flowed")
    else:
        msg.set_content(text, cte="8bit" if client == "plain" else "quoted-printable")
    if client == "outlook":
        msg["Thread-Index"] = "AdtX" + "".join(
            rng.choice("ABCDEFGHabcdefgh0123456789") for _ in range(20)
        )
        msg["Content-Language"] = {"en": "en-GB", "de": "de-DE", "fr": "fr-FR"}.get(
            language, "es-ES"
        )
    if client == "bulk":
        msg["X-Mailer"] = rng.choice(["lemlist", "Mailshake", "PHPMailer 6.9.1"])
        msg["List-Unsubscribe"] = f"<https://{domain}/u/{rng.randint(10**6, 10**7)}>"


def message_id(rng: random.Random, client: str, domain: str) -> str:
    token = "".join(
        rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(24)
    )
    return {
        "gmail": f"<CA+{token}@mail.gmail.com>",
        "outlook": f"<AM0PR{token[:12]}@AM0PR07MB{token[12:16]}.eurprd07.prod.outlook.com>",
        "apple": f"<{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:]}@{domain}>",
    }.get(client, f"<{token}@{domain}>")


def received(rng: random.Random, when: datetime, domain: str, client: str, sender: str) -> bytes:
    relay = {
        "gmail": "mail-ej1-f41.google.com",
        "outlook": "mail-am0eur02on2071.outbound.protection.outlook.com",
    }.get(client, f"mail.{domain}")
    ip = ".".join(str(rng.randint(low, high)) for low, high in IP_RANGES)
    when = format_datetime(when + timedelta(seconds=rng.randint(1, 9)))
    return (
        f"Return-Path: <{sender}>\r\n"
        f"Received: from {relay} ({relay} [{ip}])\r\n"
        f"\tby mx1.tidewater.io (Postfix) with ESMTPS id 4Q{rng.randint(10**8, 10**9)}\r\n"
        f"\tfor <sales@tidewater.io>; {when}\r\n"
    ).encode()


def as_html(text: str, client: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n")
    )
    style = ' style="font-family:Calibri,sans-serif"' if client == "outlook" else ""
    return (
        f'<html><head><meta charset="utf-8"></head><body><div dir="ltr"{style}>'
        f"{paragraphs}</div></body></html>"
    )
