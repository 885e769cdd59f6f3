"""A storm of 529s from the Messages API, then recovery: every lead triaged once, none lost."""

import os
import threading
import time
from collections import Counter

import pytest
from rest_framework.authtoken.models import Token

from intake.models import Lead
from routing import services as routing_services
from routing.models import ModelCall, Triage
from tests.fakes.anthropic import FakeError
from tests.faults import stack
from tests.helpers import make_user

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# How long the API answers nothing but 529 (FAULTS_STORM_SECONDS=10 for a quick local run).
STORM_SECONDS = float(os.environ.get("FAULTS_STORM_SECONDS", "60"))
LEADS = 10
# The reconciler retries a provisionally decided lead this long after its last try (300 s
# in production, every 5 minutes): compressed so the storm sees several rounds of retries.
RETRY_AFTER = 20


class Storm:
    """529 for every call until the storm has lasted its time and the test has looked."""

    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds
        self.observed = threading.Event()
        self.ended_at: float | None = None

    def raging(self) -> bool:
        if time.monotonic() < self.ends or not self.observed.is_set():
            return True
        if self.ended_at is None:
            self.ended_at = time.time()
        return False

    def answer(self, request):
        if self.raging():
            return FakeError(529, "overloaded_error", "Overloaded")
        return stack.triage_answer()


def api_headers() -> dict[str, str]:
    token = Token.objects.create(user=make_user("api-reader"))
    return {"Authorization": f"Token {token.key}", **stack.BEHIND_TLS}


def decided_by_the_model() -> bool:
    return (
        Triage.objects.filter(
            model="claude-haiku-5-5", provisional=False, lead__status=Lead.Status.NEW
        ).count()
        == LEADS
    )


@pytest.mark.reliability(16)
def test_it_triages_every_lead_once_after_a_storm_of_529s(
    web, workers, fake_api, model_env, policy, settings
):
    """Leads arriving during a 60 s storm of 529s stay visible as awaiting triage with a
    provisional local decision; once the API recovers each is triaged by the model exactly
    once, none lost, and every call the API received is on record."""
    storm = Storm(STORM_SECONDS)
    fake_api.default = storm.answer
    settings.TRIAGE_RETRY_AFTER_SECONDS = RETRY_AFTER
    worker = workers(Q_WORKERS="4", **model_env)  # production backoff: 3 attempts a try

    posted = [stack.post_raw(web, stack.lead_email(n, tag="storm")) for n in range(LEADS)]
    assert [answer.status for answer in posted] == [202] * LEADS

    # During the storm: every lead is decided provisionally and still awaits triage.
    def provisional() -> bool:
        return Triage.objects.filter(provisional=True, model="local").count() == LEADS

    assert stack.poll(provisional, timeout=120), stack.tail(worker.log)
    listed = web.get("/api/leads/?status=awaiting_triage", headers=api_headers())
    assert listed.status == 200
    assert len(listed.json()["results"]) == LEADS
    storm.observed.set()

    # The reconciler's ticks (compressed) retry them until the API answers again.
    recovered = stack.poll(
        decided_by_the_model,
        timeout=STORM_SECONDS + 4 * RETRY_AFTER + 60,
        every=stack.every(5, routing_services.requeue_stuck_triage),
    )
    assert recovered, stack.tail(worker.log)

    answered = Counter(request.status for request in stack.messages_calls(fake_api))
    calls = ModelCall.objects.all()
    attempts = Counter(Triage.objects.values_list("attempts", flat=True))
    print(f"API answers {dict(answered)}; triage tries per lead {dict(attempts)}")
    assert answered[529] >= LEADS  # every lead met the storm
    assert set(answered) == {529, 200}, answered
    assert answered[200] == LEADS  # one real answer per lead: no second decision
    assert calls.count() == answered.total()  # every call the API received is on record
    assert calls.filter(error_type="overloaded_error").count() == answered[529]
    assert Triage.objects.count() == LEADS
    for triage in Triage.objects.all():
        assert triage.decided_at.timestamp() >= storm.ended_at
        assert "max_attempts" not in triage.escalation_reasons
        assert triage.lead.model_calls.filter(completed_at__isnull=False, error="").count() == 1
