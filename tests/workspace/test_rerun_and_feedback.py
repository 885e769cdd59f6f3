"""Re-running triage on a chosen tier, and corrections feeding per-tier agreement."""

import pytest

from routing import dashboard
from routing.models import ModelCall, Triage
from tests.routing.test_triage import answer
from tests.workspace.people import make_manager, make_rep, sales_lead

pytestmark = pytest.mark.django_db


def local_lead(settings):
    """A lead the local classifier decided (no key yet), before the test turns Claude on."""
    key, settings.ANTHROPIC_API_KEY = settings.ANTHROPIC_API_KEY, ""
    lead = sales_lead(1)
    settings.ANTHROPIC_API_KEY = key
    return lead


def test_it_reruns_triage_on_the_chosen_tier_and_keeps_the_owner(
    client, settings, fake_anthropic, on_commit
):
    lead = local_lead(settings)
    make_rep("ben")  # the rotation's pick, were the claim not kept
    rep = make_rep("ana")
    client.force_login(rep)
    client.post(f"/leads/{lead.pk}/claim/")
    fake_anthropic.reply(answer(category="pricing_request", summary="Asks for a quote."))
    with on_commit():
        response = client.post(f"/leads/{lead.pk}/rerun/", {"tier": "2"})
    assert response.status_code == 302
    request = fake_anthropic.last_request
    assert request.json["model"] == "claude-sonnet-5-5"
    triage = Triage.objects.get(lead=lead)
    assert (triage.category, triage.model, triage.tier) == (
        "pricing_request",
        "claude-sonnet-5-5",
        2,
    )
    assert triage.assignee == rep
    call = ModelCall.objects.get(lead=lead)
    assert (call.purpose, call.tier, call.cost_usd is not None) == ("rerun", 2, True)
    texts = list(lead.activities.exclude(kind="claim").values_list("text", flat=True))
    assert texts == ["requested on tier 2", "tier 2 decided pricing_request (score 40)"]


def test_it_keeps_the_decision_when_the_rerun_fails(client, settings, fake_anthropic, on_commit):
    lead = local_lead(settings)
    before = Triage.objects.get(lead=lead)
    for _ in range(10):
        fake_anthropic.overloaded()
    client.force_login(make_rep())
    with on_commit():
        client.post(f"/leads/{lead.pk}/rerun/", {"tier": "1"})
    triage = Triage.objects.get(lead=lead)
    assert (triage.category, triage.model) == (before.category, before.model)
    assert triage.claimed_until is None
    assert "failed" in lead.activities.order_by("pk").last().text


def test_it_offers_only_the_local_classifier_without_an_api_key(client, on_commit):
    lead = sales_lead(1)
    client.force_login(make_rep())
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Claude is off" in page and 'value="2"' not in page
    with on_commit():
        client.post(f"/leads/{lead.pk}/rerun/", {"tier": "2"})
    assert not lead.activities.exists()
    with on_commit():
        client.post(f"/leads/{lead.pk}/rerun/", {"tier": "0"})
    assert Triage.objects.get(lead=lead).model == "local"
    assert lead.activities.count() == 2


def test_it_turns_category_corrections_into_per_tier_agreement(client):
    sales_lead(1)
    wrong = sales_lead(2)
    client.force_login(make_manager())
    client.post(f"/leads/{wrong.pk}/category/", {"category": "support"})
    rows = dashboard.decisions(dashboard.parse_range({}))
    local = next(row for row in rows if row["model"] == "local")
    assert (local["n"], local["corrected"]) == (2, 1)
    agreement = dashboard.agreement(rows)
    assert agreement["reps"][0]["share"] == 50


def test_it_keeps_a_reps_claim_when_a_provisional_decision_is_replaced(
    client, settings, fake_anthropic
):
    from routing import services
    from routing.assign import least_loaded
    from tests.helpers import make_lead

    lead = make_lead()
    for _ in range(3):
        fake_anthropic.overloaded()
    assert services.triage_lead(lead.pk).provisional
    colleague = make_rep("ben")  # first: the rotation's pick when the loads are equal
    rep = make_rep("ana")
    client.force_login(rep)
    client.post(f"/leads/{lead.pk}/claim/")
    fake_anthropic.reply(answer())

    final = services.triage_lead(lead.pk)  # the reconciler's retry, once the API is back

    assert not final.provisional
    assert final.assignee == rep  # not handed to the next in the rotation
    assert least_loaded(final.queue) == colleague.pk  # who it would have gone to


def test_it_refuses_a_rerun_while_the_circuit_is_open(client, settings, fake_anthropic, on_commit):
    from datetime import timedelta

    from django.utils import timezone

    from routing.models import Circuit

    lead = local_lead(settings)
    Circuit.objects.update_or_create(
        name="anthropic",
        defaults={"open_until": timezone.now() + timedelta(minutes=5), "reason": "401"},
    )
    client.force_login(make_rep())
    with on_commit():
        response = client.post(f"/leads/{lead.pk}/rerun/", {"tier": "3"}, follow=True)
    assert "paused" in response.content.decode()
    assert fake_anthropic.requests == []
    assert not lead.activities.exists()


def test_it_keeps_an_owner_a_manager_assigned_through_a_re_decision(client, fake_anthropic):
    from routing import services
    from tests.helpers import make_lead

    lead = make_lead()
    for _ in range(3):
        fake_anthropic.overloaded()
    services.triage_lead(lead.pk)
    make_rep("ben")  # the rotation's pick
    ana = make_rep("ana")
    client.force_login(make_manager())
    client.post(f"/leads/{lead.pk}/assign/", {"assignee": ana.pk})
    fake_anthropic.reply(answer())
    assert services.triage_lead(lead.pk).assignee == ana
