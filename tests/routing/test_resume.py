"""An interrupted triage resumes from tier 1's recorded answer (RELIABILITY #29): a worker
killed during the escalation does not make the retry pay for tier 1 again."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from routing import config, inputs, services
from routing.models import ModelCall, RoutingPolicy, Triage
from routing.tiers import run_tier
from tests.helpers import make_lead
from tests.routing.test_triage import HAIKU, SONNET, USAGE, answer


@pytest.fixture(autouse=True)
def no_audits(db):
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("0"))


def calls(lead) -> list[tuple[str, int, str]]:
    return list(
        ModelCall.objects.filter(lead=lead).order_by("pk").values_list("model", "tier", "purpose")
    )


def interrupted_after_tier1(lead) -> None:
    """What a worker killed during the escalation leaves: the lead claimed, tier 1's call
    recorded with its answer, no decision, and (once the lease runs out) the lead free."""
    triage = services.claim(lead.pk)
    _, message = inputs.lead_and_first_message(lead.pk)
    with config.pinned() as pinned:
        run_tier(
            lead,
            message,
            pinned.policy,
            services.Draft(),
            tier=1,
            model=pinned.policy.tier1_model,
            categories=inputs.active_categories(),
        )
    Triage.objects.filter(pk=triage.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))


def test_it_resumes_an_interrupted_escalation_from_tier1s_recorded_answer(fake_anthropic):
    lead = make_lead()
    fake_anthropic.reply(answer(confidence=0.4), usage=USAGE)  # low confidence: escalate
    interrupted_after_tier1(lead)
    assert ModelCall.objects.get(lead=lead).answer  # the answer is kept with the call
    fake_anthropic.reply(answer(category="pricing_request", confidence=0.88))

    triage = services.triage_lead(lead.pk)

    assert (triage.model, triage.tier, triage.attempts) == (SONNET, 2, 2)
    assert triage.category == "pricing_request"
    assert calls(lead) == [(HAIKU, 1, "triage"), (SONNET, 2, "escalation")]
    assert len(fake_anthropic.requests_to("/v1/messages")) == 2
    assert any(r.startswith("low_confidence") for r in triage.escalation_reasons)


def test_it_resumes_a_confident_tier1_answer_without_a_call(fake_anthropic):
    lead = make_lead()
    fake_anthropic.reply(answer(), usage=USAGE)
    interrupted_after_tier1(lead)

    triage = services.triage_lead(lead.pk)

    assert (triage.model, triage.tier, triage.category) == (HAIKU, 1, "demo_request")
    assert calls(lead) == [(HAIKU, 1, "triage")]


def test_it_calls_tier1_again_after_a_provisional_decision(fake_anthropic):
    """A provisional decision was made with that answer: the retry asks tier 1 afresh."""
    lead = make_lead()
    fake_anthropic.reply(answer(confidence=0.4), usage=USAGE)
    fake_anthropic.drop_connection()  # the escalation fails on every attempt
    fake_anthropic.drop_connection()
    fake_anthropic.drop_connection()
    first = services.triage_lead(lead.pk)
    assert first.provisional, first.escalation_reasons
    fake_anthropic.reply(answer(confidence=0.4), usage=USAGE)
    fake_anthropic.reply(answer(category="pricing_request", confidence=0.88))

    triage = services.triage_lead(lead.pk)

    assert (triage.model, triage.tier) == (SONNET, 2)
    assert [c for c in calls(lead) if c[2] == "triage"] == [(HAIKU, 1, "triage")] * 2


def test_it_does_not_resume_an_answer_from_another_tier1_model(fake_anthropic):
    lead = make_lead()
    fake_anthropic.reply(answer(), usage=USAGE)
    interrupted_after_tier1(lead)
    RoutingPolicy.objects.update(tier1_model="claude-haiku-5-6")
    config.forget()
    fake_anthropic.reply(answer(), usage=USAGE)

    services.triage_lead(lead.pk)

    assert calls(lead) == [(HAIKU, 1, "triage"), ("claude-haiku-5-6", 1, "triage")]
