"""The contact page and the company page: every lead, message and note of one contact (or
of one company domain) that the workspace's access rule lets this user see."""

import pytest

from routing.models import Activity
from tests.workspace.people import make_manager, make_rep, sales_lead, support_lead

pytestmark = pytest.mark.django_db


def test_it_lists_a_contacts_leads_messages_and_notes(client):
    first = sales_lead(1, sender="Dana Scully <dana@acme-widgets.com>")
    second = sales_lead(
        2, sender="Dana Scully <dana@acme-widgets.com>", subject="Pricing for 40 seats"
    )
    rep = make_rep()
    Activity.objects.create(lead=second, user=rep, kind="note", text="Wants annual billing")
    client.force_login(rep)
    page = client.get(f"/contacts/{first.contact_id}/")
    assert page.status_code == 200
    assert {lead.pk for lead in page.context["leads"]} == {first.pk, second.pk}
    text = page.content.decode()
    assert "Pricing for 40 seats" in text and "Wants annual billing" in text
    assert "everyone at acme-widgets.com" in text
    # Reachable from the queue row and the lead page.
    assert f'href="/contacts/{first.contact_id}/"' in client.get("/").content.decode()
    assert (
        f'href="/contacts/{first.contact_id}/"'
        in client.get(f"/leads/{first.pk}/").content.decode()
    )


def test_it_shows_a_rep_only_the_leads_of_their_queues(client):
    sales = sales_lead(1, sender="Pat User <pat@customer.example>")
    support = support_lead(1)  # the same contact, in the support queue
    assert sales.contact_id == support.contact_id
    client.force_login(make_rep(queues=("sales",)))
    page = client.get(f"/contacts/{sales.contact_id}/")
    assert [lead.pk for lead in page.context["leads"]] == [sales.pk]
    assert "Login problem" not in page.content.decode()
    client.force_login(make_rep("cy", queues=("partnerships",)))
    assert client.get(f"/contacts/{sales.contact_id}/").status_code == 404
    assert client.get("/companies/customer.example/").status_code == 404
    client.force_login(make_manager())
    page = client.get(f"/contacts/{sales.contact_id}/")
    assert {lead.pk for lead in page.context["leads"]} == {sales.pk, support.pk}


def test_it_lists_a_companys_contacts_and_refuses_free_mail(client):
    dana = sales_lead(1, sender="Dana Scully <dana@acme-widgets.com>")
    fox = sales_lead(2, sender="Fox Mulder <fox@acme-widgets.com>", subject="Seats for us")
    client.force_login(make_rep())
    page = client.get("/companies/acme-widgets.com/")
    assert page.status_code == 200
    assert {lead.pk for lead in page.context["leads"]} == {dana.pk, fox.pk}
    assert "Fox Mulder" in page.content.decode()
    assert client.get("/companies/gmail.com/").status_code == 404
