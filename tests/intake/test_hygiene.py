"""intake.hygiene: auto-replies, bounces, complaints and list mail (RELIABILITY.md, check 10)."""

from pathlib import Path

import pytest

from intake import hygiene
from intake.hygiene import FREE_MAIL_DOMAINS, Verdict, classify, is_free_mail
from intake.mime import parse_message
from tests.helpers import MAIL_CORPUS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
CORPUS = MAIL_CORPUS
SISIMAI = CORPUS / "sisimai-set-of-emails" / "maildir"


def files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern))


def flag_of(path: Path) -> str:
    return classify(parse_message(path.read_bytes())).flag


def verdict_for(headers: str, body: str = "Hello,\n\nhow much is the Pro plan?\n") -> Verdict:
    raw = f"From: Jane <jane@acme.example>\nTo: sales@leadrouter.example\n{headers}\n\n{body}"
    return classify(parse_message(raw.encode()))


def ids(path: Path) -> str:
    return str(path.relative_to(CORPUS))


# --- the corpus ------------------------------------------------------------------------------

AUTO_REPLIES = files(SISIMAI, "*/rfc3834-*")
BOUNCES = (
    files(SISIMAI, "*/lhost-*")
    + files(SISIMAI, "*/rhost-*")
    + files(SISIMAI, "*/rfc3464-*")
    + files(CORPUS / "flanker" / "bounce", "*.eml")
)
COMPLAINTS = files(SISIMAI, "*/arf-*") + files(CORPUS / "flanker" / "complaints", "*.eml")
HUMAN_REPLIES = files(CORPUS / "talon-replies" / "standard_replies", "*.eml")


def test_it_has_the_corpus_folders():
    assert len(AUTO_REPLIES) == 6
    assert len(BOUNCES) > 60
    assert len(COMPLAINTS) == 6
    assert len(HUMAN_REPLIES) == 12


@pytest.mark.parametrize("path", AUTO_REPLIES, ids=ids)
def test_it_flags_rfc3834_auto_replies(path):
    assert flag_of(path) == "auto_reply"


@pytest.mark.parametrize("path", BOUNCES, ids=ids)
def test_it_flags_bounces(path):
    # flanker's delayed.eml / delayed-broken.eml / no-mx.eml are "still trying" DSNs: still DSNs.
    assert flag_of(path) == "bounce"


@pytest.mark.parametrize("path", COMPLAINTS, ids=ids)
def test_it_flags_feedback_reports_as_complaints(path):
    assert flag_of(path) == "complaint"


@pytest.mark.parametrize("path", HUMAN_REPLIES, ids=lambda p: p.name)
def test_it_leaves_human_replies_alone(path):
    assert flag_of(path) == ""


@pytest.mark.parametrize("name", ["is-not-bounce-01.eml", "is-not-bounce-02.eml"])
def test_it_does_not_flag_sisimai_negative_controls(name):
    # 02 carries a whole message as an attachment: not a bounce.
    assert flag_of(SISIMAI / "not" / name) == ""


def test_it_flags_the_sisimai_mailbox_full_notice_as_a_bounce():
    # maildir/not/rb-issue-368-bug.eml sits with sisimai's negative controls, but it is a
    # "Mailbox full ... your message was rejected" notice from postmaster@ with a null
    # Return-Path and Auto-Submitted: for a sales inbox it is a bounce, and it must not reach
    # a queue. (It is "not" for sisimai because sisimai cannot decode a reason from it.)
    verdict = classify(parse_message((SISIMAI / "not" / "rb-issue-368-bug.eml").read_bytes()))

    assert verdict == Verdict("bounce", "sender postmaster with a returned message or null sender")


def test_it_reads_cr_only_and_crlf_copies_the_same_way():
    for name, flag in [("arf-01.eml", "complaint"), ("lhost-activehunter-01.eml", "bounce")]:
        assert flag_of(SISIMAI / "dos" / name) == flag
        assert flag_of(SISIMAI / "mac" / name) == flag


