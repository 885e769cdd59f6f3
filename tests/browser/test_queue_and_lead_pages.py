"""The queue and lead pages as reps and managers use them, in a real browser: words instead
of codes, the status, priority and queue columns, sorting, filter chips, bulk menus that
offer only what works, tab counts that follow the rows, long subjects, follow-ups, the
contact page and the product's own error page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Lead
from routing.models import FollowUp, Queue, Triage
from tests.browser.conftest import screenshot, sign_in
from tests.workspace.people import make_manager, make_rep, sales_lead, support_lead

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_SUBJECT = (
    "Demo request: we are evaluating lead routing for our whole revenue organisation across "
    "EMEA and North America and would like to see the enterprise plan with SSO and audit logs"
)


def visible_options(page, select: str) -> list[str]:
    return page.eval_on_selector_all(
        f"{select} option", "os => os.filter(o => !o.hidden && o.value).map(o => o.value)"
    )


def test_it_offers_a_rep_only_the_statuses_the_selected_leads_can_take(page):
    first = sales_lead(1, sender="Dana Scully <dana@acme-widgets.com>")
    second = sales_lead(2, sender="Fox Mulder <fox@acme-widgets.com>")
    make_rep("dana")
    sign_in(page, "dana")
    bulk = page.locator("#bulk-status")
    expect(bulk).to_have_value("")  # no status chosen for the rep
    assert visible_options(page, "#bulk-status") == []  # nothing selected, nothing offered
    page.get_by_label("Select the lead from Dana Scully").check()
    page.get_by_label("Select the lead from Fox Mulder").check()
    offered = visible_options(page, "#bulk-status")
    assert offered == ["working", "contacted", "disqualified", "spam"]
    assert "awaiting_triage" not in offered and "filtered" not in offered
    expect(page.locator("#bulk-hint")).to_have_text("2 selected.")
    screenshot(page, "queue-bulk-status")
    bulk.select_option("working")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#flash")).to_contain_text("2 leads updated.")
    assert set(
        Lead.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {"working"}
    # Working leads move on to other statuses; the menu follows the selection.
    page.get_by_label("Select the lead from Dana Scully").check()
    assert "working" not in visible_options(page, "#bulk-status")
    assert "qualified" in visible_options(page, "#bulk-status")

    # Nothing selected: the server says so, not "0 leads updated".
    page.goto("/")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#flash .msg-error")).to_have_text("Select at least one lead first.")


def test_it_shows_a_manager_labels_columns_sorting_chips_and_the_queue(page):
    sales = sales_lead(1, sender="Dana Scully <dana@acme-widgets.com>")
    support = support_lead(1)
    Triage.objects.filter(lead=support).update(score=90)
    make_manager("boss")
    sign_in(page, "boss")
    expect(page.locator("thead")).to_contain_text("Queue")
    row = page.locator(f"#lead-{sales.pk}")
    expect(row.locator(".queue-name")).to_have_text("Sales")
    expect(row.locator(".status")).to_have_text("New")
    expect(row).to_contain_text("Demo request")  # the admin's name, not demo_request
    expect(row).not_to_contain_text("demo_request")
    expect(row.locator(".badge")).to_have_text("Local")
    expect(row.locator(".priority")).to_have_text(re.compile(r"P\d"))
    expect(page.locator("#result-count")).to_have_text("2 leads")

    page.get_by_role("link", name="Score").click()
    page.wait_for_url("**sort=score**")
    expect(page.locator("#rows tr").first).to_have_id(f"lead-{support.pk}")
    expect(page.locator("th.col-score")).to_have_attribute("aria-sort", "descending")

    page.get_by_label("Owner").select_option("unassigned")
    page.locator("#id_queue").select_option("sales")
    page.get_by_role("button", name="Filter").click()
    chips = page.locator(".chips .chip")
    expect(chips).to_have_count(2)
    expect(chips.first).to_contain_text("Queue: Sales")
    screenshot(page, "queue-manager")
    page.get_by_role("link", name="Remove the filter Queue: Sales").click()
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Owner: Unassigned")

    # A rep sees no queue column.
    page.context.clear_cookies()
    make_rep("dana")
    sign_in(page, "dana")
    expect(page.locator("thead")).not_to_contain_text("Queue")


def test_it_updates_the_tab_counts_with_the_rows(page):
    sales_lead(1)
    make_rep("dana")
    sign_in(page, "dana")
    sales_tab = page.locator("#queue-counts a", has_text="Sales")
    expect(sales_tab.locator(".count")).to_have_text("1")
    newcomer = sales_lead(2, subject="Urgent: 300 seats before year end")
    expect(page.locator(f"#arrivals #lead-{newcomer.pk}")).to_be_visible()
    expect(sales_tab.locator(".count")).to_have_text("2")


def test_it_keeps_long_subjects_from_squeezing_the_sla_and_domains(page):
    lead = sales_lead(
        1, subject=LONG_SUBJECT, sender="Ana <ana@very-long-company-domain-name.example>"
    )
    make_rep("dana")
    sign_in(page, "dana")
    row = page.locator(f"#lead-{lead.pk}")
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    sla = row.locator(".sla").bounding_box()
    assert sla["height"] < 1.6 * line, sla  # one line
    company = row.locator(".company").bounding_box()
    assert company["height"] < 1.6 * line, company  # never broken mid-word
    subject = row.locator(".subject a").bounding_box()
    assert subject["height"] < 3.2 * line, subject  # two lines at most, then an ellipsis
    screenshot(page, "queue-long-subject")

    page.locator(f"#lead-{lead.pk} .subject a").click()
    title = page.locator("h1.lead-title")
    assert title.evaluate("h => getComputedStyle(h).textOverflow") == "ellipsis"
    assert title.evaluate("h => h.scrollWidth > h.clientWidth")
    expect(title).to_have_attribute("title", LONG_SUBJECT)
    expect(page.get_by_label("Status")).to_have_value("new")  # the current status
    times = page.locator(".lead time").all_inner_texts()
    assert times and all(
        re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", t) for t in times
    ), times
    screenshot(page, "lead-long-subject")


def test_it_explains_an_assign_menu_for_a_queue_without_members(page):
    lead = sales_lead(1)
    Triage.objects.filter(lead=lead).update(
        queue=Queue.objects.get(slug="enterprise"), assignee=None
    )
    make_manager("boss")
    sign_in(page, "boss")
    page.goto(f"/leads/{lead.pk}/")
    expect(page.locator("#assign-hint")).to_contain_text(
        "Nobody is a member of the Enterprise queue yet: only managers can take it"
    )
    screenshot(page, "lead-assign-hint")


def test_it_brings_a_snoozed_lead_back_on_its_follow_up_day(page):
    lead = sales_lead(1, sender="Dana Scully <dana@acme-widgets.com>")
    other = sales_lead(2)
    make_rep("dana")
    sign_in(page, "dana")
    page.goto(f"/leads/{lead.pk}/")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Follow up on").fill(tomorrow.isoformat())
    page.get_by_label("Follow-up note").fill("Call after their board meeting")
    page.get_by_role("button", name="Set follow-up").click()
    expect(page.locator("#flash")).to_contain_text("Follow-up set for")
    expect(page.locator("#events")).to_contain_text("Call after their board meeting")
    screenshot(page, "lead-follow-up")

    page.goto("/")
    expect(page.locator(f"#lead-{other.pk}")).to_be_visible()
    expect(page.locator(f"#lead-{lead.pk}")).to_have_count(0)  # snoozed

    # The day comes (the stored day moves back: the test cannot wait a day).
    FollowUp.objects.filter(lead=lead).update(due_on=timezone.localdate())
    page.reload()
    expect(page.locator(f"#lead-{lead.pk}")).to_be_visible()
    due_tab = page.locator("#queue-counts a", has_text="Follow-ups due")
    expect(due_tab.locator(".count")).to_have_text("1")
    due_tab.click()
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(page.locator(f"#lead-{lead.pk} .follow-up-tag")).to_contain_text("Follow-up due")
    screenshot(page, "queue-follow-ups-due")


def test_it_opens_a_contacts_page_from_the_queue(page):
    first = sales_lead(1, sender="Dana Scully <dana@acme-widgets.com>")
    sales_lead(2, sender="Dana Scully <dana@acme-widgets.com>", subject="Pricing for 40 seats")
    make_rep("dana")
    sign_in(page, "dana")
    page.locator(f"#lead-{first.pk} .contact .name").click()
    page.wait_for_url(f"**/contacts/{first.contact_id}/")
    expect(page.locator("h1")).to_have_text("Dana Scully")
    expect(page.locator(".history-leads tbody tr")).to_have_count(2)
    expect(page.locator(".history-leads")).to_contain_text("Pricing for 40 seats")
    screenshot(page, "contact-page")
    page.get_by_role("link", name="everyone at acme-widgets.com").click()
    expect(page.locator(".history-leads tbody tr")).to_have_count(2)


def test_it_shows_the_products_own_page_for_a_forbidden_lead(page):
    hidden = support_lead(1)
    make_rep("dana", queues=("sales",))
    sign_in(page, "dana")
    response = page.goto(f"/leads/{hidden.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    expect(page.get_by_role("link", name="Back to the queue")).to_be_visible()
    # Styled by our stylesheet (a white panel on the wash), with our icon.
    assert page.locator(".panel").evaluate("p => getComputedStyle(p).backgroundColor") == (
        "rgb(255, 255, 255)"
    )
    assert page.request.get("/favicon.ico").status == 200
    screenshot(page, "error-404")
    page.console_errors[:] = [e for e in page.console_errors if "404" not in e]
