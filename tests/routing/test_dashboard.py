"""The routing dashboard in admin: /admin/routing/dashboard/."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db.models import Sum
from django.utils import timezone

from intake.models import Channel, Contact, Lead
from routing import dashboard, prices
from routing.models import (
    Circuit,
    Feedback,
    ModelCall,
    ModelPrice,
    Queue,
    RoutingPolicy,
    ShadowAudit,
    Triage,
)
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

URL = "/admin/routing/dashboard/"
RANGE = "?start=2026-11-10&end=2026-11-11"
DAY1 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 11, 15, 30, tzinfo=UTC)
HAIKU = "claude-haiku-5-5"
SONNET = "claude-sonnet-5-5"
_emails = count(1)


def make_lead(*, received_at=DAY1, channel=Channel.EMAIL, status=Lead.Status.NEW) -> Lead:
    contact = Contact.objects.create(email=f"buyer{next(_emails)}@example.com")
    return Lead.objects.create(
        contact=contact, received_at=received_at, channel=channel, status=status
    )


def decide(lead, model=HAIKU, *, tier=1, category="sales", **fields) -> Triage:
    return Triage.objects.create(
        lead=lead,
        model=model,
        tier=tier,
        category=category,
        decided_at=lead.received_at + timedelta(seconds=5),
        **fields,
    )


def make_call(lead, cost, *, purpose=ModelCall.Purpose.TRIAGE, model=HAIKU, tier=1, **fields):
    fields.setdefault("created_at", lead.received_at + timedelta(seconds=2))
    return ModelCall.objects.create(
        lead=lead,
        model=model,
        tier=tier,
        purpose=purpose,
        cost_usd=None if cost is None else Decimal(cost),
        **fields,
    )


def sonnet_price(**fields) -> ModelPrice:
    """Tier 2's price from 2026-11-05: newer than the seeded row, in force on DAY1."""
    values = {
        "model": SONNET,
        "effective_from": date(2026, 11, 5),
        "input_per_mtok": Decimal("3"),
        "output_per_mtok": Decimal("15"),
        "cache_write_5m_per_mtok": Decimal("3.75"),
        "cache_write_1h_per_mtok": Decimal("6"),
        "cache_read_per_mtok": Decimal("0.30"),
    } | fields
    return ModelPrice.objects.create(**values)


@pytest.fixture
def staff_client(client):
    client.force_login(make_user("boss", staff=True))
    return client


def get_page(client, query=RANGE):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response


# --- Access ------------------------------------------------------------------------------


def test_it_redirects_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/routing/dashboard/")


def test_it_refuses_non_staff(client):
    client.force_login(make_user("rep"))
    response = client.get(URL)
    assert response.status_code == 302


def manager(username="mgr"):
    from django.contrib.auth.models import Group

    user = make_user(username)
    user.groups.add(Group.objects.get_or_create(name="manager")[0])
    return user


def test_it_shows_a_manager_the_dashboard_read_only(client, costed_leads):
    client.force_login(manager())

    response = get_page(client)

    page = response.content.decode()
    assert response.context["read_only"] is True
    assert "Routing dashboard" in page
    assert response.context["costs"]["overall"]["total"] == Decimal("0.0135")
    # No way into the admin: no change link, no app list, no admin breadcrumb.
    links = [h for h in re.findall(r'href="([^"]+)"', page) if h.startswith("/admin/")]
    assert links == []
    assert 'href="/"' in page  # back to the queue


def test_it_links_staff_to_the_admin_pages_behind_the_figures(staff_client):
    decide(make_lead(), queue=Queue.objects.create(slug="inbound", name="Inbound"))

    page = get_page(staff_client).content.decode()

    assert 'href="/admin/routing/queue/?q=Inbound"' in page
    assert 'href="/admin/routing/routingpolicy/"' in page


def test_it_refuses_an_inactive_manager(client):
    user = manager()
    user.is_active = False
    user.save(update_fields=["is_active"])
    client.force_login(user)
    assert client.get(URL).status_code == 302


