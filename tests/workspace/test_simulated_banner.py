"""Pages that show a model name or a cost say "simulated" when the tiers answer from the
simulated Messages API (LEADROUTER_SIMULATED_API), and only then."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from routing import services
from tests.helpers import make_lead
from tests.simulated import simulated_api  # noqa: F401 (a fixture)
from tests.workspace.people import make_rep

BANNER = "Simulated model API."
MARK = '<span class="simulated-mark">(simulated)</span>'


def demo_request():
    lead = make_lead(
        subject="Demo request for our operations team",
        message_id="<sim-1@northwind.example>",
        body="We are about 900 employees and would like a demo for 120 seats.",
    )
    services.triage_lead(lead.pk)
    return lead


def superuser():
    return User.objects.create_superuser("root", "root@leadrouter.test", "pw-for-tests-1")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("simulated_api")
def test_it_says_simulated_on_the_queue_lead_and_admin_pages():
    lead = demo_request()
    assert lead.triage.model == "claude-haiku-5-5"
    rep = signed_in(make_rep("dana"))
    admin = signed_in(superuser())

    queue = rep.get("/").content.decode()
    assert BANNER in queue and MARK in queue
    page = rep.get(f"/leads/{lead.pk}/").content.decode()
    assert BANNER in page
    assert page.count(MARK) >= 3  # the model, the cost, the model calls
    assert "claude-haiku-5-5, simulated" in page  # the re-run choices
    dashboard = admin.get("/admin/routing/dashboard/")
    assert dashboard.status_code == 200
    assert BANNER in dashboard.content.decode() and MARK in dashboard.content.decode()
    assert BANNER in admin.get("/admin/").content.decode()


@pytest.mark.django_db
def test_it_says_nothing_of_the_kind_without_the_setting(settings):
    settings.LEADROUTER_SIMULATED_API = False
    lead = demo_request()  # no key: the local classifier decides
    rep = signed_in(make_rep("dana"))
    admin = signed_in(superuser())
    for page in (
        rep.get("/"),
        rep.get(f"/leads/{lead.pk}/"),
        admin.get("/admin/"),
        admin.get("/admin/routing/dashboard/"),
    ):
        assert page.status_code == 200
        assert BANNER not in page.content.decode()
        assert "(simulated)" not in page.content.decode()


@pytest.mark.django_db
def test_it_marks_no_local_decision_as_simulated(settings):
    settings.LEADROUTER_SIMULATED_API = True
    lead = demo_request()  # no key: the local classifier decides
    page = signed_in(make_rep("dana")).get(f"/leads/{lead.pk}/").content.decode()
    assert BANNER in page
    assert "local" + MARK not in page.replace(" <span", "<span")