def test_it_does_not_flag_a_human_writing_from_postmaster():
    assert flag_of(CORPUS / "flanker" / "long-links.eml") == ""


# --- fixtures --------------------------------------------------------------------------------


def test_it_leaves_a_plain_sales_inquiry_alone():
    # It carries X-Auto-Response-Suppress: All, as mail sent through Outlook add-ins and CRMs does.
    parsed = parse_message((FIXTURES / "sales_inquiry.eml").read_bytes())

    assert classify(parsed) == Verdict("", "")


@pytest.mark.parametrize(
    "name, reason",
    [
        ("ooo_de.eml", "subject: Abwesenheitsnotiz: Ihr Angebot für Müller GmbH"),
        ("ooo_fr.eml", "subject: Réponse automatique : Devis"),
        ("ooo_es.eml", "subject: Respuesta automática: Presupuesto"),
    ],
)
def test_it_flags_out_of_office_fixtures(name, reason):
    parsed = parse_message((FIXTURES / name).read_bytes())

    assert classify(parsed) == Verdict("auto_reply", reason)


def test_it_does_not_take_a_forwarded_bounce_for_a_bounce():
    parsed = parse_message((FIXTURES / "forwarded_bounce.eml").read_bytes())

    assert classify(parsed).flag == ""


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, expected",
    [
        ("Auto-Submitted: auto-replied", Verdict("auto_reply", "Auto-Submitted: auto-replied")),
        (
            "Auto-Submitted: auto-generated (vacation)",
            Verdict("auto_reply", "Auto-Submitted: auto-generated"),
        ),
        ("Auto-Submitted: no", Verdict("", "")),
        ("Auto-Submitted: No (human)", Verdict("", "")),
        ("X-Autoreply: yes", Verdict("auto_reply", "X-Autoreply: yes")),
        ("X-Autorespond: Out of office", Verdict("auto_reply", "X-Autorespond: Out of office")),
        ("Precedence: auto_reply", Verdict("auto_reply", "Precedence: auto_reply")),
        ("X-Auto-Response-Suppress: All", Verdict("", "")),
        ("X-Auto-Response-Suppress: OOF, AutoReply", Verdict("", "")),
        (
            "X-Auto-Response-Suppress: All\nSubject: Automatic reply: Quote",
            Verdict("auto_reply", "subject: Automatic reply: Quote"),
        ),
        ("List-Id: <sales.lists.example>", Verdict("list", "List-Id")),
        ("List-Unsubscribe: <mailto:u@example.com>", Verdict("list", "List-Unsubscribe")),
        ("List-Post: <mailto:l@example.com>", Verdict("list", "List-Post")),
        ("Precedence: bulk", Verdict("list", "Precedence: bulk")),
        ("Precedence: list", Verdict("list", "Precedence: list")),
        ("Precedence: junk", Verdict("list", "Precedence: junk")),
        (
            "Precedence: bulk\nAuto-Submitted: auto-replied",
            Verdict("auto_reply", "Auto-Submitted: auto-replied"),
        ),
        ("X-Failed-Recipients: old@acme.example", Verdict("bounce", "X-Failed-Recipients")),
    ],
)
def test_it_reads_the_headers_machines_set(headers, expected):
    assert verdict_for(headers) == expected


def test_it_checks_complaints_before_bounces_before_auto_replies():
    report = (
        "Auto-Submitted: auto-replied\nFrom: MAILER-DAEMON@example.com\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="r"\n\n'
        "--r\nContent-Type: text/plain\n\nabuse report\n"
        "--r\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n--r--\n"
    )
    dsn = report.replace("feedback-report", "delivery-status")

    assert classify(parse_message(report.encode())).flag == "complaint"
    assert classify(parse_message(dsn.encode())).flag == "bounce"


