"""Mail whose From cannot be read: each such message gets a contact of its own, so one
sender's attacker-chosen display name never labels another's mail, and no "block the
sender" rule can be made for a placeholder address (or a whole free-mail domain)."""

import pytest

from intake.models import Contact, Lead
from routing import services
from routing.models import Rule
from tests.helpers import ingest, make_email
from tests.workspace.people import make_rep
from workspace import actions

pytestmark = pytest.mark.django_db


def unreadable(n: int, name: str) -> Lead:
    raw = make_email(
        sender=f"{name} <no address here>",
        message_id=f"<unreadable-{n}@example.net>",
        subject=f"Demo request for our team of 40 ({n})",
        body="Hi, we would like a demo for our team of 40 next week. Budget is approved.",
    )
    lead = ingest(raw).message.lead
    services.triage_lead(lead.pk)
    lead.refresh_from_db()
    return lead


def test_it_gives_each_unreadable_sender_a_contact_of_its_own():
    first = unreadable(1, "Your Bank Security Team")
    second = unreadable(2, "Dana Buyer")

    assert first.contact_id != second.contact_id
    assert second.contact.name == "Dana Buyer"
    assert first.contact.is_placeholder and second.contact.is_placeholder
    assert not Contact.objects.filter(email="unknown-sender@unknown.invalid").exists()


def test_it_refuses_to_block_a_placeholder_sender():
    lead = unreadable(1, "Spammer")
    rep = make_rep()

    with pytest.raises(actions.ActionError):
        actions.mark_spam(lead, rep, block="sender")
    with pytest.raises(actions.ActionError):
        actions.mark_spam(lead, rep, block="domain")

    assert not Rule.objects.exists()
    later = unreadable(2, "Somebody else")
    assert later.status != Lead.Status.SPAM


def test_it_offers_no_block_for_a_placeholder_sender(client):
    lead = unreadable(1, "Spammer")
    client.force_login(make_rep())

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert 'name="block"' in page
    assert 'value="sender"' not in page
    assert 'value="domain"' not in page
