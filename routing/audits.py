"""Shadow audits: confident tier-1 decisions checked by the tier-2 model, in Message Batches.

Triage draws a share of its confident decisions (`RoutingPolicy.shadow_audit_rate`, by
`drawn_for_audit`) and leaves a `ShadowAudit` row; nothing waits for the audit. `run()` (a
scheduled task) sends the waiting audits as one Message Batch and applies the batches that
have ended:

- Half price: an audit feeds a quality figure, so it can wait for a batch (results within
  24 h) and costs half of a synchronous call.
- Independent: the request is the tier-2 request without tier 1's draft. An auditor shown
  the answer under audit tends to agree with it, which would inflate the agreement figure.
- Each answer is recorded as a `ModelCall` (purpose shadow_audit, batch, priced at the batch
  rate) and, when valid, written to `Triage.shadow_category` while the decision drawn still
  stands (a re-decision skips the audits not yet sent).

Not sent while the circuit is open, without an API key or once the day's budget is spent;
an audit left waiting longer than `STALE_AFTER` is skipped.
"""

import logging
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from routing import calls, config, contract, inputs, llm, tiers
from routing.models import ModelCall, ShadowAudit, Triage

logger = logging.getLogger(__name__)

# Audits sent in one batch, at most (the API takes 100,000 requests or 256 MB).
MAX_PER_BATCH = 5_000
# A waiting audit this old is dropped: its decision has long been worked on.
STALE_AFTER = timedelta(days=3)


# 2**64 / the golden ratio: lead ids times this, modulo 2**64, spread evenly over the range.
_GOLDEN = 0x9E3779B97F4A7C15


def drawn_for_audit(lead_id: int, rate) -> bool:
    """Whether the lead's confident decision gets a shadow audit, at `rate` (0 to 1).

    Fixed per lead, so a re-decision or a retried task draws the same; and even: the golden
    ratio's multiples modulo 1 fill [0, 1) as evenly as any sequence can, so a run of
    consecutive lead ids has its share audited to within about one lead, where independent
    random draws wander by about the square root of the count. Nothing about a lead's
    content goes into its id, so the sample stays unbiased."""
    return (lead_id * _GOLDEN) % 2**64 < Decimal(rate) * 2**64


def skip_waiting(lead_id: int) -> None:
    """The lead's decision was replaced (or the lead merged away): an audit of the old one
    not yet sent is not worth paying for. One already sent is still recorded when it is
    answered, and its answer kept off any later decision."""
    ShadowAudit.objects.filter(lead_id=lead_id, batch_id="", done_at__isnull=True).update(
        outcome=ShadowAudit.Outcome.SKIPPED, done_at=timezone.now()
    )


def custom_id(audit_id: int) -> str:
    return f"audit-{audit_id}"


def audit_id_of(value: str) -> int | None:
    prefix, _, number = (value or "").partition("-")
    return int(number) if prefix == "audit" and number.isdigit() else None


def run() -> Counter:
    """Apply what has ended, then send what waits. Safe to run concurrently and again."""
    counts = apply_ended()
    counts += submit_waiting()
    return counts


def waiting():
    return ShadowAudit.objects.filter(batch_id="", done_at__isnull=True)


def submit_waiting() -> Counter:
    """Send the waiting audits as one Message Batch; `{"submitted": n, "skipped": m}`."""
    counts: Counter = Counter()
    stale = waiting().filter(created_at__lt=timezone.now() - STALE_AFTER)
    if skipped := stale.update(outcome=ShadowAudit.Outcome.SKIPPED, done_at=timezone.now()):
        counts["skipped"] = skipped
    if not settings.ANTHROPIC_API_KEY or not waiting().exists():
        return counts
    circuit = config.current().circuit
    if circuit is not None and circuit.is_open:
        return counts  # next run
    policy = inputs.current_policy()
    if calls.spend_today() >= policy.daily_budget_usd:
        return counts  # tomorrow's budget, unless they go stale first
    categories = inputs.active_categories()
    with transaction.atomic():
        # Locked and skipped by a concurrent run, so no audit is sent twice.
        audits = list(
            waiting()
            .select_related("lead__contact", "lead__form")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at")[:MAX_PER_BATCH]
        )
        items = []
        for audit in audits:
            request, _ = audit_request(audit, policy, categories)
            items.append((custom_id(audit.pk), request))
        if not items:
            return counts
        # Creating a batch is not idempotent: on an error the rows stay waiting, and a create
        # that succeeded unseen is paid twice for a handful of audits.
        try:
            batch_id = llm.submit_batch(items)
        except llm.LlmError as exc:
            refused(exc, policy)
            counts["not_sent"] += len(items)
            return counts
        logger.info("shadow audits: sent batch %s with %s audits", batch_id, len(items))
        ShadowAudit.objects.filter(pk__in=[audit.pk for audit in audits]).update(
            batch_id=batch_id, submitted_at=timezone.now()
        )
    counts["submitted"] += len(items)
    return counts


