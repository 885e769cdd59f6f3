"""Threshold advice: pairs from production (escalations, weighted shadow audits, corrections),
the advice on built data, the preview of a change, Apply, and who may reach the page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from routing import advice, inputs, pairs
from routing.models import Category, ModelCall, RoutingPolicy, ThresholdChange
from tests.helpers import make_user
from tests.routing.pair_data import (
    DEMO,
    KNOWN_ADVICE,
    PRICING,
    answer_audits,
    build,
    known_items,
    set_audit_rate,
    triaged,
)
from workspace import actions

pytestmark = pytest.mark.django_db

URL = "/admin/routing/threshold-advice/"
APPLY = "/admin/routing/threshold-advice/apply/"


def collect(policy=None) -> pairs.PairSet:
    now = timezone.now()
    rate = policy.shadow_audit_rate if policy else 0
    return pairs.collect(
        since=now - timedelta(days=1), until=now + timedelta(hours=1), policy_rate=rate
    )


@pytest.fixture
def admin_user(db):
    user = make_user("boss", staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


@pytest.fixture
def known(fake_anthropic):
    set_audit_rate(1)
    return build(fake_anthropic, known_items())


def test_it_pairs_every_escalation_with_tier_twos_answer(fake_anthropic):
    set_audit_rate(0)
    low = triaged(fake_anthropic, 1, confidence=0.5, truth=PRICING)
    triaged(fake_anthropic, 2, confidence=0.9)  # confident, not audited: no pair

    found = collect()

    (pair,) = found.pairs
    assert (pair.lead_id, pair.source, pair.weight) == (low.lead_id, "escalation", 1.0)
    assert (pair.confidence, pair.category, pair.truth_category) == (0.5, DEMO, PRICING)
    assert pair.wrong and not pair.corrected
    assert (found.decided, found.escalated, found.confident, found.audited) == (2, 1, 1, 0)


def test_it_weighs_audits_by_one_over_the_rate_so_every_decision_counts_once(fake_anthropic):
    policy = set_audit_rate(Decimal("0.5"))
    truths = {}
    for i in range(12):
        triage = triaged(fake_anthropic, i, confidence=0.9)
        truths[triage.lead_id] = DEMO
    for i in range(12, 15):
        triaged(fake_anthropic, i, confidence=0.5)
    answer_audits(fake_anthropic, truths)

    found = collect(policy)

    audited = [p for p in found.pairs if p.source == "audit"]
    assert 5 <= len(audited) <= 7  # the even draw: half of 12, to within one
    assert found.audit_rate == len(audited) / 12
    assert {p.weight for p in audited} == {12 / len(audited)}  # 1 / the realised rate
    assert {p.weight for p in found.pairs if p.source == "escalation"} == {1.0}
    # The weighted pairs stand for the whole population: 12 confident + 3 escalated.
    assert sum(p.weight for p in found.pairs) == pytest.approx(15)
    assert found.policy_rate == 0.5


def test_a_reps_correction_overrides_tier_two_and_the_audit(fake_anthropic, admin_user):
    set_audit_rate(1)
    escalated = triaged(fake_anthropic, 1, confidence=0.5, truth=DEMO)  # tier 2 agrees
    confident = triaged(fake_anthropic, 2, confidence=0.9)
    unpaired = triaged(fake_anthropic, 3, confidence=0.95)
    answer_audits(fake_anthropic, {confident.lead_id: PRICING, unpaired.lead_id: DEMO})
    rep = make_user("rep")
    actions.correct_category(escalated.lead, rep, "support")
    actions.correct_category(confident.lead, rep, "sales_inquiry")  # neither tier 1 nor 2

    found = {p.lead_id: p for p in collect().pairs}

    assert found[escalated.lead_id].truth_category == "support"
    assert found[escalated.lead_id].truth_is_lead is False  # support is not a sales category
    assert found[escalated.lead_id].corrected and found[escalated.lead_id].wrong
    assert found[confident.lead_id].truth_category == "sales_inquiry"
    assert found[confident.lead_id].source == "audit" and found[confident.lead_id].corrected
    assert not found[unpaired.lead_id].corrected


def test_it_advises_the_threshold_the_built_data_calls_for(known):
    policy = RoutingPolicy.objects.get()
    found = collect(policy)
    assert len(found.pairs) == 40 and {p.weight for p in found.pairs} == {1.0}

    result = advice.advise(pairs=found, alpha=0.05, policy=policy)

    assert result.overall.advised == KNOWN_ADVICE
    assert result.overall.choice.risk == pytest.approx(1 / 40)  # the 0.75 miss
    assert result.overall.choice.bound == pytest.approx(2 / 41)
    # Below 0.66 tier 1 accepts the 0.65 miss too: two misses, over alpha.
    assert result.overall.curve.at(Decimal("0.65"))["risk"] == pytest.approx(2 / 40)
    demo = next(scope for scope in result.categories if scope.slug == DEMO)
    assert demo.advised == KNOWN_ADVICE
    pricing = next(scope for scope in result.categories if scope.slug == PRICING)
    assert pricing.advised is None and not pricing.enough
    proposal = result.proposal()
    assert proposal.threshold == KNOWN_ADVICE
    assert proposal.categories[DEMO] is None  # the same as the policy's: follows it


def test_it_advises_nothing_with_too_few_pairs_and_says_how_many(
    fake_anthropic, admin_user, client
):
    policy = set_audit_rate(1)
    build(fake_anthropic, [(0.5, DEMO), (0.9, DEMO), (0.95, DEMO)])

    result = advice.advise(pairs=collect(policy), alpha=0.05, policy=policy)
    assert result.proposal() is None and result.overall.needed == 19

    client.force_login(admin_user)
    response = client.get(URL, {"alpha": "0.05"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="too-few"' in body and "<strong>19</strong>" in body
    assert 'id="apply-form"' not in body
    assert client.post(APPLY, {"alpha": "0.05"}).status_code == 302
    assert ThresholdChange.objects.count() == 0


def test_the_preview_counts_the_decisions_that_would_change_and_their_cost(known):
    policy = RoutingPolicy.objects.get()
    found = collect(policy)
    lowered = advice.Proposal(threshold=KNOWN_ADVICE, categories={})

    result = advice.preview(lowered, policy=policy, tier2_cost=found.tier2_cost)

    # 0.67 and 0.68 were escalated at 0.70 and would not be at 0.66.
    assert (result.considered, result.escalated_now, result.gained, result.lost) == (40, 12, 0, 2)
    moved = sorted(change.confidence for change in result.changes)
    assert moved == [0.67, 0.68]
    saved = sum(
        ModelCall.objects.filter(lead_id=c.triage.lead_id, purpose="escalation").get().cost_usd
        for c in result.changes
    )
    assert result.cost_delta == -saved and saved > 0
    assert result.escalated_new == 10

    raised = advice.Proposal(threshold=Decimal("0.80"), categories={})
    result = advice.preview(raised, policy=policy, tier2_cost=found.tier2_cost)
    # 0.70 to 0.79 were accepted: ten new escalations, each at the mean escalation cost.
    assert (result.gained, result.lost) == (10, 0)
    assert result.cost_delta == 10 * found.tier2_cost
    escalations = ModelCall.objects.filter(purpose="escalation")
    assert found.tier2_cost == (sum(c.cost_usd for c in escalations) / 12).quantize(pairs.PLACES)


def test_the_page_shows_the_curve_the_advice_and_the_preview(known, admin_user, client):
    client.force_login(admin_user)
    response = client.get(URL, {"alpha": "0.05", "last": "100"})

    assert response.status_code == 200
    body = response.content.decode()
    assert '<strong id="advised-threshold">0.66</strong>' in body
    assert "<svg" in body and "Estimated miss rate" in body
    assert 'id="preview-lost">2<' in body and 'id="preview-gained">0<' in body
    assert "Demo request" in body  # labels, not slugs
    lead_id = response.context["preview"].changes[0].triage.lead_id
    assert reverse("admin:intake_lead_change", args=[lead_id]) in body


def test_apply_writes_the_thresholds_and_a_history_entry(known, admin_user, client):
    Category.objects.filter(slug=PRICING).update(confidence_threshold=Decimal("0.90"))
    client.force_login(admin_user)
    page = client.get(URL, {"alpha": "0.04"})
    fields = page.context["proposal"].fields()
    # alpha 0.04 on n = 40: (m + 1) / 41 <= 0.04 only with no miss: above the 0.75 miss.
    assert fields["threshold"] == "0.76"

    response = client.post(APPLY, {"alpha": "0.04", "last": "500", **fields})

    assert response.status_code == 302
    policy = RoutingPolicy.objects.get()
    assert (policy.confidence_threshold, policy.quality_alpha) == (
        Decimal("0.76"),
        Decimal("0.040"),
    )
    # Pricing had its own threshold and too few pairs: it follows the policy now.
    assert Category.objects.get(slug=PRICING).confidence_threshold is None
    change = ThresholdChange.objects.get()
    assert (change.user, change.old_threshold, change.new_threshold, change.alpha) == (
        admin_user,
        Decimal("0.70"),
        Decimal("0.76"),
        Decimal("0.040"),
    )
    assert change.categories == [
        {"slug": PRICING, "name": "Pricing request", "old": "0.90", "new": None}
    ]
    assert change.evidence["pairs"] == 40 and change.evidence["preview"]["gained"] == 6
    entry = LogEntry.objects.filter(content_type__model="routingpolicy").get()
    assert "0.70 → 0.76" in entry.change_message and entry.user == admin_user
    history = client.get(reverse("admin:routing_thresholdchange_changelist"))
    assert history.status_code == 200 and "0.76" in history.content.decode()


def test_apply_refuses_a_proposal_the_evidence_no_longer_gives(known, admin_user, client):
    client.force_login(admin_user)
    response = client.post(APPLY, {"alpha": "0.05", "last": "500", "threshold": "0.50"})

    assert response.status_code == 302
    assert RoutingPolicy.objects.get().confidence_threshold == Decimal("0.70")
    assert ThresholdChange.objects.count() == 0


def test_apply_takes_only_a_post(admin_user, client):
    client.force_login(admin_user)
    assert client.get(APPLY).status_code == 405


def test_only_staff_who_may_change_the_policy_reach_it(client):
    rep = make_user("rep")
    client.force_login(rep)
    for url in (URL, APPLY):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.post(APPLY, {"alpha": "0.05"}).status_code == 302

    staff = make_user("viewer", staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_routingpolicy"))
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    assert client.post(APPLY, {"alpha": "0.05"}).status_code == 403
    assert "Threshold advice" not in client.get("/admin/").content.decode()

    staff.user_permissions.add(Permission.objects.get(codename="change_routingpolicy"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached on the instance
    client.force_login(staff)
    assert client.get(URL).status_code == 200
    index = client.get("/admin/routing/").content.decode()
    assert f'href="{URL}"' in index  # listed under Routing
    policy = inputs.current_policy()
    change_page = client.get(reverse("admin:routing_routingpolicy_change", args=[policy.pk]))
    assert f'href="{URL}"' in change_page.content.decode()


def test_bad_input_gets_a_clear_error_not_a_500(admin_user, client):
    client.force_login(admin_user)
    for params in (
        {"alpha": "abc"},
        {"alpha": "0.9"},
        {"alpha": "0"},
        {"start": "2026-02-30", "alpha": "0.05"},
        {"last": "10000000"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert 'class="errornote"' in response.content.decode(), params
        assert "advice" not in response.context or response.context.get("advice") is None
    response = client.post(APPLY, {"alpha": "abc"})
    assert response.status_code == 302 and ThresholdChange.objects.count() == 0
