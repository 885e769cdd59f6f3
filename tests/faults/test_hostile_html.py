"""Hostile HTML opened by a rep: real Chromium against the running gunicorn."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from intake.models import Message
from tests.browser.conftest import CHROMIUM
from tests.faults import stack
from tests.helpers import FIXTURES

pytestmark = [
    pytest.mark.faults,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def session_for(user) -> str:
    """A session the stack's web server accepts (same database, same SECRET_KEY)."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.mark.reliability(11)
def test_it_runs_nothing_and_loads_nothing_from_a_hostile_email(web, workers):
    """An email with script, event handlers, javascript: and data: links, SVG, meta refresh,
    a form, CSS imports and remote images, posted over HTTP and processed by the worker:
    a manager opens it, HTML view included, in Chromium, and nothing runs, navigates or
    loads from another origin."""
    from playwright.sync_api import sync_playwright

    raw = (FIXTURES / "mail" / "hostile_html.eml").read_bytes()
    assert stack.post_raw(web, raw).status == 202
    worker = workers(Q_WORKERS="1")
    assert stack.poll(
        lambda: Message.objects.filter(parse_state=Message.ParseState.PARSED).exists(), timeout=60
    ), stack.tail(worker.log)
    message = Message.objects.get()
    manager = User.objects.create_user("manager-on-duty")
    manager.groups.add(Group.objects.get_or_create(name="manager")[0])
    session = session_for(manager)  # before the browser: no ORM inside its event loop

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        # The web server runs with the HTTPS redirect on, behind a (here imagined) proxy.
        context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
        context.add_cookies([{"name": "sessionid", "value": session, "url": web.base_url}])
        page = context.new_page()
        dialogs, off_origin = [], []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "request",
            lambda request: (
                request.url.startswith(web.base_url)
                or request.url.startswith("data:")
                or off_origin.append(request.url)
            ),
        )
        refused = {}
        page.on("requestfailed", lambda request: refused.update({request.url: request.failure}))
        lead_url = f"{web.base_url}/leads/{message.lead_id}/"
        page.goto(lead_url)
        page.goto(f"{lead_url}?html={message.pk}")
        frame = page.frame_locator("iframe.email-html")
        frame.locator("text=Pro plan").first.wait_for()
        page.wait_for_timeout(1500)  # a meta refresh or a timer would have fired by now
        for link in frame.locator("a").all():
            link.click(modifiers=["Alt"], no_wait_after=True, timeout=2000, force=True)
        page.wait_for_timeout(500)
        assert page.url == f"{lead_url}?html={message.pk}"
        assert dialogs == []
        # Anything off-origin the page asked for was refused by the browser itself.
        assert all(refused.get(url) == "csp" for url in off_origin), (off_origin, refused)
        browser.close()
