"""What triage reads and writes for one lead: its statements, counted, and what the one read
of the lead returns."""

from datetime import timedelta
from decimal import Decimal

import pytest

from intake import services as intake
from intake import submissions
from intake.models import Form, Lead, Message
from routing import inputs, services, waiting
from routing.models import RoutingPolicy
from tests.helpers import make_email, make_lead
from tests.routing.test_triage import answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_audits(db):
    """A drawn shadow audit adds a row: off here, so the count is the same for every lead id."""
    inputs.current_policy()  # seeds the defaults a flushed database lacks
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("0"))


def test_it_triages_a_confident_lead_in_twelve_statements(
    fake_anthropic, django_assert_num_queries
):
    fake_anthropic.default = lambda request: answer()
    services.triage_lead(make_lead().pk)  # the first lead also reads the configuration
    lead = make_lead(sender="sam@example.org", message_id="<m2@example.org>")

    # The lead and its first message; the claim; the configuration's digest; today's spend;
    # the ModelCall row before the call and after it; then, in a savepoint: the triage row
    # read under a lock, written, the lead's status, and the decision's events (one insert,
    # the hand-off's outbox).
    with django_assert_num_queries(12):
        triage = services.triage_lead(lead.pk)

    assert triage.decided_at is not None and triage.model == "claude-haiku-5-5"


def test_it_checks_the_escalation_caps_in_two_queries(fake_anthropic, django_assert_num_queries):
    fake_anthropic.default = lambda request: answer()
    services.triage_lead(make_lead().pk)
    lead = make_lead(sender="sam@example.org", message_id="<m2@example.org>")
    fake_anthropic.reply(answer(confidence=0.4))

    # The twelve above, the caps (this lead's escalations; the sender's and the domain's
    # today), and the tier-2 call's row before and after.
    with django_assert_num_queries(16):
        triage = services.triage_lead(lead.pk)

    assert triage.escalated and triage.tier == 2


def test_a_helper_takes_a_waiting_lead_and_its_first_message_in_four_statements(
    django_assert_num_queries,
):
    lead = make_lead()

    # In a savepoint: the leads unapplied batches hold, the oldest waiting lead locked, the
    # claim, the lead and its message.
    with django_assert_num_queries(6):
        taken, message, triage = waiting.take_waiting_lead()

    assert (taken, message, triage.lead_id) == (lead, lead.messages.get(), lead.pk)
    assert waiting.take_waiting_lead() is None


def test_it_reads_the_lead_its_contact_and_its_first_message_in_one_query(
    django_assert_num_queries,
):
    lead = make_lead()
    first = lead.messages.get()
    later = make_email(message_id="<m2@acme-widgets.com>", subject="Re: Pricing for 40 seats")
    second = intake.ingest_email(raw=later, provider="raw").message
    Message.objects.filter(pk=second.pk).update(
        lead=lead, received_at=first.received_at - timedelta(seconds=1)
    )

    with django_assert_num_queries(1):
        read, message = inputs.lead_and_first_message(lead.pk)
        facts = inputs.lead_facts(read, message)

    expected = inputs.leads_to_triage().get(pk=lead.pk)
    assert (read.pk, read.status, read.subject, read.received_at) == (
        expected.pk,
        expected.status,
        expected.subject,
        expected.received_at,
    )
    assert (read.contact.email, read.contact.domain, read.contact.is_free_mail) == (
        "dana@acme-widgets.com",
        "acme-widgets.com",
        False,
    )
    assert read.form is None
    assert message.pk == inputs.first_message(lead).pk == second.pk  # the earliest received
    assert bytes(message.raw) == bytes(Message.objects.get(pk=second.pk).raw)
    assert facts.sender == "dana@acme-widgets.com" and facts.form == ""


def test_it_reads_a_form_lead_and_a_lead_without_messages():
    form = Form.objects.create(slug="pricing", name="Pricing", default_queue="sales-emea")
    submitted = submissions.ingest_submission(
        channel="form", email="dana@acme-widgets.com", message="Pricing please", form=form
    ).message.lead
    bare = Lead.objects.create(contact=submitted.contact, subject="No message yet")

    read, message = inputs.lead_and_first_message(submitted.pk)
    assert (read.form.slug, read.queue_hint, message.text) == (
        "pricing",
        "sales-emea",
        "Pricing please",
    )
    assert inputs.lead_and_first_message(bare.pk) == (bare, None)
    assert inputs.lead_and_first_message(bare.pk + 1000) == (None, None)
