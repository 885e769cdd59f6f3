"""SIGKILL of the qcluster while a triage call is in flight."""

import time

import pytest
from django.utils import timezone

from routing import reconcile
from routing.models import ModelCall, Triage
from tests.faults import stack
from tests.processes import kill_hard, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEASE_SECONDS = 5  # Q_TIMEOUT (the claim itself is routing.lease.HELD_LEASE)


@pytest.mark.reliability(20)
def test_it_triages_once_after_the_worker_is_killed_mid_call(
    web, workers, fake_api, model_env, policy, settings
):
    """A lead posted over HTTP; the worker SIGKILLed while its model call hangs: the task runs
    again in a new worker, the lead gets one Triage, and there is one ModelCall row per
    request the API received, the interrupted one included, priced once."""
    fake_api.slow(60, stack.triage_answer())  # the first call hangs until the kill
    settings.TRIAGE_RETRY_AFTER_SECONDS = 0
    env = {**model_env, "Q_TIMEOUT": str(LEASE_SECONDS), "Q_RETRY": str(LEASE_SECONDS + 3)}
    worker = workers(**env)

    assert stack.post_raw(web, stack.lead_email(1, tag="kill")).status == 202
    assert wait_for(lambda: len(stack.messages_calls(fake_api)) == 1, timeout=60), stack.tail(
        worker.log
    )
    kill_hard(worker)
    triage = Triage.objects.get()
    assert triage.decided_at is None

    # The lease the killed worker held runs out; then the task comes back: by itself on the
    # database broker (after Q_RETRY), through the reconciler on Redis, which loses it.
    time.sleep(max(0, (triage.claimed_until - timezone.now()).total_seconds()) + 0.5)
    reconcile.requeue_stuck_triage()
    worker = workers(**env)
    decided = wait_for(lambda: Triage.objects.filter(decided_at__isnull=False).exists(), timeout=90)
    assert decided, stack.tail(worker.log)

    triage = Triage.objects.get()
    requests = stack.messages_calls(fake_api)
    calls = list(ModelCall.objects.order_by("pk"))
    assert triage.model == "claude-haiku-5-5" and not triage.provisional
    assert len(requests) == 2 and requests[1].status == 200  # the hung one, then the retry
    assert len(calls) == len(requests)
    assert calls[0].completed_at is None and "interrupted" in calls[0].error
    assert calls[1].completed_at is not None and calls[1].cost_usd > 0
