"""Who may use the REST API: tokens only, and a token reads what its user may see in the
workspace (workspace/access.py); the integration group reads every lead and creates them."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.authtoken.models import Token

from intake.models import Lead
from tests.helpers import make_user
from tests.workspace.people import make_manager, make_rep, sales_lead, support_lead

pytestmark = pytest.mark.django_db

URL = "/api/leads/"
NEW_LEAD = {"email": "dana@acme-widgets.com", "message": "Demo next week?"}


def token_client(user) -> Client:
    return Client(headers={"authorization": f"Token {Token.objects.create(user=user).key}"})


def make_integration(username: str = "crm-sync"):
    user = make_user(username)
    user.groups.add(Group.objects.get_or_create(name="integration")[0])
    return user


def listed(client: Client) -> set[int]:
    response = client.get(URL)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_it_shows_a_rep_only_the_leads_of_their_queues():
    mine, theirs = sales_lead(), support_lead()
    rep = token_client(make_rep(queues=("sales",)))

    assert listed(rep) == {mine.pk}
    assert rep.get(f"{URL}{mine.pk}/").status_code == 200
    hidden = rep.get(f"{URL}{theirs.pk}/")
    assert hidden.status_code == 404
    assert "password reset" not in hidden.content.decode()


def test_it_shows_a_manager_and_an_integration_every_lead():
    leads = {sales_lead().pk, support_lead().pk}

    assert listed(token_client(make_manager())) == leads
    assert listed(token_client(make_user("root", staff=True))) == leads
    assert listed(token_client(make_integration())) == leads


def test_it_refuses_a_user_with_no_role():
    lead = sales_lead()
    nobody = token_client(make_user("nobody"))

    assert nobody.get(URL).status_code == 403
    assert nobody.get(f"{URL}{lead.pk}/").status_code == 403
    assert nobody.post(URL, NEW_LEAD, content_type="application/json").status_code == 403
    assert Lead.objects.count() == 1


def test_it_lets_only_the_integration_group_create_leads():
    refused = [
        token_client(make_rep()).post(URL, NEW_LEAD, content_type="application/json"),
        token_client(make_manager()).post(URL, NEW_LEAD, content_type="application/json"),
        token_client(make_user("root", staff=True)).post(
            URL, NEW_LEAD, content_type="application/json"
        ),
    ]
    created = token_client(make_integration()).post(URL, NEW_LEAD, content_type="application/json")

    assert [response.status_code for response in refused] == [403, 403, 403]
    assert created.status_code == 201
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("who", ["rep", "manager", "staff", "nobody"])
def test_it_takes_no_session_as_an_api_credential(who):
    lead = sales_lead()
    user = {
        "rep": lambda: make_rep(),
        "manager": lambda: make_manager(),
        "staff": lambda: make_user("root", staff=True),
        "nobody": lambda: make_user("nobody"),
    }[who]()
    browser = Client()
    browser.force_login(user)

    answers = [
        browser.get(URL),
        browser.get(f"{URL}{lead.pk}/"),
        browser.post(URL, NEW_LEAD, content_type="application/json"),
    ]

    assert [response.status_code for response in answers] == [401, 401, 401]
    assert all(response["WWW-Authenticate"] == "Token" for response in answers)
    assert Lead.objects.count() == 1


def test_it_refuses_the_token_of_a_deactivated_user():
    user = make_integration()
    client = token_client(user)
    user.is_active = False
    user.save()

    assert client.get(URL).status_code == 401


def test_it_opens_no_workspace_page_to_the_integration_role():
    lead = sales_lead()
    browser = Client()
    browser.force_login(make_integration())

    assert browser.get("/").status_code == 403
    assert browser.get(f"/leads/{lead.pk}/").status_code == 403
