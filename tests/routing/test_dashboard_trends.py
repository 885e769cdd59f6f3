"""The dashboard's day-by-day trends (routing/trends.py): escalation rate, cost per lead and
SLA met over 30 days, and the charts of them, empty ones included."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from intake.models import Contact, Lead
from routing.models import Activity, ModelCall, Triage
from routing.trends import daily_trends
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

END = date(2026, 11, 30)
DAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
_emails = count(1)


def lead_on(received_at=DAY, *, escalated=False, decided=True, sla_due=None, cost=None) -> Lead:
    contact = Contact.objects.create(email=f"trend{next(_emails)}@example.com")
    lead = Lead.objects.create(contact=contact, received_at=received_at, status="new")
    Triage.objects.create(
        lead=lead,
        model="claude-haiku-5-5",
        tier=2 if escalated else 1,
        escalated=escalated,
        decided_at=received_at + timedelta(seconds=5) if decided else None,
        sla_due=sla_due,
    )
    if cost is not None:
        ModelCall.objects.create(lead=lead, model="claude-haiku-5-5", tier=1, cost_usd=cost)
    return lead


def act(lead, at, user=True):
    Activity.objects.create(
        lead=lead,
        user=make_user(f"rep{next(_emails)}") if user else None,
        kind=Activity.Kind.CLAIM,
        created_at=at,
    )


def day(trends, when: date) -> dict:
    return next(row for row in trends["days"] if row["day"] == when)


def test_it_covers_the_30_days_that_end_on_the_given_day():
    lead_on(datetime(2026, 10, 31, 23, 0, tzinfo=UTC))  # the day before the window
    lead_on(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # the day after

    trends = daily_trends(END, NOW)

    assert [row["day"] for row in trends["days"]][0] == date(2026, 11, 1)
    assert len(trends["days"]) == 30
    assert sum(row["leads"] for row in trends["days"]) == 0
    assert all(row["escalation_rate"] is None for row in trends["days"])


def test_it_computes_escalation_rate_and_cost_per_lead_by_day():
    lead_on(escalated=True, cost=Decimal("0.004"))
    lead_on(cost=Decimal("0.001"))
    lead_on()
    lead_on(decided=False)  # awaiting triage: counted as a lead, not as decided

    row = day(daily_trends(END, NOW), DAY.date())

    assert (row["leads"], row["decided"], row["escalated"]) == (4, 3, 1)
    assert row["escalation_rate"] == Decimal("33.3")
    assert row["cost"] == Decimal("0.005")
    assert row["cost_per_lead"] == Decimal("0.00125")


def test_it_counts_sla_met_when_a_person_acted_before_the_due_time():
    due = DAY + timedelta(hours=1)
    met = lead_on(sla_due=due)
    act(met, DAY + timedelta(minutes=30))
    late = lead_on(sla_due=due)
    act(late, due + timedelta(minutes=1))
    lead_on(sla_due=due)  # nobody acted, and it is past due: missed
    system = lead_on(sla_due=due)
    act(system, DAY + timedelta(minutes=5), user=False)  # not a person: missed
    lead_on(DAY, sla_due=NOW + timedelta(hours=2))  # not due yet, not touched: left out

    row = day(daily_trends(END, NOW), DAY.date())

    assert (row["sla_met"], row["sla_due"]) == (1, 4)
    assert row["sla_rate"] == Decimal("25.0")


def test_it_draws_each_chart_with_a_title_and_a_gap_for_days_without_leads():
    lead_on(escalated=False, cost=Decimal("0.002"), sla_due=DAY + timedelta(hours=1))

    trends = daily_trends(END, NOW)

    # 0% escalated is a figure, drawn; the other 29 days are gaps.
    assert "<svg" in trends["escalation_chart"]
    assert "Escalation rate" in trends["escalation_chart"]
    assert "11-20: 0.0%" in trends["escalation_chart"]
    assert "11-19: no data" in trends["escalation_chart"]
    assert "11-20: $0.0020" in trends["cost_per_lead_chart"]
    assert "11-20: 0.0%" in trends["sla_chart"]


def test_it_says_so_when_there_is_nothing_to_chart():
    trends = daily_trends(END, NOW)

    assert "<svg" not in trends["cost_per_lead_chart"]
    assert "No spend yet." in trends["cost_per_lead_chart"]
    assert "No leads decided in these 30 days." in trends["escalation_chart"]
    assert "No lead has come due yet." in trends["sla_chart"]
