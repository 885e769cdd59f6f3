"""The demo's simulated model in a real browser: the banner and the (simulated) marks a
newcomer sees on the queue and the lead page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.simulated import simulated_api  # noqa: F401 (a fixture)
from tests.workspace.people import make_rep, sales_lead

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.usefixtures("simulated_api")
def test_it_shows_the_simulated_banner_and_marks(page):
    lead = sales_lead(1)  # decided through the simulated API the demo starts
    assert lead.triage.model == "claude-haiku-5-5"
    make_rep("dana")
    sign_in(page, "dana")
    banner = page.locator("#simulated-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("No Claude model is called here")
    expect(page.locator(f"#lead-{lead.pk} .simulated-mark")).to_have_text("(simulated)")
    page.goto(f"/leads/{lead.pk}/")
    expect(page.locator("#simulated-banner")).to_be_visible()
    expect(page.locator("#triage-summary")).to_contain_text("claude-haiku-5-5 (simulated)")
    screenshot(page, "simulated-lead")
