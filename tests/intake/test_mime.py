"""intake.mime: bytes -> ParsedMessage on hostile and broken mail (RELIABILITY.md, checks 9-12)."""

import io
import re
import time
from datetime import UTC

import pytest

from intake import mime
from intake.mime import Limits, parse_message, peek_headers
from tests.intake.mail_samples import (
    CORPUS,
    CORPUS_FILES,
    assert_no_nul,
    fixture,
    messages_in,
)

# --- the corpus ------------------------------------------------------------------------------


def test_it_finds_the_shared_corpus():
    assert len(CORPUS_FILES) > 250, f"expected the mail corpus under {CORPUS}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_it_parses_every_corpus_file_within_the_limits(path):
    limits = Limits()
    for raw in messages_in(path):
        started = time.monotonic()
        parsed = parse_message(raw, limits=limits)
        elapsed = time.monotonic() - started

        assert isinstance(parsed, mime.ParsedMessage)
        assert elapsed < limits.max_seconds
        assert_no_nul(parsed)
        if not parsed.failed:
            assert len(parsed.part_types) <= limits.max_parts
            assert len(parsed.headers) <= mime.MAX_HEADERS
            assert all(len(value) <= 2000 for _name, value in parsed.headers)
            assert parsed.date is None or parsed.date.tzinfo is not None


def test_it_tells_mail_from_other_files_in_the_corpus():
    not_mail = [
        "flanker/README.md",
        "mimekit/LICENSE",
        "mimekit/tnef/winmail.tnef",
        "talon-replies/html_replies/gmail.html",
        "talon-replies/standard_replies/iphone_reply_text",
    ]
    for name in not_mail:
        assert not peek_headers((CORPUS / name).read_bytes()).looks_like_mail, name
    for name in ["flanker/no-ctype.eml", "mimekit/compliance/missing-body-separator.eml"]:
        assert peek_headers((CORPUS / name).read_bytes()).looks_like_mail, name


def test_it_marks_the_endless_enclosure_as_failed_on_the_part_cap():
    parsed = parse_message((CORPUS / "flanker/enclosed-endless.eml").read_bytes())

    assert "MIME parts" in parsed.failed
    assert parsed.message_id == "4FEEF9B3.7060508@example.net"
    assert parsed.subject == "Wow"


@pytest.mark.parametrize("name", ["iphone", "sparrow"])
def test_it_extracts_the_reply_talon_expects(name):
    folder = CORPUS / "talon-replies" / "standard_replies"
    expected = (folder / f"{name}_reply_text").read_text()
    parsed = parse_message((folder / f"{name}.eml").read_bytes())

    def lines(text):
        return [line.rstrip() for line in text.strip().splitlines()]

    assert lines(parsed.text_new + "\n\n" + parsed.signature) == lines(expected)
    assert parsed.text_quoted.lstrip().startswith("On ")
    assert "Hello" in parsed.text  # the whole text is kept


@pytest.mark.parametrize(
    "path",
    sorted((CORPUS / "talon-replies" / "standard_replies").glob("*.eml")),
    ids=lambda p: p.name,
)
def test_it_splits_every_talon_standard_reply(path):
    parsed = parse_message(path.read_bytes())

    assert parsed.text_new == "Hello"
    assert parsed.text_quoted
    assert "Hello" not in parsed.text_quoted.splitlines()[0]


# --- content -------------------------------------------------------------------------------

FORBIDDEN_IN_HTML = [
    "<script",
    "onload",
    "onclick",
    "onerror",
    "javascript:",
    "vbscript:",
    "data:",
    "evil.example",
    "<svg",
    "<form",
    "<input",
    "<button",
    "<iframe",
    "<object",
    "<embed",
    "<meta",
    "<link",
    "<base",
    "<style",
    "style=",
    "@import",
    "url(",
    "srcset",
    "background",
]


