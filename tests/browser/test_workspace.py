"""A rep's day in a real browser: sign in, filter, search, claim, work a lead, keyboard,
live arrivals, and an email whose HTML tries to run a script."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Lead, Message
from routing import services
from routing.models import Activity, Feedback, Triage
from tests.browser.conftest import screenshot, sign_in
from tests.helpers import ingest
from tests.workspace.people import make_rep, sales_lead
from tests.workspace.test_lead_page import HOSTILE_HTML_EMAIL

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def unassigned(*leads):
    Triage.objects.filter(lead__in=leads).update(assignee=None)


def test_it_signs_in_filters_searches_and_claims(page):
    acme = sales_lead(1)
    globex = sales_lead(
        2, sender="Hank Scorpio <hank@globex.example>", subject="Seats for the volcano office"
    )
    make_rep("dana")
    unassigned(acme, globex)
    sign_in(page, "dana")
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Search").fill("volcano")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Seats for the volcano office")

    page.goto("/?owner=unassigned")
    expect(rows).to_have_count(2)
    row = page.locator(f"#lead-{acme.pk}")
    row.get_by_role("button", name="Claim").click()
    expect(row.locator(".owner")).to_have_text("dana")
    expect(page.locator("#flash")).to_contain_text("Claimed")
    assert Triage.objects.get(lead=acme).assignee.username == "dana"
    screenshot(page, "queue")


def test_it_changes_status_adds_a_note_and_corrects_the_category(page):
    lead = sales_lead(1)
    make_rep("dana")
    sign_in(page, "dana")
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_label("Status").select_option("working")
    page.get_by_role("button", name="Set status").click()
    expect(page.locator("#flash")).to_contain_text("Status: Working")

    page.get_by_label("Add a note").fill("Called Dana: demo booked for Tuesday")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".events")).to_contain_text("Called Dana: demo booked for Tuesday")

    page.get_by_text("Correct or re-run").click()
    page.get_by_label("Category", exact=True).select_option("pricing_request")
    page.get_by_role("button", name="Correct category").click()
    expect(page.locator(".triage-card")).to_contain_text(
        "Pricing request"
    )  # the name, not the slug
    assert Lead.objects.get(pk=lead.pk).status == "working"
    assert Feedback.objects.get(lead=lead).new_value == "pricing_request"
    screenshot(page, "lead")


def test_it_works_from_the_keyboard(page):
    first, second = sales_lead(1), sales_lead(2)
    make_rep("dana")
    unassigned(first, second)
    sign_in(page, "dana")
    expect(page.locator("#rows tr")).to_have_count(2)
    page.keyboard.press("j")
    expect(page.locator("#rows tr").nth(0)).to_have_class(re.compile("selected"))
    page.keyboard.press("j")
    expect(page.locator("#rows tr").nth(1)).to_have_class(re.compile("selected"))
    page.keyboard.press("k")
    selected = page.locator("#rows tr.selected")
    lead_id = int(selected.get_attribute("data-lead"))
    page.keyboard.press("c")
    expect(selected.locator(".owner")).to_have_text("dana")
    page.keyboard.press("?")
    expect(page.locator("#keys")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.get_by_label("Search").press("Escape")
    page.locator("h1").click()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/leads/{lead_id}/")
    page.keyboard.press("s")
    expect(page.get_by_label("Status")).to_be_focused()


def test_it_shows_a_new_lead_without_a_reload_and_keeps_the_selection(page):
    first = sales_lead(1)
    make_rep("dana")
    sign_in(page, "dana")
    page.keyboard.press("j")
    expect(page.locator(f"#lead-{first.pk}")).to_have_class(re.compile("selected"))
    page.evaluate("window.notReloaded = true")
    newcomer = sales_lead(2, subject="Urgent: 300 seats before year end")
    arrival = page.locator(f"#arrivals #lead-{newcomer.pk}")
    expect(arrival).to_contain_text("Urgent: 300 seats before year end")
    # A change to a row on the page is swapped in place; the rep's selection stays.
    Lead.objects.filter(pk=first.pk).update(status="working")
    Lead.objects.filter(pk=first.pk).update(updated_at=timezone.now())
    expect(page.locator(f"#lead-{first.pk} .status")).to_have_text("Working")
    expect(page.locator(f"#lead-{first.pk}")).to_have_class(re.compile("selected"))
    assert page.evaluate("window.notReloaded") is True


def test_it_never_runs_a_script_from_an_emails_html(page):
    message = ingest(HOSTILE_HTML_EMAIL).message
    services.triage_lead(message.lead_id)
    make_rep("dana")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, "dana")
    page.goto(f"/leads/{message.lead_id}/")
    page.get_by_role("link", name="Show the HTML version").click()
    frame = page.frame_locator("iframe.email-html")
    expect(frame.locator("b")).to_have_text("demo")
    page.wait_for_timeout(300)  # let anything that could run, run
    assert page.evaluate("document.body.dataset.pwned") is None
    assert page.evaluate("window.pwned") is None
    assert not [url for url in requests if "tracker.example" in url]


def test_it_fits_a_phone_screen(page):
    sales_lead(1)
    make_rep("dana")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "dana")
    expect(page.locator("#rows tr")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "queue-phone")
    page.locator("#rows .subject a").first.click()
    expect(page.locator("h1")).to_contain_text("Demo request")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "lead-phone")


def test_it_shows_a_colleagues_note_on_an_open_lead_page(page):
    lead = sales_lead(1)
    make_rep("dana")
    colleague = make_rep("ben")
    sign_in(page, "dana")
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_label("Add a note").fill("half-typed")
    Activity.objects.create(lead=lead, user=colleague, kind="note", text="Ben: they called back")
    expect(page.locator("#events")).to_contain_text("Ben: they called back")
    expect(page.get_by_label("Add a note")).to_have_value("half-typed")


def test_it_keeps_the_sandbox_shut_even_if_unsanitised_html_got_through(page):
    """The second wall: HTML stored without the sanitiser (a bug, an old row) still runs no
    script and loads nothing remote, because of the iframe sandbox and the frame's CSP."""
    message = ingest(HOSTILE_HTML_EMAIL).message
    services.triage_lead(message.lead_id)
    Message.objects.filter(pk=message.pk).update(
        html="<p id=hello>hello</p><script>parent.document.body.dataset.pwned = '1';"
        "document.getElementById('hello').textContent = 'ran'</script>"
        '<img src="https://tracker.example/pixel.gif" onerror="parent.pwned = 1">'
    )
    make_rep("dana")
    requests, refused = [], {}
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: refused.update({request.url: request.failure}))
    sign_in(page, "dana")
    page.goto(f"/leads/{message.lead_id}/?html={message.pk}")
    expect(page.frame_locator("iframe.email-html").locator("#hello")).to_have_text("hello")
    page.wait_for_timeout(300)
    assert page.evaluate("document.body.dataset.pwned") is None
    assert page.evaluate("window.pwned") is None
    # Chromium reports the image it refused under the CSP as a request that failed at once.
    tracked = [url for url in requests if "tracker.example" in url]
    assert all(refused.get(url) == "csp" for url in tracked), refused
    blocked = [e for e in page.console_errors if "sandbox" in e or "Content Security" in e]
    assert blocked, page.console_errors  # the browser refused, and said so
    page.console_errors.clear()
