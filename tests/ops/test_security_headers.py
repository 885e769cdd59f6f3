"""Every HTML response carries a Content-Security-Policy (RELIABILITY.md #28): admin (which
shows hostile mail's raw source), sign-in, the contact page, password reset, the API docs and
error pages get the default policy; pages that set a stricter one of their own keep it."""

import pytest
from django.test import Client

from intake.models import Form
from tests.helpers import make_lead, make_user
from tests.workspace.people import make_rep, sales_lead
from workspace.lead_views import EMAIL_CSP
from workspace.views import PAGE_CSP

pytestmark = pytest.mark.django_db


def superuser():
    user = make_user("root", staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}


def assert_strict(response) -> None:
    csp = policy(response)
    assert csp.get("default-src") == "'self'", response.headers.get("Content-Security-Policy")
    assert "unsafe-inline" not in csp.get("script-src", "")
    assert "unsafe-eval" not in csp.get("script-src", "")
    assert "unsafe-inline" not in csp.get("style-src", "")
    assert csp.get("object-src") == "'none'"
    assert csp.get("frame-ancestors") == "'none'"
    assert csp.get("base-uri") == "'none'"


@pytest.mark.parametrize(
    "url",
    [
        "/login/",
        "/admin/login/",
        "/contact/",
        "/password_reset/",
        "/password_reset/done/",
        "/reset/MQ/set-password/",
    ],
)
def test_it_sets_the_default_policy_on_public_pages(client, url):
    Form.objects.get_or_create(slug="contact", defaults={"name": "Contact"})

    response = client.get(url)

    assert response.status_code in (200, 302)
    assert_strict(response)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/intake/message/",
        "/admin/routing/dashboard/",
        "/api/docs/",
        "/api/docs/?script=",
    ],
)
def test_it_sets_the_default_policy_on_staff_pages(client, url):
    make_lead()
    client.force_login(superuser())

    response = client.get(url)

    assert response.status_code == 200
    assert_strict(response)


def test_it_covers_the_raw_source_of_hostile_mail_in_admin(client):
    lead = make_lead(body="<script>alert(1)</script>")
    client.force_login(superuser())
    message = lead.messages.get()

    response = client.get(f"/admin/intake/message/{message.pk}/raw/")

    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("status,url", [(404, "/no-such-page/"), (400, "/queue/updates/")])
def test_it_sets_the_default_policy_on_error_pages(settings, status, url):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(make_rep())

    response = client.get(url, {"since": "0001-01-01T00:00:00Z"})

    assert response.status_code == status
    # The workspace's own policy or the default: either is strict.
    assert policy(response).get("default-src") == "'self'"
    assert "unsafe-inline" not in policy(response).get("script-src", "'self'")


def test_it_keeps_a_page_s_own_stricter_policy(client):
    lead = sales_lead()
    client.force_login(make_rep())
    lead_page = client.get(f"/leads/{lead.pk}/")
    message = lead.messages.get()
    frame = client.get(f"/leads/{lead.pk}/messages/{message.pk}/html/")

    assert lead_page.headers["Content-Security-Policy"] == PAGE_CSP
    assert frame.headers["Content-Security-Policy"] == EMAIL_CSP