def test_it_sanitises_hostile_html_in_a_message():
    parsed = parse_message(fixture("hostile_html.eml"))
    html = parsed.html.lower()

    for needle in FORBIDDEN_IN_HTML:
        assert needle not in html, needle
    assert '<img src="cid:logo@leadrouter.example" alt="company logo">' in html
    assert 'href="https://www.example.com/pricing"' in html
    assert all('rel="noopener noreferrer nofollow"' in a for a in re.findall(r"<a [^>]*>", html))
    assert parsed.text == "Hi, what does the Pro plan cost?"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<div onclick="alert(1)">x</div>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="  JAVASCRIPT:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        "<svg><script>alert(1)</script></svg>",
        '<math><a xlink:href="javascript:alert(1)">x</a></math>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<form action="https://evil.example/"><input name="pw"><button>go</button></form>',
        '<iframe src="https://evil.example/"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<object data="https://evil.example/x.swf"></object>',
        '<embed src="https://evil.example/x.swf">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<base href="https://evil.example/">',
        "<style>@import url(https://evil.example/x.css);</style>",
        '<p style="background:url(https://evil.example/x.png)">x</p>',
        '<div style="width:expression(alert(1))">x</div>',
        '<img src="https://evil.example/pixel.gif">',
        '<img src="//evil.example/pixel.gif">',
        '<img srcset="https://evil.example/a.png 1x">',
        '<table background="https://evil.example/bg.png"><tr><td>x</td></tr></table>',
        '<video poster="https://evil.example/p.png"></video>',
        '<a href="/admin/logout">relative</a>',
        "<!--[if gte mso 9]><script>alert(1)</script><![endif]-->",
    ],
)
def test_it_leaves_nothing_active_in_hostile_html(hostile):
    clean = mime.sanitize_html(hostile).lower()

    for needle in FORBIDDEN_IN_HTML + ["alert", "/admin", "xlink", "poster"]:
        assert needle not in clean, needle


def test_it_keeps_ordinary_formatting():
    html = '<p>Hello <b>bold</b> <a href="mailto:a@example.com">mail</a></p><ul><li>one</li></ul>'

    assert mime.sanitize_html(html) == (
        '<p>Hello <b>bold</b> <a href="mailto:a@example.com" rel="noopener noreferrer nofollow">'
        "mail</a></p><ul><li>one</li></ul>"
    )


def test_it_derives_text_from_html_when_there_is_no_plain_part():
    parsed = parse_message(fixture("html_only_reply.eml"))

    assert parsed.text.startswith("Guten Tag,\n\nwir möchten 25 Lizenzen bestellen.")
    assert "ignored title" not in parsed.text and "color" not in parsed.text
    assert parsed.text_new == "Guten Tag,\n\nwir möchten 25 Lizenzen bestellen."
    assert parsed.text_quoted.endswith("> Anbei unser Angebot.")
    assert parsed.in_reply_to == "offer-1@leadrouter.example"
    assert parsed.references == ["thread-root@leadrouter.example", "offer-1@leadrouter.example"]


def test_it_turns_html_into_readable_text():
    html = (
        "<html><head><style>p{}</style><script>x()</script></head><body>"
        "<h1>Title</h1><p>One&nbsp;two &amp; three</p><ul><li>a</li><li>b</li></ul>"
        "<p>line<br>break</p><blockquote><p>quoted</p><blockquote>deeper</blockquote></blockquote>"
        "<table><tr><td>c1</td><td>c2</td></tr></table></body></html>"
    )

    assert mime.html_to_text(html) == (
        "Title\n\nOne two & three\n\n- a\n- b\n\nline\nbreak\n\n> quoted\n\n> > deeper\n\nc1 c2"
    )


def test_it_decodes_lying_and_unknown_charsets_with_warnings():
    parsed = parse_message(fixture("lying_charsets.eml"))

    assert parsed.failed == ""
    assert parsed.subject == "🎂日本語 café"
    assert parsed.from_name == "René"
    assert parsed.text.split("\n\n") == [
        "Café crème – très bien",
        "plain ascii under an unknown label",
        "한국어 테스트",
        "日本語のテスト",
        "あいうえお ①",
    ]
    assert "text/plain part: bytes do not match charset utf-8, decoded as cp1252" in (
        parsed.warnings
    )
    assert "text/plain part: unknown charset x-unknown, decoded as utf-8" in parsed.warnings
    assert "a header: unknown charset x-unknown, decoded as cp1252" in parsed.warnings


