"""SIGKILL of the qcluster while a batch of mail is processed and leads escalate, on the
Redis broker that loses the tasks a killed worker held (RELIABILITY #29)."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.models import Count, Q

from intake.models import Lead, Message
from routing.models import ModelCall, Triage
from tests.fakes.anthropic import FakeMessage
from tests.faults import stack
from tests.processes import kill_hard, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAILS = 40
LATE = 10  # posted just before the kill
# Production defaults throughout: the reconcilers' schedules (every minute), the short
# thresholds for lost tasks and the triage lease. Only the bound on the wait is the test's.
RECOVERED_WITHIN = 180


@pytest.mark.reliability(29)
def test_it_recovers_a_batch_and_resumes_escalations_after_the_worker_is_killed(
    web, workers, fake_api, model_env, policy
):
    """40 mails posted over HTTP, every lead escalating to a slow tier 2; the qcluster
    SIGKILLed with escalations in flight and mail still arriving, then a new one: every
    message processed and every lead decided within a couple of minutes of the restart, on
    the production schedules, lease and thresholds; tier 1 paid once per lead."""
    slow_tier2 = threading.Event()
    slow_tier2.set()

    def answer(request):
        if "sonnet" not in request["model"]:
            return stack.triage_answer(confidence=0.4)  # low: every lead escalates
        answer = stack.triage_answer(category="pricing_request", confidence=0.9)
        # Tier 2 is slow while the first worker lives, so it dies with escalations open.
        return FakeMessage(json.dumps(answer), delay=15 if slow_tier2.is_set() else 0)

    fake_api.default = answer
    worker = workers(**model_env, Q_WORKERS="2")
    posts = [stack.lead_email(n, tag="batch") for n in range(MAILS)]
    with ThreadPoolExecutor(8) as pool:
        first = pool.map(lambda raw: stack.post_raw(web, raw), posts[: MAILS - LATE])
        assert {answer.status for answer in first} == {202}
        escalating = wait_for(
            lambda: sum("sonnet" in r.json["model"] for r in stack.messages_calls(fake_api)) >= 3,
            timeout=120,
        )
        assert escalating, stack.tail(worker.log)
        # The rest arrive while the workers are busy: their processing tasks wait in the
        # queue, or in the cluster's own prefetch, which the kill loses.
        late = pool.map(lambda raw: stack.post_raw(web, raw), posts[MAILS - LATE :])
        assert {answer.status for answer in late} == {202}
    kill_hard(worker)
    interrupted = ModelCall.objects.filter(tier=2, completed_at__isnull=True).count()
    pending = Message.objects.filter(parse_state=Message.ParseState.PENDING).count()
    undecided = MAILS - Triage.objects.filter(decided_at__isnull=False).count()
    assert interrupted >= 1 and pending >= 1, (interrupted, pending)

    slow_tier2.clear()
    restarted = time.monotonic()
    worker = workers(**model_env, Q_WORKERS="2")

    def all_decided() -> bool:
        return (
            not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()
            and Lead.objects.count() == MAILS
            and Triage.objects.filter(decided_at__isnull=False, provisional=False).count() == MAILS
        )

    recovered = wait_for(all_decided, timeout=RECOVERED_WITHIN)
    elapsed = time.monotonic() - restarted
    print(
        f"\n#29: killed with {pending} messages pending, {undecided} leads undecided, "
        f"{interrupted} escalations in flight; all decided {elapsed:.0f}s after restart"
    )
    assert recovered, (elapsed, stack.tail(worker.log))

    # Tier 1 was paid once per lead: an interrupted escalation resumed from its answer.
    tier1 = Count(
        "model_calls",
        filter=Q(
            model_calls__tier=1, model_calls__error="", model_calls__completed_at__isnull=False
        ),
    )
    paid = Lead.objects.annotate(tier1=tier1).values_list("tier1", flat=True)
    assert sorted(set(paid)) == [1], sorted(paid)
    assert set(Triage.objects.values_list("model", flat=True)) == {"claude-sonnet-5-5"}
