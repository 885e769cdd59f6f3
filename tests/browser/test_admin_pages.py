"""Django admin under the default Content-Security-Policy in a real browser: every page an
operator uses renders with no CSP violation and no script error (the page fixture fails a
test on any console error), including the raw source of hostile mail."""

import pytest
from playwright.sync_api import expect

from routing.models import Circuit, Rule
from tests.browser.conftest import screenshot
from tests.helpers import make_lead, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)><style>*{color:red}</style>'


def sign_in_to_admin(page) -> None:
    user = make_user("operator", staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def test_it_runs_the_admin_pages_under_the_policy(page):
    lead = make_lead(body=HOSTILE)
    message = lead.messages.get()
    rule = Rule.objects.create(
        name="Acme",
        conditions=[{"field": "sender_domain", "operator": "equals", "value": "acme-widgets.com"}],
        actions=[],
    )
    Circuit.objects.create(name="anthropic")
    sign_in_to_admin(page)

    for url in [
        "/admin/",
        "/admin/intake/lead/",
        f"/admin/intake/lead/{lead.pk}/change/",
        "/admin/intake/message/",
        f"/admin/intake/message/{message.pk}/change/",
        f"/admin/intake/message/{message.pk}/raw/",
        "/admin/routing/dashboard/",
        "/admin/routing/rule/add/",
        f"/admin/routing/rule/{rule.pk}/change/",
        "/admin/routing/circuit/",
        "/admin/auth/user/add/",
        "/admin/password_change/",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"], url
    screenshot(page, "admin-password-change")

    page.goto(f"/admin/intake/message/{message.pk}/raw/")
    expect(page.locator("pre.raw-source")).to_contain_text('<script>alert("x")</script>')
    assert page.locator("pre.raw-source").evaluate("e => getComputedStyle(e).whiteSpace") == (
        "pre-wrap"
    )
    screenshot(page, "admin-raw-source")
