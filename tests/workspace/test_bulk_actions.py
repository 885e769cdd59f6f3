"""Bulk changes from the queue: menus that offer only what works, one rule for who may take
a lead (the row's Claim and bulk assign agree), and outcomes told truthfully."""

import pytest

from intake.models import Lead
from routing.models import Queue, Triage
from tests.workspace.people import make_manager, make_rep, sales_lead

pytestmark = pytest.mark.django_db


def told(response) -> list[tuple[str, str]]:
    """What the queue page the bulk change redirected to says."""
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_it_offers_only_statuses_a_lead_can_move_to_and_chooses_none(client):
    sales_lead(1)
    client.force_login(make_rep())
    page = client.get("/")
    offered = {s["value"] for s in page.context["bulk_statuses"]}
    assert "awaiting_triage" not in offered and "filtered" not in offered
    html = page.content.decode()
    assert '<option value="" selected>Choose a status</option>' in html
    working = next(s for s in page.context["bulk_statuses"] if s["value"] == "working")
    assert set(working["from"].split()) == {
        k for k, nexts in Lead.NEXT_STATUSES.items() if "working" in nexts
    }


def test_it_says_so_when_nothing_was_selected_or_nothing_changed(client):
    won = sales_lead(1, sender="Dana Scully <dana@acme-widgets.com>")
    Lead.objects.filter(pk=won.pk).update(status=Lead.Status.WON)
    client.force_login(make_rep())
    response = client.post(
        "/queue/bulk/", follow=True, data={"action": "status", "status_value": "working"}
    )
    assert told(response) == [("error", "Select at least one lead first.")]
    response = client.post("/queue/bulk/", follow=True, data={"action": "status", "lead": won.pk})
    assert told(response) == [("error", "Choose the status to set.")]
    response = client.post(
        "/queue/bulk/",
        follow=True,
        data={"action": "status", "status_value": "contacted", "lead": won.pk},
    )
    messages = told(response)
    assert messages[0] == ("error", "No lead was updated.")
    assert messages[1][0] == "warning"
    assert messages[1][1].startswith("Dana Scully (“Demo request")
    assert f"#{won.pk}" not in messages[1][1]


def test_it_lets_bulk_assign_give_a_lead_to_whoever_may_claim_it(client):
    lead = sales_lead(1)
    enterprise = Queue.objects.get(slug="enterprise")
    Triage.objects.filter(lead=lead).update(queue=enterprise, assignee=None)
    boss = make_manager()
    outsider = make_rep("cy", queues=("support",))
    client.force_login(boss)
    takers = {t["user"].username: t["queues"] for t in client.get("/").context["takers"]}
    support = Queue.objects.get(slug="support")
    assert takers["boss"] == "all" and takers["cy"] == str(support.pk)
    response = client.post(
        "/queue/bulk/",
        follow=True,
        data={"action": "assign", "assign_value": boss.pk, "lead": lead.pk},
    )
    assert told(response) == [("success", "1 lead updated.")]
    assert Triage.objects.get(lead=lead).assignee == boss
    response = client.post(
        "/queue/bulk/",
        follow=True,
        data={"action": "assign", "assign_value": outsider.pk, "lead": lead.pk},
    )
    assert "may not take this lead" in told(response)[1][1]
    # The lead page's menu has the same people and says why nobody else is there.
    page = client.get(f"/leads/{lead.pk}/")
    assert [u.username for u in page.context["assignees"]] == ["boss"]
    assert "Nobody is a member of the Enterprise queue yet" in page.content.decode()
