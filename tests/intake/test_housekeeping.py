"""Scheduled housekeeping: the stuck-message reconciler and nonce pruning."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from intake import services
from intake.models import Message, WebhookNonce
from tests.helpers import assert_handed_to_triage, make_email
from tests.intake.conftest import run_queued


@pytest.mark.django_db
def test_it_schedules_the_reconciler_and_the_pruning():
    funcs = set(Schedule.objects.values_list("func", flat=True))
    assert {"intake.tasks.requeue_stuck_messages", "intake.tasks.prune_webhook_nonces"} <= funcs


@pytest.mark.django_db
def test_it_processes_a_message_whose_task_was_lost(on_commit):
    # Stored without its on-commit task running: as if the broker lost it.
    message = services.ingest_email(raw=make_email(), provider="raw").message
    Message.objects.filter(pk=message.pk).update(received_at=timezone.now() - timedelta(hours=1))
    fresh = services.ingest_email(raw=make_email(message_id="<new@a>"), provider="raw").message

    with on_commit():
        requeued = services.requeue_stuck_messages()

    assert requeued == 1
    message.refresh_from_db()
    fresh.refresh_from_db()
    assert message.parse_state == Message.ParseState.PARSED
    assert_handed_to_triage(message.lead)
    assert fresh.parse_state == Message.ParseState.PENDING  # too young to count as stuck


@pytest.mark.django_db(transaction=True)
def test_it_requeues_stuck_messages_a_few_per_task(broker):
    for n in range(23):
        raw = make_email(sender=f"b{n}@buyer{n}.example", message_id=f"<s{n}@x>")
        services.ingest_email(raw=raw, provider="raw", enqueue=False)
    Message.objects.update(received_at=timezone.now() - timedelta(hours=1))

    assert services.requeue_stuck_messages() == 23

    ran = run_queued(broker)
    assert ran.count("intake.tasks.process_messages") == 3  # 10 + 10 + 3, not 23 tasks
    assert "intake.tasks.process_message" not in ran
    assert not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()


@pytest.mark.django_db(transaction=True)
def test_it_takes_back_a_message_within_a_minute_once_nothing_waits_in_the_queue(broker):
    """A worker killed with tasks the Redis broker lost: the queue is empty, the message
    pending and held by no worker, so it need not wait the 10-minute threshold."""
    raw = make_email(message_id="<lost@a>")
    message = services.ingest_email(raw=raw, provider="raw", enqueue=False).message
    Message.objects.filter(pk=message.pk).update(
        received_at=timezone.now() - services.GONE_AFTER - timedelta(seconds=5)
    )
    services.ingest_email(raw=make_email(message_id="<new@a>"), provider="raw", enqueue=False)

    assert services.requeue_stuck_messages() == 1  # not the one received just now

    assert run_queued(broker).count("intake.tasks.process_messages") == 1
    message.refresh_from_db()
    assert message.parse_state == Message.ParseState.PARSED


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_long_threshold_while_tasks_wait_in_the_queue(broker):
    """A pending message may be one of the tasks still waiting: no second task for it."""
    raw = make_email(message_id="<waiting@a>")
    message = services.ingest_email(raw=raw, provider="raw").message  # its task is queued
    Message.objects.filter(pk=message.pk).update(
        received_at=timezone.now() - services.GONE_AFTER - timedelta(seconds=5)
    )

    assert services.requeue_stuck_messages() == 0

    ran = run_queued(broker)
    assert [f for f in ran if f.startswith("intake.")] == ["intake.tasks.process_message"]


@pytest.mark.django_db
def test_it_prunes_only_old_mailgun_tokens():
    old = WebhookNonce.objects.create(provider="mailgun", token="old", body_sha256="a")
    WebhookNonce.objects.filter(pk=old.pk).update(seen_at=timezone.now() - timedelta(days=3))
    WebhookNonce.objects.create(provider="mailgun", token="recent", body_sha256="b")

    assert services.prune_webhook_nonces() == 1
    assert list(WebhookNonce.objects.values_list("token", flat=True)) == ["recent"]
