"""Plain helpers that build state through the real services."""

from pathlib import Path

from django.contrib.auth.models import User

from intake import services
from intake.models import Lead

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Real-world mail and webhook payloads from public projects (README.md there names each origin).
CORPUS_DATA = FIXTURES / "corpus"
MAIL_CORPUS = CORPUS_DATA / "eml"


def make_email(
    *,
    subject: str = "Pricing for 40 seats",
    sender: str = "Dana Buyer <dana@acme-widgets.com>",
    to: str = "sales@leadrouter.test",
    message_id: str = "<m1@acme-widgets.com>",
    body: str = "Hi, we would like a demo for our team of 40 next week.",
    headers: dict[str, str] | None = None,
) -> bytes:
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        "Date: Mon, 23 Nov 2026 10:00:00 +0000",
    ]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode()


def ingest(raw: bytes, provider: str = "raw", **kwargs) -> services.Ingested:
    """Store and process one email the way the worker would."""
    result = services.ingest_email(raw=raw, provider=provider, **kwargs)
    services.process_message(result.message.pk)
    result.message.refresh_from_db()
    return result


def make_lead(**overrides) -> Lead:
    raw = make_email(**overrides)
    return ingest(raw).message.lead


def make_user(
    username: str = "rep", *, staff: bool = False, password: str = "pw-for-tests-1"
) -> User:
    return User.objects.create_user(
        username=username, password=password, email=f"{username}@leadrouter.test", is_staff=staff
    )


def assert_handed_to_triage(lead: Lead) -> None:
    """Intake opened the lead and routing decided it (locally: tests have no API key)."""
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW, lead.status
    assert lead.triage.model == "local"
    assert lead.triage.decided_at is not None
