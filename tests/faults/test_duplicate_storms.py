"""Duplicate storms and sustained load against gunicorn and a qcluster."""

import json
import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django_q.models import Task

from intake.models import Lead, Message
from routing.models import Triage
from tests.faults import stack
from tests.faults.stack import POSTMARK

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Posts in the sustained-load test (10% of them repeat an earlier one).
LOAD_POSTS = int(os.environ.get("FAULTS_LOAD_POSTS", "500"))
CONCURRENCY = 16


def all_triaged() -> bool:
    return (
        not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()
        and not Lead.objects.filter(status=Lead.Status.AWAITING_TRIAGE).exists()
        and Lead.objects.exists()
    )


@pytest.mark.reliability(5)
def test_it_stores_one_message_and_runs_one_triage_for_a_message_posted_at_once(web, workers):
    """The same Postmark message posted by 8 connections at the same instant: every post a
    200, one message, one lead, one processing task and one triage task."""
    worker = workers()
    body = json.dumps(stack.postmark_raw(1, tag="storm")).encode()
    barrier = threading.Barrier(8)

    def deliver(_):
        barrier.wait()
        return stack.post_json(stack.Http(web.port), POSTMARK, body).status

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, range(8)))

    assert statuses == [200] * 8
    assert stack.poll(all_triaged, timeout=60), stack.tail(worker.log)
    # django-q2 records every finished task; give the last result a moment to land.
    stack.poll(lambda: Task.objects.filter(func="routing.tasks.triage_lead").exists(), timeout=10)
    assert Message.objects.count() == 1
    assert Lead.objects.count() == 1
    assert Triage.objects.count() == 1
    tasks = Counter(Task.objects.values_list("func", flat=True))
    assert tasks["intake.tasks.process_message"] == 1, tasks
    assert tasks["routing.tasks.triage_lead"] == 1, tasks


@pytest.mark.reliability(5, 21)
def test_it_takes_sustained_webhook_load_with_ten_percent_duplicates(web, workers):
    """Postmark posts from 16 connections, every tenth a repeat: no 5xx, one message and
    one lead per distinct message, and the queue drains."""
    worker = workers(Q_WORKERS="2")
    unique = [
        json.dumps(stack.postmark_raw(n, tag="load")).encode() for n in range(LOAD_POSTS * 9 // 10)
    ]
    posts = []
    for n, body in enumerate(unique):
        posts.append(body)
        if n % 9 == 8:
            posts.append(unique[n - 4])  # a provider retrying a post it got no answer to
    local = threading.local()

    def deliver(body: bytes) -> int:
        if not hasattr(local, "web"):
            local.web = stack.Http(web.port)
        return stack.post_json(local.web, POSTMARK, body).status

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        statuses = Counter(pool.map(deliver, posts))

    assert statuses == {200: len(posts)}, statuses
    assert Message.objects.count() == len(unique)
    assert stack.poll(all_triaged, timeout=240), stack.tail(worker.log)
    assert Lead.objects.count() == len(unique)
    assert Triage.objects.filter(decided_at__isnull=False).count() == len(unique)