@pytest.mark.parametrize(
    "header, expected",
    [
        ("=?utf-8?B?w6k=?=", "é"),
        ("=?UTF-8?Q?caf=C3=A9_cr=C3=A8me?=", "café crème"),
        ("=?utf-8?B?5pel?= =?utf-8?B?5pys?=", "日本"),
        ("=?utf-8?B?5g==?= =?utf-8?B?l6U=?=", "日"),  # one character split across two words
        ("=?iso-8859-1?q?Gr=FC=DFe?= aus Berlin", "Grüße aus Berlin"),
        ("=?utf-8*de?Q?Stra=C3=9Fe?=", "Straße"),
        ("=?utf-8?B?!!!not base64?=", "=?utf-8?B?!!!not base64?="),
        ("=?utf-8?B?w6k?=", "é"),  # missing padding
        ("=?bogus?Q?caf=E9?=", "café"),
        ("=?unicode_escape?Q?=5Cx41?=", "\\x41"),  # never a codec that interprets escapes
        ("plain\r\n folded", "plain folded"),
        ("nul\x00byte", "nulbyte"),
    ],
)
def test_it_decodes_encoded_words(header, expected):
    assert mime.decode_header_value(header) == expected


def test_it_strips_nul_bytes_from_every_text_field():
    parsed = parse_message(fixture("nul_bytes.eml"))

    assert parsed.failed == ""
    assert_no_nul(parsed)
    assert parsed.subject == "has a  NUL"
    assert parsed.text == "body with  a NUL"
    assert parsed.attachments[0].content == b"binary\x00data"  # bytes stay bytes


def test_it_reads_the_corpus_file_with_nul_bytes_in_headers():
    raw = (CORPUS / "mimekit/compliance/unexpected-null-bytes-in-headers.eml").read_bytes()
    assert b"\x00" in raw
    parsed = parse_message(raw)

    assert parsed.failed == ""
    assert_no_nul(parsed)
    assert parsed.subject.startswith("test of a message containing unexpected null bytes")


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_it_reads_any_line_ending(newline):
    raw = fixture("sales_inquiry.eml").replace(b"\n", newline)
    parsed = parse_message(raw)

    assert parsed.subject == "Quote for 200 seats"
    assert parsed.from_email == "jane.doe@acme.example"
    assert parsed.text.startswith("Hello,\n\nwe are evaluating tools")
    assert "\r" not in parsed.text


def test_it_reads_cr_only_sisimai_mail():
    parsed = parse_message(
        (CORPUS / "sisimai-set-of-emails/maildir/mac/lhost-activehunter-01.eml").read_bytes()
    )

    assert parsed.failed == ""
    assert parsed.content_type == "multipart/report"
    assert parsed.report_type == "delivery-status"


def test_it_reads_addresses_dates_and_ids():
    parsed = parse_message(fixture("sales_inquiry.eml"))

    assert parsed.message_id == "CAF=inquiry-42@mail.acme.example"
    assert (parsed.from_name, parsed.from_email) == ("Doe, Jane", "jane.doe@acme.example")
    assert parsed.to == [("Sales", "sales@leadrouter.example")]
    assert parsed.cc == [("Procurement", "procurement@acme.example"), ("", "bob@acme.example")]
    assert parsed.reply_to == [("", "jane.doe@acme.example")]
    assert parsed.delivered_to == ["sales@leadrouter.example", "inbound+sales@leadrouter.example"]
    assert parsed.date.isoformat() == "2025-03-04T10:00:00-05:00"
    assert parsed.headers[0] == ("Return-Path", "<jane.doe@acme.example>")
    assert parsed.content_type == "text/plain"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Tue, 4 Mar 2025 10:00:00 -0000", "2025-03-04T10:00:00+00:00"),
        ("4 Mar 2025 10:00 +0100", "2025-03-04T10:00:00+01:00"),
        ("not a date", None),
        ("Tue, 31 Feb 2025 10:00:00 +0000", None),
        ("Tue, 4 Mar 99999 10:00:00 +0000", None),
    ],
)
def test_it_parses_dates_as_aware_or_none(value, expected):
    parsed = parse_message(f"Subject: d\nDate: {value}\n\nbody\n".encode())

    assert (parsed.date.isoformat() if parsed.date else None) == expected
    assert parsed.date is None or parsed.date.tzinfo is not None
    if parsed.date and "-0000" in value:
        assert parsed.date.utcoffset() == UTC.utcoffset(None)


