"""The open queue page's cheap question, every second: did anything it may show change?"""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake import leads
from intake.models import Lead
from routing.models import Triage
from tests.helpers import make_user
from tests.workspace.people import make_manager, make_rep, sales_lead, support_lead
from workspace import live

pytestmark = pytest.mark.django_db


def ask(client, stamp: str) -> tuple[str, bool]:
    response = client.get("/queue/changes/", {"stamp": stamp})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    answer = response.json()
    assert set(answer) == {"stamp", "changed"}  # nothing about any lead
    return answer["stamp"], answer["changed"]


def test_it_moves_when_a_lead_arrives_in_a_queue_the_rep_works(client):
    client.force_login(make_rep())
    stamp, changed = ask(client, "")
    assert changed  # no stamp: the page has nothing, it fetches
    stamp, changed = ask(client, stamp)
    assert not changed
    arrived = sales_lead(1)
    stamp, changed = ask(client, stamp)
    assert changed
    # Asked again with the stamp it was given, the same arrival is not news twice.
    stamp, changed = ask(client, stamp)
    assert not changed
    leads.touch(arrived.pk)  # a colleague's note, a claim, a status move
    stamp, changed = ask(client, stamp)
    assert changed
    assert not ask(client, stamp)[1]


def test_it_stays_still_for_another_queues_leads(client):
    client.force_login(make_rep(queues=("sales",)))
    stamp, _ = ask(client, "")
    other = support_lead(1)
    assert Triage.objects.get(lead=other).queue.slug == "support"
    stamp, changed = ask(client, stamp)
    assert not changed
    leads.touch(other.pk)
    Lead.objects.filter(pk=other.pk).update(status=Lead.Status.WORKING)
    stamp, changed = ask(client, stamp)
    assert not changed
    # A manager sees every queue, so the same change is news to them.
    client.force_login(make_manager())
    stamp, _ = ask(client, "")
    leads.touch(other.pk)
    assert ask(client, stamp)[1]


def test_it_tells_a_rep_nothing_of_another_queues_changes():
    rep = make_rep(queues=("sales",))
    sales_lead(1)
    # Ahead of every change so far: the bound is the stamp's own, not the clock's.
    ahead = timezone.now() + timedelta(seconds=30)
    stamp = live.encode(ahead, 0)
    quiet = live.check(rep, stamp)
    other = support_lead(1)
    leads.touch(other.pk)
    Triage.objects.filter(lead=other).update(decided_at=ahead - timedelta(seconds=1))
    assert live.check(rep, stamp) == quiet  # byte for byte: nothing leaks into the stamp
    mine = sales_lead(2)
    Triage.objects.filter(lead=mine).update(decided_at=ahead - timedelta(seconds=1))
    assert live.check(rep, stamp) != quiet


def test_it_catches_a_change_that_commits_after_a_later_stamp_was_given(client):
    """Timestamps are taken before their transaction commits: a decision stamped just before
    the page's bound may become visible only after the page asked."""
    client.force_login(make_rep())
    lead = sales_lead(1)
    Lead.objects.filter(pk=lead.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    Triage.objects.filter(lead=lead).update(decided_at=timezone.now() - timedelta(minutes=5))
    stamp, _ = ask(client, "")
    stamp, changed = ask(client, stamp)
    assert not changed
    bound, _ = live.decode(stamp)
    # Committed now, stamped a second before the bound the page holds.
    Lead.objects.filter(pk=lead.pk).update(updated_at=bound - timedelta(seconds=1))
    stamp, changed = ask(client, stamp)
    assert changed
    assert not ask(client, stamp)[1]


def test_it_answers_changed_to_a_stamp_that_is_not_ours_or_too_old(client):
    client.force_login(make_rep())
    for stamp in ("nonsense", "12.x", "²³.1", "9" * 40 + ".1", "-5.0", ".", "1.2.3"):
        assert ask(client, stamp)[1], stamp
    stale = live.encode(timezone.now() - live.MAX_AGE - timedelta(seconds=1), 0)
    assert ask(client, stale)[1]


def test_it_is_for_signed_in_sales_staff_only(client):
    response = client.get("/queue/changes/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(make_user("someone"))
    assert client.get("/queue/changes/").status_code == 403


def test_it_costs_one_query_beyond_who_the_user_is(client, django_assert_num_queries):
    rep = make_rep()
    sales_lead(1)
    client.force_login(rep)
    stamp, _ = ask(client, "")
    # The session, the user, their roles, their queues, and the stamp itself.
    with django_assert_num_queries(5):
        ask(client, stamp)


def test_it_gives_the_page_a_stamp_and_a_poll_that_fetches_on_a_change(client):
    client.force_login(make_rep())
    html = client.get("/").content.decode()
    assert 'id="changes"' in html and 'data-url="/queue/changes/"' in html
    assert 'data-seconds="1"' in html
    assert "every 10s, queue-changed" in html  # the rows' own poll stays, and fetches on a change
    stamp = html.split('data-stamp="')[1].split('"')[0]
    assert live.decode(stamp) is not None
    assert not ask(client, stamp)[1]


def test_it_leaves_the_question_out_when_turned_off(client, settings):
    settings.WORKSPACE_LIVE_SECONDS = 0
    client.force_login(make_rep())
    assert 'id="changes"' not in client.get("/").content.decode()


def test_it_answers_a_rep_who_works_no_queue(client):
    client.force_login(make_rep(queues=()))
    stamp, _ = ask(client, "")
    sales_lead(1)
    assert not ask(client, stamp)[1]
