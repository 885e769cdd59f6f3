"""intake.rfc822: the message Postmark's fields are stored as, parsed like anymail's own."""

import dataclasses
import json
from base64 import b64encode

import pytest
from anymail.webhooks.postmark import PostmarkInboundWebhookView

from bench.intake import postmark_payload
from bench.labelled import mail_files
from intake import mime, rfc822, webhooks
from intake.providers import postmark
from tests.helpers import CORPUS_DATA

POSTMARK = CORPUS_DATA / "webhooks" / "postmark"
IGNORED_HEADERS = {"content-type", "mime-version", "content-transfer-encoding", "date"}


def shared(name: str) -> dict:
    payload = json.loads((POSTMARK / name).read_text())
    payload.pop("RawEmail", None)
    return payload


def edge_cases() -> list[dict]:
    base = shared("anymail-postmark-inbound-test-payload.json")
    pdf = b64encode(bytes(range(256)) * 8).decode()
    return [
        {
            **base,
            "Subject": "Angebot für 40 Arbeitsplätze – dringend",
            "FromFull": {"Email": "joerg@example.de", "Name": "Jörg Müller, GmbH"},
            "TextBody": "Grüße\r\n" + "x" * 1500,
            "HtmlBody": "<p>Grüße</p>",
            "Attachments": [
                {"Name": "Angebot Müller.pdf", "ContentType": "application/pdf", "Content": pdf},
                {"Name": 'a "quoted" name.txt', "ContentType": "text/plain", "Content": pdf},
                {
                    "Name": "logo.png",
                    "ContentType": "image/png",
                    "Content": pdf,
                    "ContentID": "x@y",
                },
                {"Name": "", "ContentType": "application/x-unnamed", "Content": pdf},
            ],
        },
        {
            **base,
            "Headers": [
                {"Name": "X-Long", "Value": "a" * 2500},
                {"Name": "X-Words", "Value": " ".join(["word"] * 400)},
                {"Name": "References", "Value": "<a@x> <b@x>"},
                {"Name": "In-Reply-To", "Value": "<b@x>"},
            ],
            "TextBody": "",
            "HtmlBody": "<b>only html</b>",
            "Attachments": [],
        },
    ]


PAYLOADS = [
    shared("anymail-postmark-inbound-test-payload.json"),
    shared("anymail-postmark-inbound-test-payload-with-raw.json"),
    shared("jpadilla-valid_http_post-legacy.json"),
    *edge_cases(),
    *[json.loads(postmark_payload(path.read_bytes(), n)) for n, path in enumerate(mail_files())],
]


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:pass"}


@pytest.fixture
def anymail_view():
    return PostmarkInboundWebhookView()


def parsed_fields(parsed: mime.ParsedMessage) -> dict:
    fields = dataclasses.asdict(parsed)
    for name in ("headers", "part_types", "content_type"):
        fields.pop(name)
    fields["headers"] = sorted(
        (name.lower(), value)
        for name, value in parsed.headers
        if name.lower() not in IGNORED_HEADERS and value
    )
    return fields


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.get("Subject", "")[:40])
def test_it_parses_the_same_as_anymails_reconstruction(anymail_view, payload):
    ours = postmark.PostmarkInboundView().esp_to_anymail_event(payload).raw
    theirs = webhooks._reconstructed(
        anymail_view.esp_to_anymail_event(postmark.normalised_postmark(payload)).message
    )

    assert parsed_fields(mime.parse_message(ours)) == parsed_fields(mime.parse_message(theirs))


def test_it_keeps_every_line_within_998_octets():
    for payload in PAYLOADS:
        raw = postmark.PostmarkInboundView().esp_to_anymail_event(payload).raw
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        assert b"\n" not in raw.replace(b"\r\n", b"")


def test_it_never_lets_a_value_start_a_header_of_its_own():
    raw = rfc822.compose(
        [("Subject", "hello\r\nBcc: attacker@example.com"), ("X-Test", "a\nX-Injected: 1")],
        text="body",
    )

    parsed = mime.parse_message(raw)
    names = [name.lower() for name, _ in parsed.headers]
    assert "bcc" not in names and "x-injected" not in names
    assert parsed.subject == "hello Bcc: attacker@example.com"


def test_it_drops_fields_it_cannot_write_and_keeps_the_mime_structure_its_own():
    raw = rfc822.compose(
        [("Bad Name", "x"), ("Content-Type", "text/html"), ("X-Ok", "yes")], text="plain"
    )

    parsed = mime.parse_message(raw)
    assert parsed.text.strip() == "plain"
    assert ("X-Ok", "yes") in parsed.headers
    assert not any(name == "Bad Name" for name, _ in parsed.headers)
    assert raw.count(b"Content-Type:") == 1


def test_it_stores_a_nested_message_as_a_file_not_as_mime_to_parse():
    forwarded = b"From: a@example.com\r\nSubject: inner\r\n\r\nhi\r\n"
    raw = rfc822.compose(
        [("Subject", "outer")],
        text="see attached",
        attachments=[rfc822.Attachment(forwarded, "message/rfc822", "fwd.eml")],
    )

    [attachment] = mime.parse_message(raw).attachments
    assert attachment.filename == "fwd.eml"
    assert attachment.content == forwarded


def test_it_writes_an_address_that_is_not_ascii_as_utf8():
    # anymail's reconstruction RFC 2047-encodes the local part, which no one can reply to.
    raw = rfc822.compose([("From", rfc822.mailboxes([("Jörg Müller", "jörg@example.de")]))])

    parsed = mime.parse_message(raw)
    assert (parsed.from_name, parsed.from_email) == ("Jörg Müller", "jörg@example.de")


def test_it_sends_a_content_type_it_cannot_read_as_octet_stream():
    raw = rfc822.compose(
        [("Subject", "x")],
        text="see attached",
        attachments=[rfc822.Attachment(b"data", "not a type; x=1", "file.bin")],
    )

    [attachment] = mime.parse_message(raw).attachments
    assert attachment.content_type == "application/octet-stream"
    assert attachment.content == b"data"


def test_it_unfolds_a_header_the_provider_sent_folded():
    # anymail's construction raises ValueError on it (a 500 before this module).
    raw = rfc822.compose([("X-Folded", "one\r\n  two"), ("Subject", "a\r\n\tb")], text="x")

    parsed = mime.parse_message(raw)
    assert ("X-Folded", "one  two") in parsed.headers
    assert parsed.subject == "a\tb"
