"""An open queue page shows a newly decided lead within about a second, without a reload,
and fetches its rows only when the change stamp says something moved."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Lead
from routing.models import Triage
from tests.browser.conftest import screenshot, sign_in
from tests.workspace.people import make_rep, sales_lead, support_lead

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def long_ago(*leads):
    """Their changes are past any overlap: an open page has nothing to fetch for them."""
    earlier = timezone.now() - timedelta(minutes=10)
    ids = [lead.pk for lead in leads]
    Lead.objects.filter(pk__in=ids).update(updated_at=earlier)
    Triage.objects.filter(lead_id__in=ids).update(decided_at=earlier)


def test_it_shows_a_new_lead_about_a_second_after_its_decision(page, settings):
    # The rows' own poll is a minute away: only the change stamp can bring the lead in time.
    settings.WORKSPACE_POLL_SECONDS = 60
    settings.WORKSPACE_LIVE_SECONDS = 1
    first = sales_lead(1)
    make_rep("dana")
    long_ago(first)
    asked, fetched = [], []
    page.on(
        "request",
        lambda request: (
            asked.append(request.url)
            if "/queue/changes/" in request.url
            else fetched.append(request.url)
            if "/queue/updates/" in request.url
            else None
        ),
    )
    sign_in(page, "dana")
    expect(page.locator("#rows tr")).to_have_count(1)
    page.evaluate("window.notReloaded = true")
    page.wait_for_timeout(2500)
    assert len(asked) >= 2
    assert fetched == []  # nothing moved: the rows were not fetched

    support_lead(1)  # another queue's lead: not this rep's news
    page.wait_for_timeout(2000)
    assert fetched == []

    newcomer = sales_lead(2, subject="Urgent: 300 seats before year end")
    arrival = page.locator(f"#arrivals #lead-{newcomer.pk}")
    expect(arrival).to_contain_text("Urgent: 300 seats before year end", timeout=4000)
    assert fetched  # fetched on the change (a later write of the same lead may add one)
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#queue-counts a", has_text="Sales").locator(".count")).to_have_text("2")
    screenshot(page, "queue-live-arrival")
