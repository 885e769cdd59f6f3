"""Who is told, how and when: the owner by email on assignment, a queue's members and its
Slack/Teams channels of a hot lead, preferences and quiet hours, the digest, and nothing
sent twice for one event."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group

from handoff import dispatch, notify, sla
from handoff.models import Notification, Preference, QueueChannel
from intake import events
from intake.models import Event
from routing.models import Queue, QueueMembership, Triage
from tests.helpers import make_lead, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales():
    return Queue.objects.get(slug="sales")


def decided_lead(queue, *, score=80, assignee=None, message_id="<m1@acme-widgets.com>"):
    lead = make_lead(message_id=message_id)
    Triage.objects.update_or_create(
        lead=lead,
        defaults={
            "queue": queue,
            "score": score,
            "category": "demo_request",
            "summary": "Wants a demo for 40 seats next week",
            "assignee": assignee,
            "decided_at": datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
            "sla_due": datetime(2026, 12, 2, 13, 0, tzinfo=UTC),
        },
    )
    return lead


def dispatch_now(kind, lead, on_commit, **data):
    with on_commit():
        event = events.record_event(kind=kind, lead_id=lead.pk, data=data)
    return event


def test_it_mails_the_owner_who_what_why_and_the_link(sales, on_commit, mailoutbox):
    ada = make_user("ada")
    lead = decided_lead(sales, assignee=ada)

    dispatch_now(events.Kind.LEAD_ASSIGNED, lead, on_commit, assignee_id=ada.pk)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ada@leadrouter.test"]
    assert mail.subject == f"Lead #{lead.pk} assigned to you"
    assert "Dana Buyer" in mail.body and "dana@acme-widgets.com" in mail.body
    assert "Why: Wants a demo for 40 seats next week" in mail.body
    assert f"/leads/{lead.pk}/" in mail.body


def test_it_never_puts_the_message_s_words_in_the_subject(sales, on_commit, mailoutbox):
    ada = make_user("ada")
    lead = make_lead(subject="URGENT\u2028Bcc: everyone@example.com")
    Triage.objects.create(lead=lead, queue=sales, assignee=ada, score=10)

    dispatch_now(events.Kind.LEAD_ASSIGNED, lead, on_commit, assignee_id=ada.pk)

    assert mailoutbox[0].subject == f"Lead #{lead.pk} assigned to you"


def test_it_tells_nobody_of_their_own_claim(sales, on_commit, mailoutbox):
    ada = make_user("ada")
    lead = decided_lead(sales, assignee=ada)

    dispatch_now(events.Kind.LEAD_ASSIGNED, lead, on_commit, assignee_id=ada.pk, by_user_id=ada.pk)

    assert mailoutbox == []


def test_it_tells_the_queue_and_its_slack_and_teams_channels_of_a_hot_lead(
    sales, receiver, on_commit, mailoutbox
):
    ada, bo, away = make_user("ada"), make_user("bo"), make_user("cy")
    QueueMembership.objects.create(queue=sales, user=ada)
    QueueMembership.objects.create(queue=sales, user=bo)
    QueueMembership.objects.create(queue=sales, user=away, is_active=False)
    QueueChannel.objects.create(queue=sales, kind="slack", url=receiver.url, min_score=70)
    QueueChannel.objects.create(queue=sales, kind="teams", url=receiver.url + "/teams")
    lead = decided_lead(sales, score=80, assignee=ada)

    dispatch_now(events.Kind.LEAD_TRIAGED, lead, on_commit)

    # The owner hears of it by the assignment; the other active member now.
    assert [m.to for m in mailoutbox] == [["bo@leadrouter.test"]]
    assert mailoutbox[0].subject == f"Hot lead #{lead.pk} in Sales"
    slack, teams = sorted(receiver.received, key=lambda r: r.path)
    slack_body = json.loads(slack.body)
    assert "Wants a demo for 40 seats next week" in slack_body["text"]
    assert "&lt;dana@acme-widgets.com&gt;" in slack_body["text"]  # Slack's control chars
    assert slack_body["blocks"][2]["elements"][0]["url"].endswith(f"/leads/{lead.pk}/")
    card = json.loads(teams.body)["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["actions"][0]["url"].endswith(f"/leads/{lead.pk}/")


def test_it_says_nothing_of_a_lead_under_the_threshold(sales, receiver, on_commit, mailoutbox):
    QueueMembership.objects.create(queue=sales, user=make_user("bo"))
    QueueChannel.objects.create(queue=sales, kind="slack", url=receiver.url, min_score=70)
    lead = decided_lead(sales, score=40)

    dispatch_now(events.Kind.LEAD_TRIAGED, lead, on_commit)

    assert mailoutbox == [] and receiver.received == []


def test_it_retries_a_failed_slack_post_and_sends_it_once(sales, receiver, on_commit):
    QueueChannel.objects.create(queue=sales, kind="slack", url=receiver.url)
    receiver.answers(500)
    lead = decided_lead(sales, score=90)

    event = dispatch_now(events.Kind.LEAD_TRIAGED, lead, on_commit)
    notification = Notification.objects.get(event=event, channel="slack")
    assert notification.status == Notification.Status.PENDING and notification.attempts == 1
    later = notification.next_attempt_at + timedelta(seconds=1)
    assert notify.due(now=later) == [notification.pk]
    assert notify.send(notification.pk, now=later)
    assert not notify.send(notification.pk, now=later)

    # Dispatched again (the sweeper and the task both ran): still one row, nothing resent.
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)
    with on_commit():
        dispatch.dispatch_event(event.pk)
    assert Notification.objects.filter(event=event).count() == 1
    assert len(receiver.received) == 2
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT


def test_it_follows_preferences_for_events_and_channels(sales, receiver, on_commit, mailoutbox):
    ada, bo = make_user("ada"), make_user("bo")
    Preference.objects.create(user=ada, events=["hot"], email=False, slack_webhook_url=receiver.url)
    Preference.objects.create(user=bo, events=["lead.sla_warning"])
    for user in (ada, bo):
        QueueMembership.objects.create(queue=sales, user=user)
    lead = decided_lead(sales, score=90)

    dispatch_now(events.Kind.LEAD_TRIAGED, lead, on_commit)

    assert mailoutbox == []  # ada chose Slack only; bo does not want hot leads
    assert len(receiver.received) == 1
    assert Notification.objects.get().recipient == f"user:{ada.pk}"


def test_it_holds_mail_in_quiet_hours_and_sends_one_summary_after(sales, on_commit, mailoutbox):
    ada = make_user("ada")
    Preference.objects.create(
        user=ada, quiet_start=time(22, 0), quiet_end=time(7, 0), time_zone="Europe/Berlin"
    )
    night = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # 00:30 in Berlin
    for n in range(3):
        lead = decided_lead(sales, assignee=ada, message_id=f"<q{n}@acme-widgets.com>")
        with on_commit():
            event = events.record_event(
                kind=events.Kind.LEAD_ASSIGNED, lead_id=lead.pk, data={"assignee_id": ada.pk}
            )
            dispatch.dispatch_event(event.pk, now=night)

    assert mailoutbox == []
    held = Notification.objects.filter(status=Notification.Status.HELD)
    assert held.count() == 3
    assert {n.hold_until for n in held} == {datetime(2026, 12, 3, 6, 0, tzinfo=UTC)}
    assert notify.send_digests(now=night + timedelta(hours=2)) == 0

    assert notify.send_digests(now=datetime(2026, 12, 3, 6, 1, tzinfo=UTC)) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "3 leads for you while you were away or busy"
    assert mailoutbox[0].body.count("assigned to you") == 6  # subject and line of each
    assert not Notification.objects.exclude(status=Notification.Status.DIGESTED).exists()


def test_it_sends_a_digest_when_many_arrive_at_once(sales, on_commit, mailoutbox, settings):
    settings.NOTIFY_DIGEST_AFTER = 3
    ada = make_user("ada")
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    for n in range(10):
        lead = decided_lead(sales, assignee=ada, message_id=f"<d{n}@acme-widgets.com>")
        with on_commit():
            event = events.record_event(
                kind=events.Kind.LEAD_ASSIGNED, lead_id=lead.pk, data={"assignee_id": ada.pk}
            )
            dispatch.dispatch_event(event.pk, now=now)

    assert len(mailoutbox) == 3
    window_end = now + timedelta(seconds=settings.NOTIFY_DIGEST_WINDOW_SECONDS)
    assert notify.send_digests(now=window_end) == 1
    assert len(mailoutbox) == 4
    assert mailoutbox[3].subject == "7 leads for you while you were away or busy"


def test_it_warns_the_owner_before_the_sla_and_the_managers_after(sales, on_commit, mailoutbox):
    ada, boss = make_user("ada"), make_user("boss")
    boss.groups.add(Group.objects.get_or_create(name="manager")[0])
    sales.sla_warning_minutes = 30
    sales.save()
    lead = decided_lead(sales, assignee=ada)
    due = Triage.objects.get(lead=lead).sla_due

    with on_commit():
        assert sla.check(now=due - timedelta(minutes=45)) == 0
    with on_commit():
        assert sla.check(now=due - timedelta(minutes=20)) == 1
    with on_commit():
        assert sla.check(now=due - timedelta(minutes=10)) == 0  # warned once
    assert [m.to for m in mailoutbox] == [["ada@leadrouter.test"]]
    assert mailoutbox[0].subject == f"SLA warning: lead #{lead.pk} is due soon"

    with on_commit():
        assert sla.check(now=due + timedelta(minutes=1)) == 1
    with on_commit():
        assert sla.check(now=due + timedelta(minutes=2)) == 0
    breach = [m.to for m in mailoutbox[1:]]
    assert sorted(breach) == [["ada@leadrouter.test"], ["boss@leadrouter.test"]]
    assert mailoutbox[1].subject == f"SLA breached: lead #{lead.pk} in Sales"
