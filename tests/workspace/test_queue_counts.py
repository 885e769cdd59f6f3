"""The tabs' counts follow the rows: a new lead or a status change shows at once, on the next
view and in the poll's answer, though the counts are cached between changes."""

import pytest

from intake.models import Lead
from tests.workspace.people import make_rep, sales_lead

pytestmark = pytest.mark.django_db


def sales_count(response) -> int:
    return next(c["open"] for c in response.context["queue_counts"] if c["queue"].slug == "sales")


def test_it_recounts_as_soon_as_a_lead_arrives_or_closes(client):
    first = sales_lead(1)
    client.force_login(make_rep())
    page = client.get("/")
    assert sales_count(page) == 1
    since = page.context["since"]
    sales_lead(2)
    assert sales_count(client.get("/")) == 2
    poll = client.get("/queue/updates/", {"since": since})
    assert sales_count(poll) == 2
    assert 'id="queue-counts" aria-label="Open leads per queue" hx-swap-oob="true"' in (
        poll.content.decode()
    )
    client.post(f"/leads/{first.pk}/status/", {"status": "disqualified"})
    assert Lead.objects.get(pk=first.pk).status == "disqualified"
    assert sales_count(client.get("/")) == 1


def test_it_sends_no_counts_when_nothing_changed(client):
    sales_lead(1)
    client.force_login(make_rep())
    client.get("/")
    quiet = client.get("/queue/updates/", {"since": "2999-01-01T00:00:00+00:00"})
    assert quiet.context["queue_counts"] is None
