"""The API docs in a real browser, with every request off this server refused: Swagger UI
comes from the project's own static files (drf-spectacular-sidecar), never a CDN."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.helpers import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_it_renders_the_operations_offline(page, live_server):
    make_user("docs-admin", staff=True)
    ours = urlsplit(live_server.url).netloc
    elsewhere = []

    def only_ours(route):
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto("/admin/login/?next=/api/docs/")
    page.get_by_label("Username").fill("docs-admin")
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/api/docs/")

    operations = page.locator(".opblock-summary-path")
    expect(operations).to_have_count(3)
    assert sorted(operations.all_inner_texts()) == [
        "/api/leads/",
        "/api/leads/",
        "/api/leads/{id}/",
    ]
    expect(page.get_by_text("leadrouter API")).to_be_visible()
    screenshot(page, "api-docs")
    assert elsewhere == []
