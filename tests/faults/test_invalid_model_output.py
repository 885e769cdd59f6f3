"""Model answers that break the contract, through the qcluster against the fake Messages API."""

import json

import pytest

from intake.models import Lead
from routing.models import Category, Triage
from tests.fakes.anthropic import FakeMessage
from tests.faults import stack
from tests.helpers import make_email
from tests.workspace.people import make_manager

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HAIKU, SONNET = "claude-haiku-5-5", "claude-sonnet-5-5"
PROSE = FakeMessage("Sure! This one is a hot lead, I would call them today.")
OFF_SCHEMA = FakeMessage(json.dumps({"verdict": "hot", "priority": 1}))
REFUSAL = FakeMessage(
    "",
    stop_reason="refusal",
    stop_details={"type": "refusal", "category": None, "explanation": None},
)


def answer(**overrides) -> FakeMessage:
    return FakeMessage(json.dumps(stack.triage_answer(**overrides)))


# A lead's sender → what each model answers it, call after call, and what must follow:
# (Haiku calls, Sonnet calls, the model that decides, the queue).
CASES = {
    "prose@not-json.example": (
        {HAIKU: [PROSE], SONNET: [answer()]},
        (2, 1, SONNET, "sales"),
    ),
    "verdict@off-schema.example": (
        {HAIKU: [OFF_SCHEMA, answer()]},
        (2, 0, HAIKU, "sales"),
    ),
    "hot@out-of-set.example": (
        {HAIKU: [answer(category="hot_lead")], SONNET: [answer(category="very_hot_lead")]},
        (2, 2, "local", "review"),
    ),
    "no@refusal.example": (
        {HAIKU: [REFUSAL], SONNET: [REFUSAL]},
        (1, 1, "local", "review"),
    ),
}


@pytest.mark.reliability(18)
def test_it_retries_invalid_output_once_then_escalates_or_asks_a_person(
    web, workers, fake_api, model_env, policy
):
    """Mail over HTTP answered with prose, schema-breaking JSON, a category outside the
    closed set, or a refusal: at most one retry per model (counted at the fake API), then
    Sonnet or a person in the review queue as the code decides; no invented category, no
    triage error, and each lead's page renders over HTTP."""
    fake_api.default = stack.PerLead({sender: script for sender, (script, _) in CASES.items()})
    worker = workers(**model_env)

    for n, sender in enumerate(CASES):
        raw = make_email(
            sender=f"Buyer <{sender}>",
            subject="A demo for our team",
            message_id=f"<invalid-{n}@faults.test>",
        )
        assert stack.post_raw(web, raw).status == 202

    def decided() -> bool:
        return Triage.objects.filter(decided_at__isnull=False, provisional=False).count() == len(
            CASES
        )

    assert stack.poll(decided, timeout=90), stack.tail(worker.log)
    categories = set(Category.objects.values_list("slug", flat=True))
    stack.with_password(make_manager("morgan"))
    manager = stack.sign_in(web, "morgan")
    for sender, (_, (haiku, sonnet, model, queue)) in CASES.items():
        triage = Triage.objects.select_related("queue", "lead").get(lead__contact__email=sender)
        calls = [request.json["model"] for request in stack.calls_about(fake_api, sender)]
        assert (calls.count(HAIKU), calls.count(SONNET)) == (haiku, sonnet), (sender, calls)
        assert (triage.model, triage.queue.slug) == (model, queue), (sender, triage.outputs)
        assert triage.category in categories
        assert "triage_error" not in triage.escalation_reasons
        assert triage.lead.status == Lead.Status.NEW
        page = manager.get(f"/leads/{triage.lead_id}/")
        assert page.status == 200, (sender, page.body[:300])
