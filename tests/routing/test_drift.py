"""The drift check: the last 7 days' miss rate against the policy's alpha, an alert on the
dashboard until acknowledged, and the dashboard's quality panel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_q.models import Schedule

from routing import pairs, quality, tasks
from routing.models import ModelCall, QualityAlert, RoutingPolicy
from tests.helpers import make_user
from tests.routing.pair_data import DEMO, PRICING, build, set_audit_rate

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/routing/dashboard/"

# Ten confident decisions, all audited, five of them wrong: a miss rate of 50%, whose
# Wilson interval on 10 pairs (24% to 76%) lies wholly above alpha 0.05.
DRIFTING = [(0.9, PRICING)] * 5 + [(0.9, DEMO)] * 5


@pytest.fixture
def admin_client(client):
    user = make_user("boss", staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    client.force_login(user)
    client.user = user
    return client


def test_it_is_scheduled_hourly():
    schedule = Schedule.objects.get(func="routing.tasks.check_quality_drift")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 60, -1)


def test_it_raises_an_alert_when_the_weeks_miss_rate_crosses_alpha(fake_anthropic):
    set_audit_rate(1)
    build(fake_anthropic, DRIFTING)

    alert_id = tasks.check_quality_drift()

    alert = QualityAlert.objects.get()
    assert alert.pk == alert_id
    assert alert.estimate == pytest.approx(0.5) and alert.pairs == 10
    assert alert.lower > 0.05 and alert.alpha == Decimal("0.050")
    # Checked again while open: the same alert, refreshed.
    assert tasks.check_quality_drift() == alert_id
    assert QualityAlert.objects.count() == 1


def test_it_measures_at_the_thresholds_in_force_and_against_the_policys_alpha(fake_anthropic):
    set_audit_rate(1)
    build(fake_anthropic, DRIFTING)
    # A threshold above every confidence: tier 1 decides nothing alone, so misses nothing.
    RoutingPolicy.objects.update(confidence_threshold=Decimal("0.95"))

    result = quality.live()

    assert result["miss"].rate == 0.0 and not result["over"]
    assert tasks.check_quality_drift() is None
    RoutingPolicy.objects.update(confidence_threshold=Decimal("0.70"), quality_alpha="0.5")
    assert quality.live()["alpha"] == Decimal("0.500")


def test_too_little_evidence_is_said_not_alerted(fake_anthropic, admin_client):
    set_audit_rate(1)
    build(fake_anthropic, [(0.9, DEMO)] * 4)

    result = quality.live()

    assert result["miss"].rate == 0.0
    assert result["miss"].high > 0.05  # four pairs cannot show a rate under 5%
    assert not result["miss"].conclusive and result["miss"].needed == pairs.items_for_bound(0.05)
    assert tasks.check_quality_drift() is None
    body = admin_client.get(DASHBOARD).content.decode()
    assert "not enough evidence yet" in body and 'id="quality-alert"' not in body


def test_only_the_last_seven_days_count(fake_anthropic):
    set_audit_rate(1)
    build(fake_anthropic, DRIFTING)

    assert quality.check_drift(now=timezone.now() + timedelta(days=8)) is None
    assert not QualityAlert.objects.exists()


def test_the_dashboard_shows_the_alert_until_it_is_acknowledged(fake_anthropic, admin_client):
    set_audit_rate(1)
    build(fake_anthropic, DRIFTING)
    alert = quality.check_drift()

    body = admin_client.get(DASHBOARD).content.decode()
    assert 'id="quality-alert"' in body and "above alpha 5.0%" in body
    assert "/admin/routing/threshold-advice/" in body

    url = f"/admin/routing/quality-alert/{alert.pk}/acknowledge/"
    assert admin_client.get(url).status_code == 405
    assert admin_client.post(url).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.acknowledged_by == admin_client.user
    assert 'id="quality-alert"' not in admin_client.get(DASHBOARD).content.decode()
    # The drift goes on: the next check opens a new alert.
    assert quality.check_drift().pk != alert.pk


def test_a_rep_cannot_acknowledge(fake_anthropic, client):
    set_audit_rate(1)
    build(fake_anthropic, DRIFTING)
    alert = quality.check_drift()
    staff = make_user("viewer", staff=True)
    client.force_login(staff)

    assert client.post(f"/admin/routing/quality-alert/{alert.pk}/acknowledge/").status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_panel_shows_tier_ones_accuracy_and_evaluation_spend_apart(
    fake_anthropic, admin_client
):
    set_audit_rate(1)
    truths = build(fake_anthropic, DRIFTING)
    lead_id = next(iter(truths))
    ModelCall.objects.create(
        lead_id=lead_id, model="claude-sonnet-5-5", tier=2, purpose="evaluation",
        cost_usd=Decimal("0.12345678"),
    )  # fmt: skip
    triage_spend = sum(c.cost_usd for c in ModelCall.objects.exclude(purpose="evaluation"))

    response = admin_client.get(DASHBOARD)

    panel = response.context["quality"]
    assert panel["accuracy"].rate == pytest.approx(0.5) and panel["accuracy"].pairs == 10
    assert panel["spend"] == {"evaluation": Decimal("0.12345678"), "triage": triage_spend}
    body = response.content.decode()
    # A total, to the cent, as every total on the dashboard (routing/templatetags/money.py).
    assert '<strong id="evaluation-spend">$0.12</strong>' in body
    assert "Tier 1&#x27;s estimated accuracy" in body or "Tier 1's estimated accuracy" in body
