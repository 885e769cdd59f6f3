"""Sessions, CSRF and CORS on gunicorn under production settings, signed in over HTTP."""

import json

import pytest
from django.contrib.auth.models import Group, User

from intake.models import Form, Lead
from routing.models import Activity
from tests.faults import stack
from tests.workspace.people import make_rep, sales_lead

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ELSEWHERE = "https://attacker.example"
EMBEDDING_SITE = "https://www.example.com"  # the one origin the pricing form allows


def refused_for_csrf(answer: stack.Answer) -> bool:
    # templates/403_csrf.html: the product's page for a failed CSRF check.
    return answer.status == 403 and b"This form has expired" in answer.body


@pytest.mark.reliability(14)
def test_it_refuses_cross_origin_and_tokenless_posts_from_signed_in_staff(web):
    """A rep and an admin sign in through /login/: their session cookie is Secure, HttpOnly
    and SameSite=Lax, the CSRF cookie Secure and SameSite=Lax. A post from another origin
    carrying their cookies (and even a valid token), or from the site without the token, to
    a workspace action, the admin or the API is a 403 for CSRF and changes nothing; the same
    post from the site with the token goes through."""
    lead = sales_lead()
    stack.with_password(make_rep("rita", queues=("sales",)))
    stack.with_password(User.objects.create_superuser("root", "root@leadrouter.test"))
    rep, admin = stack.sign_in(web, "rita"), stack.sign_in(web, "root")

    for session in (rep, admin):
        cookie, csrf = session.received["sessionid"], session.received["csrftoken"]
        assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")
        assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")

    def notes() -> int:
        return Activity.objects.filter(lead=lead, kind=Activity.Kind.NOTE).count()

    def groups() -> int:
        return Group.objects.filter(name="planted").count()

    note = (f"/leads/{lead.pk}/notes/", {"text": "planted"})
    group = ("/admin/auth/group/add/", {"name": "planted"})
    for session, (url, fields), changes in ((rep, note, notes), (admin, group, groups)):
        across = session.post(url, fields, origin=ELSEWHERE)
        tokenless = session.post(url, fields, token=False)
        assert refused_for_csrf(across), (url, across.status, across.body[:200])
        assert refused_for_csrf(tokenless), (url, tokenless.status, tokenless.body[:200])
        assert changes() == 0, url
        assert session.post(url, fields).status == 302, url  # from the site, with the token
        assert changes() == 1, url

    leads = Lead.objects.count()
    api = {"Content-Type": "application/json"}
    body = json.dumps({"email": "planted@attacker.example", "message": "hi"}).encode()
    across = admin.request("POST", "/api/leads/", body, {**api, "Origin": ELSEWHERE})
    tokenless = admin.request("POST", "/api/leads/", body, {**api, "Origin": admin.origin})
    # The API takes tokens only: a staff session cookie is no credential there at all.
    assert (across.status, tokenless.status) == (401, 401), (across, tokenless)
    assert Lead.objects.count() == leads


@pytest.mark.reliability(14)
def test_it_answers_cors_only_on_the_form_endpoint_and_never_with_credentials(web):
    """Asked from an allowed embedding site, with a staff session cookie along: the login
    page, the workspace, the admin, the API (preflight included), its schema and the
    webhooks answer no CORS header at all; the form endpoint answers its allowed origin,
    never Allow-Credentials, sets no cookie and treats the post as anonymous."""
    Form.objects.create(slug="pricing", name="Pricing", allowed_origins=EMBEDDING_SITE)
    lead = sales_lead()
    stack.with_password(User.objects.create_superuser("root", "root@leadrouter.test"))
    admin = stack.sign_in(web, "root")
    token = stack.api_headers()["Authorization"]
    cross = {"Origin": EMBEDDING_SITE}
    preflight = {
        **cross,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }

    answers = {
        "login": admin.get("/login/", cross),
        "queue": admin.get("/", cross),
        "lead": admin.get(f"/leads/{lead.pk}/", cross),
        "admin": admin.get("/admin/", cross),
        "api": admin.get("/api/leads/", {**cross, "Authorization": token}),
        "api preflight": admin.request("OPTIONS", "/api/leads/", headers=preflight),
        "schema": admin.get("/api/schema/?format=json", cross),
        "raw webhook": web.post(stack.RAW, stack.lead_email(1, tag="cors"), cross),
        "health": web.get("/healthz", cross),
    }
    for name, answer in answers.items():
        assert answer.status < 500, name
        assert not [h for h in answer.headers if h.startswith("access-control-")], name

    form_url = "/api/forms/pricing/"
    asked = admin.request("OPTIONS", form_url, headers=preflight)
    posted = admin.request(
        "POST",
        form_url,
        json.dumps({"email": "lee@embedder.example", "message": "Pricing, please."}).encode(),
        {**cross, "Content-Type": "application/json"},
    )
    for answer in (asked, posted):
        assert answer.headers.get("access-control-allow-origin") == EMBEDDING_SITE
        assert "access-control-allow-credentials" not in answer.headers
        assert answer.set_cookies == []
    assert (asked.status, posted.status) == (204, 201)
    # Anonymous: nothing of the signed-in admin is recorded with the submission.
    message = Lead.objects.get(contact__email="lee@embedder.example").messages.get()
    assert set(json.loads(bytes(message.raw))["meta"]) <= {"ip", "user_agent", "origin"}
