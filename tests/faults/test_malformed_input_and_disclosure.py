"""Malformed input to the endpoints that are not provider webhooks, and what the stack
tells strangers, on gunicorn under production settings (RELIABILITY.md #27, #28)."""

import base64
import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import User

from intake.models import Form, Lead
from tests.faults import stack
from tests.workspace.people import make_rep

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

JSON = {"Content-Type": "application/json"}


@pytest.mark.reliability(27)
def test_it_answers_malformed_bodies_cursors_and_times_with_a_4xx_and_a_reason(web):
    """Deep JSON to the embeddable form (anonymous) and 100,000 nested `[` to the REST API
    (with a token) are 400s naming the nesting; an API cursor whose position decodes to the
    year 99999999999 is 'Invalid cursor'; a queue poll since year 1 is a 400 naming `since`.
    Nothing is stored, and no answer is a 500."""
    Form.objects.create(slug="pricing", name="Pricing", allowed_origins="")
    stack.with_password(make_rep("rita"))
    rep = stack.sign_in(web, "rita")
    api = stack.api_headers()
    deep = b"[" * 100_000 + b"]" * 100_000
    cursor = base64.b64encode(urlencode({"p": "99999999999-01-01"}).encode()).decode()

    form = web.post(
        "/api/forms/pricing/",
        b'{"email": "a@example.com", "message": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        {**JSON, **stack.BEHIND_TLS},
    )
    leads = web.post("/api/leads/", deep, {**api, **JSON})
    listed = web.get(f"/api/leads/?cursor={quote(cursor)}", api)
    poll = rep.get("/queue/updates/?since=0001-01-01T00:00:00Z")

    assert (form.status, "nested" in form.json()["error"]) == (400, True)
    assert (leads.status, "nested" in leads.json()["detail"]) == (400, True)
    assert (listed.status, listed.json()["detail"]) == (404, "Invalid cursor")
    assert (poll.status, b"since" in poll.body) == (400, True)
    assert not Lead.objects.exists()


def csp(answer: stack.Answer) -> str:
    return answer.headers.get("content-security-policy", "")


@pytest.mark.reliability(28)
def test_it_puts_a_policy_on_every_page_throttles_sign_in_and_tells_strangers_nothing(web):
    """Sign-in, the admin's sign-in, the contact page, password reset, the API docs, a 404
    and a 400 all carry a strict Content-Security-Policy; /healthz tells an anonymous caller
    only that it is up; after five wrong passwords the right one is refused with the form's
    own 'wait' message; a password reset answers alike for an account and a stranger."""
    Form.objects.create(slug="contact", name="Contact")
    stack.with_password(User.objects.create_superuser("root", "root@leadrouter.test"))
    stack.with_password(make_rep("rita"))
    admin = stack.sign_in(web, "root")
    anonymous = stack.Session(web)

    pages = {
        path: anonymous.get(path)
        for path in ["/login/", "/admin/login/", "/contact/", "/password_reset/", "/nowhere/"]
    }
    pages["/api/docs/"] = admin.get("/api/docs/")
    pages["/admin/"] = admin.get("/admin/")
    pages["400"] = stack.sign_in(web, "rita").get("/queue/updates/?since=0001-01-01T00:00Z")
    for name, answer in pages.items():
        assert "default-src 'self'" in csp(answer), name
        assert "unsafe-inline" not in csp(answer), name
    assert pages["/nowhere/"].status == 404 and pages["400"].status == 400

    health = web.get("/healthz")
    assert (health.status, health.json()) == (200, {"status": "ok"})

    login = stack.Session(web)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login.get("/login/").body)
    for password in ["guess"] * 5 + [stack.PASSWORD]:
        fields = {
            "username": "rita",
            "password": password,
            "csrfmiddlewaretoken": token[1].decode(),
        }
        answer = login.post("/login/", fields, token=False)
    assert answer.status == 200 and b"Too many failed sign-ins" in answer.body
    assert "sessionid" not in login.cookies

    resets = []
    for email in ["rita@leadrouter.test", "nobody@example.com"]:
        reset = stack.Session(web)
        page = reset.get("/password_reset/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        fields = {"email": email, "csrfmiddlewaretoken": token[1].decode()}
        answer = reset.post("/password_reset/", fields, token=False)
        resets.append((answer.status, answer.headers.get("location")))
    assert resets[0] == resets[1] == (302, "/password_reset/done/")