def refused(exc: llm.LlmError, policy) -> None:
    """The API would not take the batch: the audits wait for the next run. An account
    error or a spend limit opens the circuit, as it does for triage's own calls."""
    logger.warning("shadow audits: the batch was not sent: %s", exc)
    if exc.spend_limit or exc.status in calls.ACCOUNT_ERRORS:
        calls.open_circuit(f"shadow audit batch: {exc}", policy.circuit_cooldown_seconds)


def audit_request(audit: ShadowAudit, policy, categories) -> tuple[llm.LlmRequest, str]:
    """Tier 2's own request for the lead's email: no draft to agree with."""
    lead = audit.lead
    return tiers.tier_request(
        lead,
        inputs.first_message(lead),
        policy,
        model=audit.model,
        categories=categories,
        tier=2,
    )


def apply_ended() -> Counter:
    """Record the results of every sent batch that has ended."""
    counts: Counter = Counter()
    batch_ids = (
        ShadowAudit.objects.filter(done_at__isnull=True)
        .exclude(batch_id="")
        .order_by()  # the model's ordering would make DISTINCT one row per audit
        .values_list("batch_id", flat=True)
        .distinct()
    )
    for batch_id in list(batch_ids):
        try:
            if llm.batch_status(batch_id)["processing_status"] != "ended":
                continue
            counts += apply_batch(batch_id)
        except llm.LlmError as exc:
            if exc.status == 404:  # gone (results are kept 29 days): those audits never will be
                counts["expired"] += expire(batch_id)
                continue
            logger.warning("shadow audits: batch %s not applied this time: %s", batch_id, exc)
        except Exception:
            # One batch's trouble must not hold back the others, nor sending the waiting ones.
            logger.exception("shadow audits: applying batch %s failed", batch_id)
    return counts


def apply_batch(batch_id: str) -> Counter:
    """Apply one ended batch by custom_id; audits already done are left alone."""
    counts: Counter = Counter()
    policy = inputs.current_policy()
    categories = inputs.active_categories()
    for key, outcome in llm.batch_results(batch_id):
        audit_id = audit_id_of(key)
        with transaction.atomic():
            audit = (
                ShadowAudit.objects.select_for_update(of=("self",))
                .select_related("lead__contact", "lead__form")
                .filter(pk=audit_id, batch_id=batch_id, done_at__isnull=True)
                .first()
            )
            if audit is None:
                continue  # unknown, or applied by an earlier (interrupted) run
            counts[apply_one(audit, outcome, policy, categories)] += 1
    counts["expired"] += expire(batch_id)  # requests the results left out never ran
    return +counts  # without the zeros


def expire(batch_id: str) -> int:
    return ShadowAudit.objects.filter(batch_id=batch_id, done_at__isnull=True).update(
        outcome=ShadowAudit.Outcome.EXPIRED, done_at=timezone.now()
    )


def apply_one(audit: ShadowAudit, outcome, policy, categories) -> str:
    """Record one audit's answer (in the caller's transaction); its outcome."""
    audit.done_at = timezone.now()
    if isinstance(outcome, llm.LlmError) and outcome.error_type in llm.BATCH_UNPROCESSED:
        audit.outcome = ShadowAudit.Outcome.EXPIRED
    else:
        call = ModelCall(
            lead=audit.lead,
            model=audit.model,
            tier=2,
            purpose=ModelCall.Purpose.SHADOW_AUDIT,
            batch=True,
            created_at=audit.done_at,
        )
        calls.complete_call(call, outcome)
        audit.outcome = answer(audit, outcome, policy, categories)
    audit.save(update_fields=["done_at", "outcome", "category"])
    if audit.outcome == ShadowAudit.Outcome.ANSWERED:
        # Only onto the decision that was drawn: one made since (a re-run, or the lead this
        # one was merged into) has not been audited.
        Triage.objects.filter(lead_id=audit.lead_id, decided_at=audit.decided_at).update(
            shadow_category=audit.category
        )
    return audit.outcome


def answer(audit: ShadowAudit, outcome, policy, categories) -> str:
    if isinstance(outcome, llm.LlmError):
        return ShadowAudit.Outcome.ERRORED
    _, shown = audit_request(audit, policy, categories)
    try:
        output = contract.validate(
            outcome.text, categories=[c.slug for c in categories], message_text=shown
        )
    except contract.ContractError:
        return ShadowAudit.Outcome.INVALID
    audit.category = output.category
    return ShadowAudit.Outcome.ANSWERED
