"""The queue page: who sees what, filters, search, paging, saved views, live updates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import Lead
from routing.models import Queue, SavedView, Triage
from tests.helpers import make_user
from tests.workspace.people import make_manager, make_rep, sales_lead, support_lead

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[int]:
    return [lead.pk for lead in response.context["rows"]]


def test_it_sends_a_visitor_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_it_refuses_a_signed_in_user_without_a_sales_role(client):
    client.force_login(make_user("someone"))
    assert client.get("/").status_code == 403


def test_it_logs_a_rep_in_and_shows_the_queue(client):
    make_rep("dana", password="a-long-password-1")
    response = client.post("/login/", {"username": "dana", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert b"<h1>Queue</h1>" in page.content


def test_it_shows_a_rep_only_the_queues_they_are_a_member_of(client):
    mine = sales_lead(1)
    theirs = support_lead(1)
    client.force_login(make_rep(queues=("sales",)))
    response = client.get("/")
    assert rows_of(response) == [mine.pk]
    assert [c["queue"].slug for c in response.context["queue_counts"]] == ["sales"]
    assert str(theirs.subject) not in response.content.decode()


def test_it_shows_a_manager_every_queue(client):
    mine, theirs = sales_lead(1), support_lead(1)
    client.force_login(make_manager())
    assert set(rows_of(client.get("/"))) == {mine.pk, theirs.pk}


def test_it_hides_closed_and_spam_leads_by_default_and_shows_them_on_request(client):
    open_lead, won = sales_lead(1), sales_lead(2)
    Lead.objects.filter(pk=won.pk).update(status=Lead.Status.WON)
    client.force_login(make_rep())
    assert rows_of(client.get("/")) == [open_lead.pk]
    assert rows_of(client.get("/?status=won")) == [won.pk]
    assert set(rows_of(client.get("/?status=all"))) == {open_lead.pk, won.pk}


def test_it_orders_by_priority_then_sla_due(client):
    late, urgent, soon = sales_lead(1), sales_lead(2), sales_lead(3)
    now = timezone.now()
    Triage.objects.filter(lead=late).update(priority=3, sla_due=now + timedelta(hours=5))
    Triage.objects.filter(lead=urgent).update(priority=1, sla_due=now + timedelta(hours=9))
    Triage.objects.filter(lead=soon).update(priority=3, sla_due=now + timedelta(hours=1))
    client.force_login(make_rep())
    assert rows_of(client.get("/")) == [urgent.pk, soon.pk, late.pk]


def test_it_filters_by_owner_score_category_channel_and_model(client):
    claimed, other = sales_lead(1), sales_lead(2)
    rep = make_rep()  # after the leads: the sales queue's least-loaded rotation skips them
    Triage.objects.filter(lead=claimed).update(assignee=rep, score=80, category="pricing_request")
    Triage.objects.filter(lead=other).update(score=20, model="claude-haiku-5-5")
    client.force_login(rep)
    assert rows_of(client.get("/?owner=mine")) == [claimed.pk]
    assert rows_of(client.get("/?owner=unassigned")) == [other.pk]
    assert rows_of(client.get("/?score_min=50")) == [claimed.pk]
    assert rows_of(client.get("/?score_max=50")) == [other.pk]
    assert rows_of(client.get("/?category=pricing_request")) == [claimed.pk]
    assert rows_of(client.get("/?model=haiku")) == [other.pk]
    assert rows_of(client.get("/?model=local")) == [claimed.pk]
    assert rows_of(client.get("/?channel=form")) == []
    assert rows_of(client.get("/?queue=sales&owner=mine")) == [claimed.pk]
    # Another queue's name is not a way in: the filter is refused, the others still apply.
    other_queue = client.get("/?queue=support&owner=mine")
    assert rows_of(other_queue) == [claimed.pk]
    assert b"not understood" in other_queue.content


def test_it_filters_by_received_date(client):
    old, new = sales_lead(1), sales_lead(2)
    Lead.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=10))
    client.force_login(make_rep())
    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    assert rows_of(client.get(f"/?received_from={since}")) == [new.pk]
    assert rows_of(client.get(f"/?received_to={since}")) == [old.pk]


def test_it_ignores_a_filter_it_cannot_read_and_says_so(client):
    sales_lead(1)
    client.force_login(make_rep())
    won = sales_lead(2)
    Lead.objects.filter(pk=won.pk).update(status=Lead.Status.WON)
    response = client.get(f"/?score_min=lots&status=nonsense&q={won.contact.email}")
    assert response.status_code == 200
    assert b"not understood" in response.content
    assert len(rows_of(response)) == 1  # the readable filters still apply (open, the search)


def test_it_searches_contact_company_subject_and_body_by_word_prefix(client):
    acme = sales_lead(1, sender="Dana Buyer <dana@acme-widgets.com>")
    globex = sales_lead(
        2,
        sender="Hank Scorpio <hank@globex.example>",
        subject="Seats for the volcano office",
        body="We need forty seats for the Cypress Creek team, quarterly billing.",
    )
    client.force_login(make_rep())
    assert rows_of(client.get("/?q=acme")) == [acme.pk]  # the domain
    assert rows_of(client.get("/?q=scorp")) == [globex.pk]  # the name, as a prefix
    assert rows_of(client.get("/?q=volcano")) == [globex.pk]  # the subject
    assert rows_of(client.get("/?q=cypress+billing")) == [globex.pk]  # the body, all words
    assert rows_of(client.get("/?q=cypress+acme")) == []
    # Search syntax in the box is just words.
    assert client.get("/?q=%27%29+%7C+%21%26").status_code == 200


def test_it_pages_with_a_keyset_cursor_without_losing_or_repeating_a_lead(client, settings):
    leads = [sales_lead(n) for n in range(7)]
    Triage.objects.filter(lead__in=leads[:3]).update(sla_due=None)
    client.force_login(make_rep())
    from workspace import views

    seen, url = [], "/"
    views_page_size, views.PAGE_SIZE = views.PAGE_SIZE, 2
    try:
        while url:
            response = client.get(url)
            seen += rows_of(response)
            url = response.context["next_url"]
    finally:
        views.PAGE_SIZE = views_page_size
    assert sorted(seen) == sorted(lead.pk for lead in leads)
    assert len(seen) == len(set(seen))


def test_it_lists_with_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    rep = make_rep()
    for n in range(12):
        sales_lead(n)
    client.force_login(rep)
    client.get("/")  # warm the per-queue counts cache
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert len(response.context["rows"]) == 12
    for n in range(12, 30):
        sales_lead(n)
    client.get("/")  # the new leads changed the counts: the first view after them recounts
    with django_assert_max_num_queries(10):
        assert len(client.get("/?status=all").context["rows"]) == 30


def test_it_saves_and_deletes_a_view_per_user(client):
    rep = make_rep()
    client.force_login(rep)
    response = client.post("/views/", {"name": "Hot", "query": "score_min=70&owner=mine"})
    assert response.status_code == 302
    view = SavedView.objects.get(user=rep)
    assert (view.name, view.query) == ("Hot", "score_min=70&owner=mine")
    assert b'href="?score_min=70&amp;owner=mine"' in client.get("/").content
    client.force_login(make_rep("other"))
    assert b"Hot" not in client.get("/").content
    assert client.post(f"/views/{view.pk}/delete/").status_code == 404
    client.force_login(rep)
    client.post(f"/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()


def test_it_sends_new_and_changed_leads_to_an_open_page(client):
    rep = make_rep()
    shown = sales_lead(1)
    client.force_login(rep)
    since = timezone.now().isoformat()
    arrived = sales_lead(2)
    Triage.objects.filter(lead=shown).update(assignee=rep)
    Lead.objects.filter(pk=shown.pk).update(updated_at=timezone.now())
    support_lead(1)  # another queue: never sent to this rep
    response = client.get("/queue/updates/", {"since": since, "shown": str(shown.pk)})
    assert [lead.pk for lead in response.context["updated"]] == [shown.pk]
    assert [lead.pk for lead in response.context["arrived"]] == [arrived.pk]
    html = response.content.decode()
    assert f'id="lead-{shown.pk}"' in html and 'hx-swap-oob="true"' in html
    assert 'hx-swap-oob="afterbegin:#arrivals"' in html
    # The next poll overlaps a little (a late commit is not missed): what it re-sends is
    # replaced in place, never added again.
    both = f"{shown.pk},{arrived.pk}"
    again = client.get("/queue/updates/", {"since": response.context["since"], "shown": both})
    assert again.context["arrived"] == []
    # Once the overlap has passed with nothing new, a poll sends nothing.
    later = (timezone.now() + timedelta(seconds=10)).isoformat()
    quiet = client.get("/queue/updates/", {"since": later, "shown": both})
    assert quiet.context["updated"] == [] and quiet.context["arrived"] == []


def test_it_counts_open_leads_per_queue(client):
    sales_lead(1), sales_lead(2)
    won = sales_lead(3)
    Lead.objects.filter(pk=won.pk).update(status=Lead.Status.WON)
    client.force_login(make_rep(queues=("sales", "support")))
    counts = {c["queue"].slug: c["open"] for c in client.get("/").context["queue_counts"]}
    assert counts == {"sales": 2, "support": 0}
    assert Queue.objects.count() > 2  # the other queues are not this rep's


def test_it_keeps_the_triages_copy_of_the_status_whoever_writes_it():
    lead = sales_lead(1)
    triage = Triage.objects.get(lead=lead)
    assert triage.lead_status == lead.status == "new"
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.WON)  # a bulk UPDATE
    assert Triage.objects.get(lead=lead).lead_status == "won"
    lead.status = Lead.Status.LOST
    lead.save()  # the admin's way
    assert Triage.objects.get(lead=lead).lead_status == "lost"
    triage.score = 90
    triage.save()  # an old in-memory triage does not write its stale copy back
    assert Triage.objects.get(lead=lead).lead_status == "lost"


def test_it_sends_an_old_lead_touched_off_the_page_as_a_change_not_an_arrival(client):
    rep = make_rep()
    old = sales_lead(1)
    Triage.objects.filter(lead=old).update(decided_at=timezone.now() - timedelta(days=3))
    client.force_login(rep)
    since = timezone.now().isoformat()
    Lead.objects.filter(pk=old.pk).update(updated_at=timezone.now())  # a colleague's note
    response = client.get("/queue/updates/", {"since": since, "shown": ""})
    assert response.context["arrived"] == []
