"""Follow-ups: a rep snoozes a lead until a day with a note; it leaves the default queue
view until then, comes back on the day, and is in their "Follow-ups due"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from routing.models import Activity, FollowUp
from tests.workspace.people import make_rep, sales_lead

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[int]:
    return [lead.pk for lead in response.context["rows"]]


def test_it_snoozes_a_lead_until_its_day_and_brings_it_back(client):
    snoozed, other = sales_lead(1), sales_lead(2)
    rep = make_rep()
    client.force_login(rep)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/leads/{snoozed.pk}/follow-up/", {"due_on": tomorrow.isoformat(), "note": "Call back"}
    )
    assert response.status_code == 302
    assert rows_of(client.get("/")) == [other.pk]
    assert rows_of(client.get("/?follow_up=snoozed")) == [snoozed.pk]
    assert rows_of(client.get("/?follow_up=due")) == []
    activity = Activity.objects.get(lead=snoozed, kind=Activity.Kind.FOLLOW_UP)
    assert "Call back" in activity.text

    # The clock moves on to the day (the stored day moves back, as the test cannot wait).
    FollowUp.objects.filter(lead=snoozed).update(due_on=timezone.localdate())
    assert set(rows_of(client.get("/"))) == {snoozed.pk, other.pk}
    due = client.get("/?follow_up=due")
    assert rows_of(due) == [snoozed.pk]
    assert due.context["follow_ups_due"] == 1
    assert "Follow-up due" in due.content.decode()

    client.post(f"/leads/{snoozed.pk}/follow-up/done/")
    assert rows_of(client.get("/?follow_up=due")) == []
    assert not FollowUp.objects.filter(lead=snoozed, done_at=None).exists()


def test_it_refuses_a_day_in_the_past_and_keeps_one_pending_follow_up(client):
    lead = sales_lead(1)
    client.force_login(make_rep())
    yesterday = timezone.localdate() - timedelta(days=1)
    page = client.post(
        f"/leads/{lead.pk}/follow-up/", {"due_on": yesterday.isoformat()}, follow=True
    )
    assert "today or a later day" in page.content.decode()
    assert not FollowUp.objects.exists()
    for days in (2, 5):
        day = timezone.localdate() + timedelta(days=days)
        client.post(f"/leads/{lead.pk}/follow-up/", {"due_on": day.isoformat()})
    assert FollowUp.objects.filter(lead=lead).count() == 2
    [pending] = FollowUp.objects.filter(lead=lead, done_at=None)
    assert pending.due_on == timezone.localdate() + timedelta(days=5)


def test_it_counts_only_my_due_follow_ups(client):
    lead = sales_lead(1)
    rep, colleague = make_rep("ana"), make_rep("ben")
    FollowUp.objects.create(lead=lead, user=colleague, due_on=timezone.localdate())
    client.force_login(rep)
    assert client.get("/").context["follow_ups_due"] == 0
    assert rows_of(client.get("/?follow_up=due")) == []
