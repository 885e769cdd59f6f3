"""Routing → Threshold advice in a real browser: an admin opens it from the admin index, sets
alpha, reads the advice and the preview, and applies it; the dashboard's quality panel then
shows the evidence."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from routing import calls, config, llm, quality
from routing.models import RoutingPolicy, ThresholdChange
from tests.browser.conftest import screenshot
from tests.browser.test_admin_pages import sign_in_to_admin
from tests.fakes.anthropic import FakeAnthropic
from tests.routing.pair_data import DEMO, PRICING, build, known_items, set_audit_rate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def built(settings, items) -> None:
    """Leads triaged through the fake API, their audits answered (tests/routing/pair_data.py)."""
    config.forget()
    calls.forget_spend()
    with FakeAnthropic() as fake:
        settings.ANTHROPIC_API_KEY = "sk-test"
        settings.ANTHROPIC_BASE_URL = fake.base_url
        settings.ANTHROPIC_BACKOFF_MS = 10
        llm.reset_client()
        set_audit_rate(1)
        build(fake, items)
    llm.reset_client()
    config.forget()
    calls.forget_spend()


@pytest.fixture
def known_pairs(page, settings):
    built(settings, known_items())


def test_it_sets_alpha_previews_and_applies(page, known_pairs):
    sign_in_to_admin(page)
    page.get_by_role("link", name="Threshold advice").first.click()
    expect(page.locator("h1")).to_have_text("Threshold advice")
    expect(page.locator("#advised-threshold")).to_have_text("0.66")  # alpha 0.05

    page.get_by_label("Target miss rate (alpha)").fill("0.04")
    page.get_by_role("button", name="Show advice").click()

    expect(page.locator("#advised-threshold")).to_have_text("0.76")
    expect(page.locator("#preview-gained")).to_have_text("6")
    expect(page.locator("#preview-lost")).to_have_text("0")
    rows = page.locator("#preview-changes tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.first).to_contain_text("Demo request")
    expect(rows.first).to_contain_text("Escalated to tier 2")
    expect(page.locator("svg.curve").first).to_be_visible()
    screenshot(page, "threshold-advice")

    page.get_by_role("button", name="Apply").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Applied: confidence threshold 0.70 → 0.76"
    )
    policy = RoutingPolicy.objects.get()
    assert (policy.confidence_threshold, policy.quality_alpha) == (
        Decimal("0.76"),
        Decimal("0.040"),
    )
    assert ThresholdChange.objects.get().new_threshold == Decimal("0.76")
    expect(page.locator("#history tbody")).to_contain_text("0.70 → 0.76")
    # At the new threshold nothing changes: the advice stands.
    expect(page.locator("#preview-none")).to_be_visible()

    page.goto("/admin/routing/dashboard/")
    expect(page.locator("#quality-accuracy")).to_contain_text("90.0%")  # 36 of 40 right
    screenshot(page, "dashboard-quality")


def test_it_says_how_many_pairs_are_needed_and_the_dashboard_shows_the_drift(page, settings):
    built(settings, [(0.9, PRICING)] * 5 + [(0.9, DEMO)] * 5)  # ten pairs, half of them misses
    quality.check_drift()
    sign_in_to_admin(page)

    page.goto("/admin/routing/threshold-advice/")
    expect(page.locator("#too-few")).to_contain_text("needs at least 19")
    expect(page.locator("#apply-form")).to_have_count(0)
    screenshot(page, "threshold-advice-too-few")

    page.goto("/admin/routing/dashboard/")
    expect(page.locator("#quality-alert")).to_contain_text("above alpha 5.0%")
    screenshot(page, "dashboard-quality-alert")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messagelist")).to_contain_text("Quality alert acknowledged")
    expect(page.locator("#quality-alert")).to_have_count(0)
