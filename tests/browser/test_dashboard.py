"""The routing dashboard in a real browser: a manager who is not staff reads it (no way
into the admin from it), money in one precision per column, titled charts, and an empty
dashboard that says "No spend yet" instead of drawing empty frames."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Contact, Lead
from routing.models import Activity, ModelCall, Queue, Triage
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_admin_pages import sign_in_to_admin
from tests.helpers import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def seed_two_weeks(rep) -> None:
    """Three leads a day for 12 days: one escalated every other day, costs that vary, and
    most picked up by a rep before their SLA came due."""
    now = timezone.now()
    sales = Queue.objects.get(slug="sales")
    for day in range(12):
        for n in range(3):
            received = now - timedelta(days=day, hours=n + 1)
            contact = Contact.objects.create(email=f"buyer{day}-{n}@example.com")
            lead = Lead.objects.create(contact=contact, received_at=received, status="working")
            escalated = n == 0 and day % 2 == 0
            Triage.objects.create(
                lead=lead,
                model="claude-sonnet-5-5" if escalated else "claude-haiku-5-5",
                tier=2 if escalated else 1,
                escalated=escalated,
                category="demo_request",
                queue=sales,
                decided_at=received + timedelta(seconds=4),
                sla_due=received + timedelta(hours=4),
            )
            cost = (
                Decimal("0.0009") + Decimal("0.0004") * n + (Decimal("0.006") if escalated else 0)
            )
            ModelCall.objects.create(
                lead=lead, model="claude-haiku-5-5", tier=1, cost_usd=cost, created_at=received
            )
            if (day + n) % 4:
                Activity.objects.create(
                    lead=lead, user=rep, kind="claim", created_at=received + timedelta(hours=1)
                )


def test_it_shows_a_manager_the_dashboard_read_only(page):
    boss = make_user("morgan")
    boss.groups.add(Group.objects.get_or_create(name="manager")[0])
    seed_two_weeks(make_user("rep"))
    sign_in(page, "morgan")

    page.goto("/admin/routing/dashboard/")

    expect(page.get_by_role("heading", name="Routing dashboard")).to_be_visible()
    for title in ("Daily spend", "Escalation rate", "Cost per lead", "SLA met"):
        expect(page.locator("figcaption", has_text=title)).to_be_visible()
        expect(page.locator("figure.chart", has_text=title).locator("svg")).to_be_visible()
    overall = page.locator("#cost-overall")
    expect(overall).to_contain_text("$0.")
    assert "0.00000000" not in page.content()
    # Read-only: no link into the admin, a way back to the queue.
    assert page.locator('a[href^="/admin/"]').count() == 0
    expect(page.get_by_role("link", name="Change the budget")).to_have_count(0)
    screenshot(page, "dashboard-manager")
    page.get_by_role("link", name="Back to the queue").click()
    page.wait_for_url("**/")


def test_it_says_no_spend_yet_on_an_empty_dashboard(page):
    sign_in_to_admin(page)

    page.goto("/admin/routing/dashboard/")

    spend = page.locator("figure.chart", has_text="Daily spend")
    expect(spend).to_contain_text("No spend yet.")
    expect(spend.locator("svg")).to_have_count(0)
    expect(page.locator("figure.chart", has_text="SLA met")).to_contain_text(
        "No lead has come due yet."
    )
    expect(page.locator("#spent-today")).to_have_text("$0.00")
    expect(page.get_by_role("link", name="Change the budget")).to_be_visible()
    screenshot(page, "dashboard-empty")


def test_it_keeps_a_rep_out(page):
    rep = make_user("casey")
    rep.groups.add(Group.objects.get_or_create(name="sales")[0])
    sign_in(page, "casey")

    page.goto("/admin/routing/dashboard/")

    page.wait_for_url("**/admin/login/**")
    expect(page.locator("#content-main")).not_to_contain_text("Cost per lead")
