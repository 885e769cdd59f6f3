"""Production-like pairs built through the real pipeline: leads triaged by tier 1 against the
fake Messages API (escalated to tier 2 below the policy's threshold), shadow audits sent and
answered in a batch. Shared by the threshold advice, drift and browser tests."""

from decimal import Decimal

from routing import audits, inputs, services
from routing.models import RoutingPolicy, ShadowAudit, Triage
from tests.helpers import make_lead
from tests.routing.test_triage import USAGE, answer

TIER2_USAGE = {"input_tokens": 2600, "output_tokens": 600}
DEMO, PRICING = "demo_request", "pricing_request"

# The known-answer set: 40 leads, tier 1 says demo_request every time. It is wrong (the
# reference says pricing_request) at confidences 0.45, 0.55, 0.65 (escalated at the
# default 0.70, tier 2 corrects it) and 0.75 (confident; the audit disagrees). With every
# confident decision audited (rate 1, weight 1), n = 40: the conformal bound at threshold t
# is (misses at or above t + 1) / 41, at most 0.05 only with one miss or none, so the
# advised threshold for alpha 0.05 is 0.66.
WRONG = (0.45, 0.55, 0.65, 0.75)
RIGHT = (
    0.40, 0.42, 0.50, 0.52, 0.58, 0.60, 0.62, 0.67, 0.68,  # escalated, tier 2 agrees
    0.70, 0.71, 0.72, 0.73, 0.74, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81, 0.82, 0.83, 0.84,
    0.85, 0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97,
)  # fmt: skip
KNOWN_ADVICE = Decimal("0.66")


def set_audit_rate(rate) -> RoutingPolicy:
    inputs.current_policy()  # seeds the policy
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal(str(rate)))
    return RoutingPolicy.objects.get()


def triaged(fake, i: int, *, confidence: float, truth: str = DEMO, said: str = DEMO) -> Triage:
    """Lead i, tier 1 saying `said` at `confidence`; below the threshold tier 2 answers
    `truth`. A confident decision drawn for an audit is answered by `answer_audits`."""
    policy = RoutingPolicy.objects.get(is_active=True)
    fake.reply(answer(category=said, confidence=confidence), usage=USAGE)
    if Decimal(str(confidence)) < policy.confidence_threshold:
        fake.reply(answer(category=truth, confidence=0.9), usage=TIER2_USAGE)
    lead = make_lead(
        sender=f"Buyer {i} <buyer{i}@company{i}.example>",
        message_id=f"<q{i}@company{i}.example>",
    )
    return services.triage_lead(lead.pk)


def answer_audits(fake, truths: dict[int, str]) -> None:
    """Send the waiting audits as a batch, tier 2 answering each lead's truth, and apply it."""
    fake.batch_polls = 0
    waiting = ShadowAudit.objects.filter(batch_id="", done_at__isnull=True).order_by("created_at")
    for audit in waiting:
        fake.reply(answer(category=truths.get(audit.lead_id, DEMO)), usage=TIER2_USAGE)
    audits.run()
    audits.run()


def build(fake, items: list[tuple[float, str]]) -> dict[int, str]:
    """Triage one lead per (confidence, truth) and answer the audits; {lead id: truth}."""
    truths = {}
    for i, (confidence, truth) in enumerate(items):
        triage = triaged(fake, i, confidence=confidence, truth=truth)
        truths[triage.lead_id] = truth
    answer_audits(fake, truths)
    return truths


def known_items() -> list[tuple[float, str]]:
    return [(c, PRICING) for c in WRONG] + [(c, DEMO) for c in RIGHT]
