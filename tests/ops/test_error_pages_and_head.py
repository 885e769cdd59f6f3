"""The product's own error pages (400, 403, 404, 500), the favicon, and HEAD on the public
pages answering like GET."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.helpers import make_user
from tests.workspace.people import make_rep, support_lead

pytestmark = pytest.mark.django_db


def test_it_answers_a_reps_forbidden_lead_with_the_products_404(client):
    lead = support_lead(1)
    client.force_login(make_rep(queues=("sales",)))
    response = client.get(f"/leads/{lead.pk}/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "<h1>Not found</h1>" in text and "Back to the queue" in text
    assert "URLconf" not in text and "leadrouter.css" in text
    assert response["Content-Security-Policy"]
    assert client.get("/no/such/page/").status_code == 404


def test_it_answers_a_user_without_a_sales_role_with_the_products_403(client):
    client.force_login(make_user("someone"))
    response = client.get("/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "<h1>Not allowed</h1>" in text and "no sales role" in text


def test_it_answers_an_expired_form_with_the_products_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_it_has_a_500_page_that_needs_no_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_it_serves_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\0\0\1\0"
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/login/").content.decode()


@pytest.mark.parametrize(
    "path", ["/login/", "/contact/", "/password_reset/", "/healthz", "/favicon.ico"]
)
def test_it_answers_head_like_get(client, path):
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == head.status_code == 200, path
    for header in ("Content-Type", "Content-Security-Policy", "Cache-Control"):
        assert head.get(header) == get.get(header), header
    body = b"".join(head.streaming_content) if head.streaming else head.content
    assert body == b""


def test_it_keeps_the_thanks_for_the_get_when_a_head_comes_first(client):
    session = client.session
    session["intake_contact_thanks"] = {"name": "Dana", "message": "Hello"}
    session.save()
    assert client.head("/contact/?sent=1").status_code == 200
    assert "Dana" in client.get("/contact/?sent=1").content.decode()
