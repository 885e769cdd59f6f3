"""routing.config: what an admin changes applies to the next lead, with no restart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from routing import services
from routing.models import Category, Circuit, RoutingPolicy, Rule
from tests.helpers import make_lead
from tests.routing.test_triage import HAIKU, answer


@pytest.fixture(autouse=True)
def no_audits(db):
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("0"))


def two_leads():
    return [
        make_lead(
            sender=f"buyer{n}@company{n}.example",
            subject=f"Seats for team {n}",
            message_id=f"<config-{n}@company{n}.example>",
        )
        for n in range(2)
    ]


def test_it_applies_a_rule_added_between_two_leads(fake_anthropic):
    first, second = two_leads()
    fake_anthropic.reply(answer())
    assert services.triage_lead(first.pk).model == HAIKU

    Rule.objects.create(
        name="Company 1 is a known spammer",
        conditions=[{"field": "domain", "operator": "equals", "value": "company1.example"}],
        actions=[{"action": "mark_spam"}],
    )

    assert services.triage_lead(second.pk).model == "rules"
    assert len(fake_anthropic.requests) == 1


def test_it_sends_a_category_changed_by_a_bulk_update_to_the_next_lead(fake_anthropic):
    first, second = two_leads()
    fake_anthropic.reply(answer())
    services.triage_lead(first.pk)

    # QuerySet.update(): no save(), no signal, no updated_at.
    Category.objects.filter(slug="demo_request").update(description="Asks to see it running.")
    fake_anthropic.reply(answer())
    services.triage_lead(second.pk)

    assert "Asks to see it running." in fake_anthropic.last_request.json["system"][0]["text"]


def test_it_sees_a_circuit_another_worker_opened(fake_anthropic):
    first, second = two_leads()
    fake_anthropic.reply(answer())
    services.triage_lead(first.pk)

    Circuit.objects.create(
        reason="authentication_error", open_until=timezone.now() + timedelta(minutes=10)
    )
    triage = services.triage_lead(second.pk)

    assert (triage.model, triage.provisional) == ("local", True)
    assert len(fake_anthropic.requests) == 1