def test_it_reads_raw_8bit_headers():
    utf8 = parse_message("Subject: Grüße\nFrom: Jürgen <j@example.de>\n\nx\n".encode())
    latin1 = parse_message("Subject: Grüße\nFrom: Jürgen <j@example.de>\n\nx\n".encode("latin-1"))
    koi8 = parse_message((CORPUS / "mimekit/compliance/raw-koi8r-header.eml").read_bytes())

    assert (utf8.subject, utf8.from_name) == ("Grüße", "Jürgen")
    assert (latin1.subject, latin1.from_name) == ("Grüße", "Jürgen")
    assert koi8.subject == "Откуда он появился?"  # the body's charset is the hint


def test_it_reads_rfc6532_utf8_addresses():
    parsed = parse_message((CORPUS / "mikel-mail/rfc6532/utf8_headers.eml").read_bytes())

    assert parsed.from_email == "jdöe@mächine.example"
    assert parsed.subject == "Säying Hello"


def test_it_survives_broken_structure():
    cases = {
        "mimekit/compliance/missing-body-separator.eml": "",
        "mimekit/compliance/missing-multipart-boundary.eml": "multipart/mixed",
        "flanker/no-ctype.eml": "text/plain",
        "flanker/missing-final-boundary.eml": "multipart/alternative",
    }
    for name, content_type in cases.items():
        parsed = parse_message((CORPUS / name).read_bytes())
        assert parsed.failed == "", name
        if content_type:
            assert parsed.content_type == content_type, name


def test_it_collects_attachments_without_unpacking_them():
    parsed = parse_message(fixture("attachments.eml"))
    found = {a.filename: a for a in parsed.attachments}

    assert parsed.text == "See attached. [chart]"
    assert parsed.html == '<p>See attached. <img src="cid:chart@buyer.example" alt="chart"></p>'
    assert found[""].content_type == "image/png"
    assert (found[""].content_id, found[""].inline) == ("chart@buyer.example", True)
    assert found["../../etc/passwd"].content == b"root:x:0:0:root:/root:/bin/bash"
    assert found["Angebot Müller €.pdf"].content == b"%PDF-1.4\n"
    assert found["archiveé.zip"].content == b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
    assert found["winmail.dat"].content_type == "application/ms-tnef"
    assert found["invoice.html"].content == b"<script>alert(1)</script>"
    original = found["original.eml"]
    assert original.content_type == "message/rfc822"
    assert original.content.startswith(b"From: Someone <someone@example.org>\n")
    assert b"message/delivery-status" in original.content
    # The attached message's own parts are counted, not listed as ours.
    assert parsed.part_types[-1] == "message/rfc822"
    assert "message/delivery-status" not in parsed.part_types


def test_it_treats_an_attached_text_file_as_an_attachment():
    parsed = parse_message(
        (CORPUS / "mikel-mail/attachment_emails/attachment_nonascii_filename.eml").read_bytes()
    )

    assert parsed.text == "This is the first part."
    assert [a.filename for a in parsed.attachments] == ["ciële.txt"]


