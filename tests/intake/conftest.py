"""Fixtures and helpers for the intake tests: the task queue as a worker sees it."""

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage


@pytest.fixture
def broker():
    """The real django-q2 broker (database or Redis), with tasks queued instead of run."""
    Conf.SYNC = False
    queue = get_broker()
    queue.purge_queue()
    yield queue
    queue.purge_queue()


def queued_funcs(queue) -> list[str]:
    funcs = []
    for task_id, payload in queue.dequeue() or []:
        funcs.append(SignedPackage.loads(payload)["func"])
        queue.acknowledge(task_id)
    return funcs


def run_queued(queue) -> list[str]:
    """Run what the broker holds, as a worker would, and return the functions run."""
    ran = []
    while True:
        batch = queue.dequeue()
        if not batch:
            return ran
        for task_id, payload in batch:
            task = SignedPackage.loads(payload)
            module, _, name = task["func"].rpartition(".")
            func = getattr(__import__(module, fromlist=[name]), name)
            func(*task["args"], **task["kwargs"])
            queue.acknowledge(task_id)
            ran.append(task["func"])
