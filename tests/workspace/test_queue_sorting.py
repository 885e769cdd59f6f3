"""The queue's sortable columns: by score or SLA due, keyset-paged like the default order,
offered over open leads only (where their indexes are); the result count and chips."""

from datetime import timedelta

import pytest
from django.utils import timezone

from routing.models import Triage
from tests.workspace.people import make_rep, sales_lead
from workspace import views

pytestmark = pytest.mark.django_db


def walk(client, url: str) -> list[int]:
    """Every lead, page after page, following the page's own Next link."""
    seen = []
    while url:
        response = client.get(url)
        seen += [lead.pk for lead in response.context["rows"]]
        url = response.context["next_url"] and "/" + response.context["next_url"]
    return seen


def test_it_sorts_by_score_and_sla_across_keyset_pages(client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    leads = [sales_lead(n) for n in range(5)]
    now = timezone.now()
    for n, lead in enumerate(leads):
        Triage.objects.filter(lead=lead).update(
            score=[40, 90, 40, 10, 70][n], sla_due=now + timedelta(hours=[5, 1, 3, 4, 2][n])
        )
    Triage.objects.filter(lead=leads[3]).update(sla_due=None)  # no SLA: last
    client.force_login(make_rep())
    by_score = walk(client, "/?sort=score")
    assert by_score == [leads[i].pk for i in (1, 4, 2, 0, 3)]  # ties: the newer lead first
    by_sla = walk(client, "/?sort=sla")
    assert by_sla == [leads[i].pk for i in (1, 4, 2, 0, 3)]
    page = client.get("/?sort=score")
    assert page.context["result_count"] == "5 leads"
    assert page.context["sort_links"]["score"]["active"]
    # Closed statuses have no index for these orders: the headers do not sort there.
    closed = client.get("/?status=won&sort=score")
    assert closed.context["sort_links"] == {}


def test_it_shows_each_filter_as_a_chip_that_removes_it(client):
    sales_lead(1)
    client.force_login(make_rep())
    page = client.get("/?owner=unassigned&score_min=50&q=demo")
    chips = {chip["label"]: chip["url"] for chip in page.context["chips"]}
    assert chips["Owner: Unassigned"] == "?score_min=50&q=demo"
    assert chips["Search: “demo”"] == "?owner=unassigned&score_min=50"
    assert "Score from: 50" in chips