def test_it_takes_a_read_receipt_as_an_auto_reply():
    parsed = parse_message((CORPUS / "mimekit/messages/disposition-notification.txt").read_bytes())

    assert classify(parsed) == Verdict("auto_reply", "multipart/report disposition-notification")


@pytest.mark.parametrize(
    "sender, flag",
    [
        ("MAILER-DAEMON@mx.example.com", "bounce"),
        ("Mail Delivery System <Mailer-Daemon@mx.example.com>", "bounce"),
        ("postmaster@example.com", ""),
        ("noreply@example.com", ""),
    ],
)
def test_it_knows_daemon_senders(sender, flag):
    raw = f"From: {sender}\nSubject: Hello\n\nA plain message.\n"

    assert classify(parse_message(raw.encode())).flag == flag


# --- subjects --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Undelivered Mail Returned to Sender",
        "Delivery Status Notification (Failure)",
        "Delivery Status Notification (Delay)",
        "Mail delivery failed: returning message to sender",
        "Undeliverable: Quote for 200 seats",
        "Returned mail: see transcript for details",
        "failure notice",
        "Delivery Failure",
        "DELIVERY FAILURE: User not listed",
        "Unzustellbar: Angebot",
        "Non remis : Devis",
        "[Postmaster] Email Delivery Failure",
    ],
)
def test_it_flags_bounce_subjects(subject):
    assert verdict_for(f"Subject: {subject}").flag == "bounce"


@pytest.mark.parametrize(
    "subject",
    [
        # English
        "Out of Office: Quote for 200 seats",
        "Out of Office AutoReply: Quote",
        "Automatic reply: Quote",
        "Auto-Reply: Quote",
        "Autoreply: Quote",
        "Away from the office until Monday",
        "Away until May 5",
        "On vacation until March 10",
        "Vacation",
        "[EXT] Out of Office: Quote",
        # German
        "Abwesenheitsnotiz: Angebot",
        "Automatische Antwort: Angebot",
        "Abwesend bis 14.03.",
        "Außer Haus",
        "Ausser Haus bis Montag",
        "Urlaub bis 5. Mai",
        # French
        "Absence du bureau",
        "Réponse automatique : Devis",
        "Message d'absence",
        "Absent",
        "Absente jusqu'au 10 mars",
        # Spanish
        "Fuera de la oficina: Presupuesto",
        "Respuesta automática: Presupuesto",
        "Respuesta automatica: Presupuesto",
        "Ausencia: Presupuesto",
        "De vacaciones hasta el lunes",
    ],
)
def test_it_flags_out_of_office_subjects(subject):
    assert verdict_for(f"Subject: {subject}") == Verdict("auto_reply", f"subject: {subject}")


@pytest.mark.parametrize(
    "subject",
    [
        "Re: absent-minded pricing question",
        "Absent-minded pricing question",
        "Vacation rental inquiry",
        "Urlaubsplanung 2025: Angebot",
        "Out of office furniture for 40 desks",
        "Question about your automatic reply feature",
        "Re: Out of Office",
        "Away team licensing",
        "Ausencia de respuesta sobre el presupuesto",
        "Re: Undeliverable invoices in your product?",
        "How do you handle delivery failures?",
        "Quote for 200 seats",
        "",
    ],
)
def test_it_does_not_flag_ordinary_subjects(subject):
    assert verdict_for(f"Subject: {subject}") == Verdict("", "")


# --- free mail -------------------------------------------------------------------------------


def test_it_knows_free_mail_domains():
    assert len(FREE_MAIL_DOMAINS) >= 60
    for domain in ["gmail.com", "GMail.com", "yahoo.co.uk", "web.de", "proton.me", "qq.com"]:
        assert is_free_mail(domain), domain
    for domain in ["acme.example", "leadrouter.example", "", "gmail.com.evil.example"]:
        assert not is_free_mail(domain), domain


def test_it_exposes_an_empty_verdict():
    assert hygiene.NONE == Verdict("", "")