# --- peek, mbox ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, looks_like_mail",
    [
        (b"Subject: hi\n\nbody", True),
        (b"\xef\xbb\xbf  \r\n\r\nFrom: a@example.com\r\n\r\nbody", True),
        (b"From MAILER-DAEMON Thu Dec 22 17:54:04 2015\nReturn-Path: <>\n\nx", True),
        (b'{"subject": "json"}', False),
        (b"<html><body>hi</body></html>", False),
        (b"Hello\n\nSent from my iPhone", False),
        (b"", False),
        (b"\x00\x01\x02\xff" * 100, False),
    ],
)
def test_it_peeks_whether_bytes_look_like_mail(raw, looks_like_mail):
    assert peek_headers(raw).looks_like_mail is looks_like_mail


def test_it_peeks_ids_subject_and_sender_cheaply():
    peek = peek_headers(fixture("ooo_fr.eml"))

    assert peek == mime.Peek(
        message_id="ooo-fr-1@societe.example",
        looks_like_mail=True,
        subject="Réponse automatique : Devis",
        from_email="s.martin@societe.example",
    )


def test_it_peeks_within_its_budget_on_a_huge_header():
    raw = b"Subject: first\nX-Huge: " + b"a" * 10_000_000 + b"\n\n"
    started = time.monotonic()
    peek = peek_headers(raw, max_header_bytes=1024)

    assert peek.subject == "first"
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    "name, count",
    [
        ("mimekit/mbox/simple.mbox.txt", 3),
        ("mimekit/mbox/issue1189.mbox.txt", 4),
        ("mimekit/mbox/unmunged.mbox.txt", 2),
        ("sisimai-set-of-emails/mailbox/mbox-1", 1),
    ],
)
def test_it_splits_mbox_files(name, count):
    data = (CORPUS / name).read_bytes()
    messages = list(mime.split_mbox(data))

    assert mime.is_mbox(data[:4096])
    assert len(messages) == count
    assert all(peek_headers(m).looks_like_mail for m in messages)
    assert list(mime.split_mbox(io.BytesIO(data))) == messages  # streamed the same


def test_it_keeps_an_unmunged_from_line_in_the_body():
    data = (CORPUS / "mimekit/mbox/unmunged.mbox.txt").read_bytes()
    first, second = (parse_message(m) for m in mime.split_mbox(data))

    assert "From Russia with love" in first.text
    assert "From Russia with love\nYear: 1963" in second.text


def test_it_does_not_take_single_messages_for_mbox():
    assert not mime.is_mbox(fixture("sales_inquiry.eml"))
    assert not mime.is_mbox(b"From: a@example.com\nSubject: x\n\n")
    assert not mime.is_mbox(b"From Russia with love\nSubject: x\n")
    assert list(mime.split_mbox(b"Subject: x\n\nbody\n")) == [b"Subject: x\n\nbody\n"]