def test_it_loads_for_staff_and_is_linked_from_the_admin_index(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert b"Routing dashboard" in response.content
    assert b"<svg" in response.content
    index = staff_client.get("/admin/")
    assert f'href="{URL}"'.encode() in index.content


# --- Cost per lead -----------------------------------------------------------------------


@pytest.fixture
def costed_leads():
    """Day 1: a lead with no calls (0), one at 0.001, one at 0.002 + 0.0005; day 2: 0.01."""
    free = make_lead(received_at=DAY1, status=Lead.Status.FILTERED)
    one = make_lead(received_at=DAY1, channel=Channel.FORM)
    decide(one, category="sales")
    make_call(one, "0.00100000")
    two = make_lead(received_at=DAY1 + timedelta(hours=3))
    decide(two, SONNET, tier=2, category="support", escalated=True)
    make_call(two, "0.00200000")
    make_call(two, "0.00050000", model=SONNET, tier=2, purpose=ModelCall.Purpose.ESCALATION)
    later = make_lead(received_at=DAY2)
    decide(later, category="sales")
    make_call(later, "0.01000000")
    return free, one, two, later


def test_it_reports_cost_per_lead_exactly(staff_client, costed_leads):
    costs = get_page(staff_client).context["costs"]

    overall = costs["overall"]
    assert overall["n"] == 4  # the lead without calls counts, at 0
    assert overall["total"] == Decimal("0.0135")
    assert overall["total"] == ModelCall.objects.aggregate(s=Sum("cost_usd"))["s"]
    assert overall["mean"] == Decimal("0.003375")
    # Sorted 0, 0.001, 0.0025, 0.01: median at position 2.5, p95 at position 3.85.
    assert overall["median"] == Decimal("0.00175")
    assert overall["p95"] == Decimal("0.008875")


def test_it_reports_cost_by_day_channel_and_category(staff_client, costed_leads):
    costs = get_page(staff_client).context["costs"]

    days = {row["day"]: row for row in costs["days"]}
    assert list(days) == [date(2026, 11, 10), date(2026, 11, 11)]
    assert days[date(2026, 11, 10)]["total"] == Decimal("0.0035")
    assert days[date(2026, 11, 10)]["n"] == 3
    assert days[date(2026, 11, 10)]["median"] == Decimal("0.001")
    assert days[date(2026, 11, 11)]["total"] == Decimal("0.01")
    channels = {row["channel"]: row for row in costs["channels"]}
    assert channels["form"]["total"] == Decimal("0.001")
    assert channels["email"]["total"] == Decimal("0.0125")
    assert channels["email"]["n"] == 3
    categories = {row["category"]: (row["n"], row["total"]) for row in costs["categories"]}
    assert categories == {
        "sales": (2, Decimal("0.011")),
        "support": (1, Decimal("0.0025")),
        "(none)": (1, Decimal("0")),
    }


def test_it_filters_by_date_range(staff_client, costed_leads):
    make_lead(received_at=datetime(2026, 11, 12, 0, 0, tzinfo=UTC))  # the day after the range
    outside = make_lead(received_at=datetime(2026, 11, 9, 23, 59, tzinfo=UTC))
    make_call(outside, "5.00000000")

    context = get_page(staff_client, "?start=2026-11-11&end=2026-11-11").context
    assert context["costs"]["overall"]["n"] == 1
    assert context["costs"]["overall"]["total"] == Decimal("0.01")
    assert context["spend"]["total"] == Decimal("0.01")
    assert context["mix"]["total"] == 1

    wide = get_page(staff_client, "?start=2026-11-09&end=2026-11-12").context
    assert wide["costs"]["overall"]["n"] == 6
    assert wide["spend"]["total"] == Decimal("5.0135")


def test_it_defaults_to_the_last_14_days():
    rng = dashboard.parse_range({}, today=date(2026, 11, 24))
    assert (rng.start, rng.end) == (date(2026, 11, 11), date(2026, 11, 24))
    assert dashboard.parse_range({"start": "2026-02-30"}, today=date(2026, 11, 24)).start == date(
        2026, 11, 11
    )


def test_it_reports_an_empty_range_without_failing(staff_client):
    context = get_page(staff_client).context
    assert context["costs"]["overall"]["n"] == 0
    assert context["spend"]["total"] == Decimal("0")
    assert context["escalation"]["rate"] is None


# --- Model mix and escalation ------------------------------------------------------------


def test_it_shows_the_model_mix_with_the_hygiene_gate(staff_client):
    for model in ("rules", "local", HAIKU, "claude-haiku-4-5", SONNET, "claude-opus-5-5"):
        decide(make_lead(), model)
    make_lead(status=Lead.Status.FILTERED)
    make_lead(status=Lead.Status.FILTERED)
    Triage.objects.create(lead=make_lead(status=Lead.Status.AWAITING_TRIAGE))  # undecided

    page = get_page(staff_client)
    mix = page.context["mix"]

    assert mix["total"] == 8
    shares = {row["name"]: (row["n"], row["share"]) for row in mix["rows"]}
    assert shares == {
        "hygiene": (2, Decimal("25.0")),
        "rules": (1, Decimal("12.5")),
        "local": (1, Decimal("12.5")),
        "haiku": (2, Decimal("25.0")),
        "sonnet": (1, Decimal("12.5")),
        "opus": (1, Decimal("12.5")),
    }
    # Shown by name, never by key (the chart too).
    labels = [row["label"] for row in mix["rows"]]
    assert labels == ["Hygiene gate (free)", "Rules", "Local classifier", "Haiku", "Sonnet", "Opus"]
    chart = str(page.context["mix_chart"])
    assert ">Hygiene gate<" in chart and ">Local classifier<" in chart and ">local<" not in chart


def test_it_counts_escalations_and_reasons_by_prefix(staff_client):
    reasons = ["low_confidence (0.55 < 0.70)", "model_asked: unsure of the budget"]
    decide(make_lead(), SONNET, tier=2, escalated=True, escalation_reasons=reasons)
    decide(make_lead(), SONNET, tier=2, escalated=True, escalation_reasons=["low_confidence (0.4)"])
    decide(make_lead(), escalation_reasons=["budget_exhausted: no escalation"])
    decide(make_lead())

    escalation = get_page(staff_client).context["escalation"]

    assert (escalation["escalated"], escalation["decided"]) == (2, 4)
    assert escalation["rate"] == Decimal("50.0")
    assert {r["reason"]: r["n"] for r in escalation["reasons"]} == {
        "low_confidence": 2,
        "model_asked": 1,
        "budget_exhausted": 1,
    }


# --- Spend, savings, budget --------------------------------------------------------------


def test_it_prices_calls_at_tier_2_for_the_savings_figure(staff_client):
    sonnet_price()
    sonnet_price(effective_from=date(2026, 12, 1), input_per_mtok=Decimal("99"))  # not yet
    lead = make_lead()
    decide(lead)
    plain = make_call(lead, "0.00200000", input_tokens=1000, output_tokens=200)
    batch = make_call(
        lead,
        "0.00080000",
        batch=True,
        input_tokens=2000,
        cache_read_input_tokens=10000,
        output_tokens=100,
    )
    make_call(
        lead,
        "0.00400000",
        model=SONNET,
        tier=2,
        purpose=ModelCall.Purpose.SHADOW_AUDIT,
        input_tokens=1000,
        output_tokens=100,
    )

    spend = get_page(staff_client).context["spend"]

    # (3 * 1000 + 15 * 200) / 1e6 = 0.006; (3 * 2000 + 0.30 * 10000 + 15 * 100) / 1e6 * 0.5
    assert spend["baseline"] == Decimal("0.006") + Decimal("0.00525")
    price = ModelPrice.objects.get(model=SONNET, effective_from=date(2026, 11, 5))
    by_python = sum(
        prices.tier2_equivalent(
            prices.Usage(
                input_tokens=call.input_tokens,
                output_tokens=call.output_tokens,
                cache_read_input_tokens=call.cache_read_input_tokens,
            ),
            price,
            batch=call.batch,
        )
        for call in (plain, batch)
    )
    assert spend["baseline"] == by_python
    assert spend["actual"] == Decimal("0.0028")
    assert spend["savings"] == Decimal("0.00845")
    assert spend["shadow_cost"] == Decimal("0.004")
    assert spend["shadow_calls"] == 1
    assert spend["net_savings"] == Decimal("0.00445")
    assert spend["total"] == Decimal("0.0068")


def test_it_applies_the_long_prompt_band_to_the_baseline(staff_client):
    sonnet_price(long_prompt_threshold=1000, long_prompt_multiplier=Decimal("2"))
    lead = make_lead()
    make_call(lead, "0.00100000", input_tokens=800, cache_creation_input_tokens=300)
    make_call(lead, None, input_tokens=10)  # unpriced: left out of the comparison

    spend = get_page(staff_client).context["spend"]

    # 800 + 300 cache-write tokens > 1000: (3 * 800 + 3.75 * 300) / 1e6 * 2
    assert spend["baseline"] == Decimal("0.00705")
    assert spend["not_compared"] == 1
    assert spend["unpriced"] == 1


def test_it_shows_spend_today_against_the_budget(staff_client):
    RoutingPolicy.objects.update(is_active=False)  # the seeded default
    RoutingPolicy.objects.create(daily_budget_usd=Decimal("2.00"))
    lead = make_lead(received_at=timezone.now())
    make_call(lead, "0.50000000", created_at=timezone.now())
    make_call(lead, "0.25000000", created_at=timezone.now() - timedelta(days=2))

    budget = get_page(staff_client, "").context["budget"]

    assert budget["spent"] == Decimal("0.5")
    assert budget["share"] == Decimal("25.0")
    assert budget["over"] is False


def test_it_shows_the_circuit_alert_when_open(staff_client):
    response = get_page(staff_client)
    assert b"circuit-alert" not in response.content

    Circuit.objects.create(
        reason="authentication_error: invalid x-api-key",
        open_until=timezone.now() + timedelta(minutes=10),
        opened_at=timezone.now(),
    )
    response = get_page(staff_client)
    assert b"circuit-alert" in response.content
    assert b"invalid x-api-key" in response.content


# --- Queues and agreement ----------------------------------------------------------------


def test_it_shows_queue_depths_and_sla_breaches(staff_client):
    sales = Queue.objects.create(slug="inbound", name="Inbound")
    past = timezone.now() - timedelta(hours=1)
    decide(make_lead(), queue=sales, sla_due=past)
    decide(make_lead(status=Lead.Status.WORKING), queue=sales, sla_due=past)
    # Still open, so breached as the queue page shows it (Lead.OPEN_STATUSES, one meaning).
    decide(make_lead(status=Lead.Status.QUALIFIED), queue=sales, sla_due=past)
    decide(make_lead(status=Lead.Status.WON), queue=sales, sla_due=past)  # closed: no breach
    decide(make_lead(), queue=sales, sla_due=timezone.now() + timedelta(hours=1))

    queues = get_page(staff_client).context["queues"]

    row = next(q for q in queues["rows"] if q["name"] == "Inbound")
    assert row["counts"] == {"new": 2, "working": 1, "qualified": 1, "won": 1}
    assert row["breached"] == 3
    assert queues["breached"] == 3


def test_it_reports_tier_agreement(staff_client):
    audited = [decide(make_lead(), category="sales", shadow_category="sales") for _ in range(2)]
    wrong = decide(make_lead(), category="sales", shadow_category="support")
    plain = decide(make_lead(), category="support")
    sonnet = decide(make_lead(), SONNET, tier=2)
    Feedback.objects.create(lead=wrong.lead, field="category", model=HAIKU, tier=1)
    Feedback.objects.create(lead=plain.lead, field="qualification", model=HAIKU, tier=1)
    Feedback.objects.create(lead=sonnet.lead, field="category", model=SONNET, tier=2)
    del audited

    agreement = get_page(staff_client).context["agreement"]

    assert agreement["shadow"] == [{"model": HAIKU, "n": 3, "agreed": 2, "share": Decimal("66.7")}]
    reps = {
        (r["model"], r["tier"]): (r["n"], r["corrected"], r["share"]) for r in agreement["reps"]
    }
    assert reps == {
        (HAIKU, 1): (4, 1, Decimal("75.0")),
        (SONNET, 2): (1, 1, Decimal("0.0")),
    }


def test_it_shows_the_audits_not_answered_yet(staff_client):
    audited = decide(make_lead(), category="sales")
    for batch_id, done in (("", False), ("", False), ("msgbatch_1", False), ("msgbatch_0", True)):
        ShadowAudit.objects.create(
            lead=audited.lead,
            model=SONNET,
            decided_at=audited.decided_at,
            batch_id=batch_id,
            done_at=timezone.now() if done else None,
        )

    page = get_page(staff_client)

    assert page.context["audits_pending"] == {"waiting": 2, "sent": 1}
    assert "2 waiting to be sent, 1 in a batch that has not ended" in page.content.decode()


# --- Speed ---------------------------------------------------------------------------------


def test_it_runs_a_bounded_number_of_queries(
    staff_client, costed_leads, django_assert_max_num_queries
):
    sonnet_price()
    for lead in costed_leads:
        make_call(lead, "0.00010000", input_tokens=100, output_tokens=10)
    # 17 for the figures above, 1 for first-response times, 1 for the 30-day trends, 4 for
    # the quality panel (routing.quality.panel), 1 for the categories' names.
    with django_assert_max_num_queries(24):
        get_page(staff_client)


# --- Money formats -------------------------------------------------------------------------


def test_it_shows_totals_to_the_cent_and_per_lead_costs_to_four_places(staff_client, costed_leads):
    page = get_page(staff_client).content.decode()

    overall = page[page.index('id="cost-overall"') :].split("</tr>")[0]
    # Total $0.0135, mean $0.003375, median $0.00175, p95 $0.008875.
    assert re.findall(r"\$[\d.,]+|&lt;\$[\d.]+", overall) == [
        "$0.01",
        "$0.0034",
        "$0.0018",
        "$0.0089",
    ]
    assert "$0.00000000" not in page
    assert not re.search(r"\$0\.0(?!\d)|\$0(?![.\d])", page)
    assert 'id="spend-total">$0.01<' in page


def test_it_names_categories_and_channels_as_admins_see_them(staff_client, costed_leads):
    demo = make_lead(received_at=DAY1)
    decide(demo, category="demo_request")
    make_call(demo, "0.00100000")
    page = get_page(staff_client).content.decode()

    assert "Category: Demo request" in page
    assert "Category: demo_request" not in page
    assert "Channel: Email" in page
