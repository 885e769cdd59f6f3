"""The rule editor in a real browser, as an admin builds a rule: rows of menus for
conditions and actions (static/admin-rules.js adds and removes them under the CSP), the
preview, then the save, which stores the JSON the rules engine reads."""

import pytest
from playwright.sync_api import expect

from routing.models import Rule
from tests.browser.conftest import screenshot
from tests.browser.test_admin_pages import sign_in_to_admin
from tests.helpers import make_lead

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def row(page, box: str, n: int):
    return page.locator(f'[data-rule-rows="{box}"] tr.rule-row').nth(n)


def test_it_builds_a_rule_from_rows_previews_and_saves_it(page):
    make_lead(subject="Pricing for 40 seats", message_id="<e1@acme-widgets.com>")
    make_lead(subject="Hello there", sender="Bo <bo@beta.io>", message_id="<e2@beta.io>")
    sign_in_to_admin(page)
    page.goto("/admin/routing/rule/add/")

    page.get_by_label("Name").fill("Acme and friends to Enterprise")
    first = row(page, "conditions", 0)
    first.get_by_label("Field").select_option(label="Sender domain")
    first.get_by_label("Operator").select_option(label="is one of")
    first.get_by_label("Value").fill("acme-widgets.com, acme.de")
    # A second condition, added and then removed again.
    page.get_by_role("button", name="Add a condition").click()
    extra = row(page, "conditions", 2)
    extra.get_by_label("Field").select_option(label="Subject")
    extra.get_by_label("Value").fill("to be removed")
    extra.get_by_role("button", name="Remove").click()
    expect(page.get_by_label("Value").filter(has_text="to be removed")).to_have_count(0)

    action = row(page, "actions", 0)
    action.get_by_label("Action").select_option(label="Send to queue")
    value = action.get_by_label("Value")
    expect(value).to_be_visible()
    # Only the queues are offered for "Send to queue".
    expect(value.locator('optgroup[label="Queues"]')).not_to_be_disabled()
    expect(value.locator('optgroup[label="Users"]')).to_be_disabled()
    value.select_option(label="Enterprise")
    stop = row(page, "actions", 1)
    stop.get_by_label("Action").select_option(label="Stop (no later rule runs)")
    expect(stop.get_by_label("Value")).to_be_hidden()
    screenshot(page, "rule-editor-rows")

    page.get_by_role("button", name="Preview matches").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Preview: 1 of the last 2 leads match")
    expect(preview).to_contain_text("Pricing for 40 seats")
    expect(preview).to_contain_text("queue → enterprise")
    assert not Rule.objects.exists()
    # The rows come back as edited.
    expect(row(page, "conditions", 0).get_by_label("Value")).to_have_value(
        "acme-widgets.com, acme.de"
    )
    screenshot(page, "rule-editor-preview")

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/routing/rule/")
    rule = Rule.objects.get()
    assert rule.conditions == [
        {"field": "domain", "operator": "in_list", "value": ["acme-widgets.com", "acme.de"]}
    ]
    assert rule.actions == [{"action": "set_queue", "value": "enterprise"}, {"action": "stop"}]


def test_it_offers_only_the_operators_that_fit_a_number_field(page):
    sign_in_to_admin(page)
    page.goto("/admin/routing/rule/add/")
    first = row(page, "conditions", 0)

    first.get_by_label("Field").select_option(label="Employees")

    operator = first.get_by_label("Operator")
    expect(operator.locator('option[value="at_least"]')).to_be_enabled()
    expect(operator.locator('option[value="contains"]')).to_be_disabled()
    expect(operator.locator('option[value="regex"]')).to_be_disabled()
    operator.select_option(label="is at least")
    expect(first.get_by_label("Value")).to_have_attribute("placeholder", "500")
    first.get_by_label("Field").select_option(label="Category")
    expect(first.get_by_label("Value")).to_have_attribute("list", "rule-values-category")
    expect(operator.locator('option[value="contains"]')).to_be_enabled()


def test_it_works_without_javascript(chromium, live_server):
    from routing import defaults
    from routing.models import Category, Queue, RoutingPolicy

    defaults.seed_defaults(Queue, Category, RoutingPolicy)
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_to_admin(page)
        page.goto("/admin/routing/rule/add/")
        expect(page.get_by_role("button", name="Add a condition")).to_be_hidden()
        page.get_by_label("Name").fill("Big budgets")
        page.get_by_label("Stage").select_option("after")
        first = row(page, "conditions", 0)
        first.get_by_label("Field").select_option(label="Budget (USD)")
        first.get_by_label("Operator").select_option(label="is at least")
        first.get_by_label("Value").fill("$50,000")
        action = row(page, "actions", 0)
        action.get_by_label("Action").select_option(label="Send to queue")
        action.get_by_label("Value").select_option(label="Enterprise")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url("**/admin/routing/rule/")
        rule = Rule.objects.get()
        assert rule.conditions == [{"field": "budget_usd", "operator": "at_least", "value": 50000}]
        assert rule.actions == [{"action": "set_queue", "value": "enterprise"}]
    finally:
        context.close()


def test_it_shows_the_demo_enterprise_rule_as_rows(page):
    from intake.management.commands.demo import DEMO_RULES

    rule = Rule.objects.create(**DEMO_RULES[0])
    sign_in_to_admin(page)

    page.goto(f"/admin/routing/rule/{rule.pk}/change/")

    first, second = row(page, "conditions", 0), row(page, "conditions", 1)
    expect(first.get_by_label("Field")).to_have_value("employees")
    expect(first.get_by_label("Operator")).to_have_value("at_least")
    expect(first.get_by_label("Value")).to_have_value("500")
    expect(second.get_by_label("Field")).to_have_value("budget_usd")
    expect(second.get_by_label("Value")).to_have_value("50000")
    action = row(page, "actions", 0)
    expect(action.get_by_label("Value")).to_have_value("enterprise")
    expect(row(page, "actions", 1).get_by_label("Value")).to_have_value("1")
    screenshot(page, "rule-editor-enterprise")