# --- replies and subjects --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, new, quoted, signature",
    [
        ("Just a question.", "Just a question.", "", ""),
        (
            "Yes please.\n\nOn Tue, Mar 4, 2025 at 10:00 AM Sales <s@x.example> wrote:\n> Offer",
            "Yes please.",
            "On Tue, Mar 4, 2025 at 10:00 AM Sales <s@x.example> wrote:\n> Offer",
            "",
        ),
        (
            "Yes.\n\nOn Tue, Mar 4, 2025 at 10:00 AM Sales\n<s@x.example> wrote:\n\n> Offer",
            "Yes.",
            "On Tue, Mar 4, 2025 at 10:00 AM Sales\n<s@x.example> wrote:\n\n> Offer",
            "",
        ),
        (
            "Ja, gerne.\n\nAm 04.03.2025 um 10:00 schrieb Vertrieb <s@x.example>:\n> Angebot",
            "Ja, gerne.",
            "Am 04.03.2025 um 10:00 schrieb Vertrieb <s@x.example>:\n> Angebot",
            "",
        ),
        (
            "Oui.\n\nLe mar. 4 mars 2025 à 10:00, Ventes <s@x.example> a écrit :\n> Offre",
            "Oui.",
            "Le mar. 4 mars 2025 à 10:00, Ventes <s@x.example> a écrit :\n> Offre",
            "",
        ),
        (
            "Sí.\n\nEl mar, 4 mar 2025 a las 10:00, Ventas (<s@x.example>) escribió:\n> Oferta",
            "Sí.",
            "El mar, 4 mar 2025 a las 10:00, Ventas (<s@x.example>) escribió:\n> Oferta",
            "",
        ),
        ("Fine.\n> quoted\n> more", "Fine.", "> quoted\n> more", ""),
        (
            "OK\n\n-----Original Message-----\nFrom: a\nSent: b\n\nold",
            "OK",
            "-----Original Message-----\nFrom: a\nSent: b\n\nold",
            "",
        ),
        (
            "OK\n\n________________________________\nFrom: Sales <s@x.example>\n"
            "Sent: Tuesday, March 4, 2025 10:00\nTo: me\nSubject: Offer\n\nold",
            "OK",
            "________________________________\nFrom: Sales <s@x.example>\n"
            "Sent: Tuesday, March 4, 2025 10:00\nTo: me\nSubject: Offer\n\nold",
            "",
        ),
        (
            "Von: Vertrieb <s@x.example>\nGesendet: Dienstag\nAn: mich\nBetreff: Angebot\n\nalt",
            "",
            "Von: Vertrieb <s@x.example>\nGesendet: Dienstag\nAn: mich\nBetreff: Angebot\n\nalt",
            "",
        ),
        ("Thanks!\n\n-- \nJane Doe\nACME", "Thanks!", "", "-- \nJane Doe\nACME"),
        ("Thanks!\n\nSent from my iPhone", "Thanks!", "", "Sent from my iPhone"),
        (
            "> old question\n\nMy answer below the quote.",
            "My answer below the quote.",
            "> old question",
            "",
        ),
        ("Price list:\n- a: 1\n- b: 2", "Price list:\n- a: 1\n- b: 2", "", ""),
    ],
)
def test_it_splits_replies(text, new, quoted, signature):
    assert mime.split_reply(text) == (new, quoted, signature)


@pytest.mark.parametrize(
    "subject, expected",
    [
        ("Re: Quote", "quote"),
        ("RE: Re: Fwd: Quote", "quote"),
        ("AW: WG: Angebot", "angebot"),
        ("SV: VS: Tarjous", "tarjous"),
        ("TR: RE : Devis", "devis"),
        ("Réf : Devis", "devis"),
        ("RV: Presupuesto", "presupuesto"),
        ("Re[2]: Quote", "quote"),
        ("[EXT] Re: Quote", "quote"),
        ("Re: [External] FW: Quote  for   200", "quote for 200"),
        ("Re: [#ABC123] Quote", "[#abc123] quote"),
        ("回复: 报价", "报价"),
        ("Quote: Re: this", "quote: re: this"),
        ("", ""),
    ],
)
def test_it_normalizes_subjects(subject, expected):
    assert mime.normalize_subject(subject) == expected


def test_it_keeps_nul_bytes_out_of_types_and_warnings():
    raw = (
        b'Subject: x\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain; charset=x-bo\x00gus\n\nhello\n"
        b"--b\nContent-Type: appli\x00cation/pdf\n\n%PDF\n--b--\n"
    )
    parsed = parse_message(raw)

    assert parsed.failed == ""
    assert_no_nul(parsed)
    assert all("\x00" not in t for t in parsed.part_types)
    assert parsed.warnings == ["text/plain part: unknown charset x-bogus, decoded as utf-8"]
    assert parsed.attachments[0].content_type == "application/pdf"


def test_it_stays_linear_on_text_crafted_against_its_patterns():
    attribution_bait = ("Am " + "schrieb " * 120 + "x\n") * 20_000
    from_bait = b"From x" + b" " * 200_000 + b"y\nSubject: a\n\nb\n"
    started = time.monotonic()

    assert mime.split_reply(attribution_bait)[1] == ""
    assert len(list(mime.split_mbox(from_bait))) == 1

    assert time.monotonic() - started < 2.0
