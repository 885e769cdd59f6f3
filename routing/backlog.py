"""Triage the backlog: leads still awaiting triage, one by one or through a Message Batch.

The batch path sends each lead's tier-1 request (built by `tiers.tier_request`, exactly what
the pipeline sends) in one Message Batch at half price, remembers the batch in a
`BacklogBatch` row so an interrupted run resumes it instead of paying twice, and applies the
results by `custom_id` (the API does not keep request order). Each result is recorded as a
`ModelCall` with `batch=True`, priced at the batch rate, then handed to `services.triage_lead`
as tier 1's answer: validation, escalation by code, tier 2 (a normal synchronous call), rules
and assignment are the pipeline's own. Errored and expired requests leave their lead awaiting
triage, for the reconciler or the next run.
"""

import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime

from django.utils import timezone
from tqdm import tqdm

from intake.models import Lead
from routing import calls, inputs, llm, rules, services, tiers
from routing.models import BacklogBatch, ModelCall, Rule, Triage

logger = logging.getLogger(__name__)

# The API takes up to 100,000 requests or 256 MB a batch; stay clear of the size limit.
MAX_BATCH_REQUESTS = 100_000
MAX_BATCH_BYTES = 200 * 1024 * 1024
# Consecutive failed status polls before giving up (the batch stays on record to resume).
MAX_POLL_FAILURES = 10


def custom_id(lead_id: int) -> str:
    return f"lead-{lead_id}"


def lead_id_of(value: str) -> int | None:
    prefix, _, number = (value or "").partition("-")
    if prefix != "lead" or not number.isdigit():
        return None
    return int(number)


def pending_batch() -> BacklogBatch | None:
    """The batch a previous run submitted and did not finish applying, if any."""
    return BacklogBatch.objects.filter(applied_at__isnull=True).order_by("created_at").first()


def awaiting_lead_ids(*, since: datetime | None = None, limit: int | None = None) -> list[int]:
    """Leads awaiting triage, oldest first; not those a worker holds right now."""
    now = timezone.now()
    leads = Lead.objects.filter(status=Lead.Status.AWAITING_TRIAGE).exclude(
        pk__in=Triage.objects.filter(claimed_until__gt=now).values("lead_id")
    )
    if since is not None:
        leads = leads.filter(received_at__gte=since)
    pending = BacklogBatch.objects.filter(applied_at__isnull=True).values_list(
        "lead_ids", flat=True
    )
    in_batch = {lead_id for ids in pending for lead_id in ids}
    ids = [pk for pk in leads.order_by("received_at", "pk").values_list("pk", flat=True)]
    ids = [pk for pk in ids if pk not in in_batch]
    return ids[:limit] if limit is not None else ids


def decided_by_rules(lead: Lead, message) -> bool:
    """The pre-model rules decide this lead without any model (as `services.decide` does)."""
    facts = inputs.lead_facts(lead, message)
    before = rules.evaluate(inputs.enabled_rules(Rule.Stage.BEFORE_MODEL), facts)
    return services.rules_decide_alone(before)


def outcome_of(triage: Triage | None) -> str:
    if triage is None:
        return "skipped"
    return "provisional" if triage.provisional else "decided"


def still_awaiting(lead_id: int) -> bool:
    return Lead.objects.filter(pk=lead_id, status=Lead.Status.AWAITING_TRIAGE).exists()


def triage_each(lead_ids: Iterable[int], *, progress: bool = True) -> Counter:
    """The synchronous path: `services.triage_lead` for each lead, one failure never stops it."""
    lead_ids = list(lead_ids)
    counts: Counter = Counter()
    for lead_id in tqdm(
        lead_ids, desc="triage", unit="lead", disable=not progress, file=sys.stderr
    ):
        if not still_awaiting(lead_id):
            counts["skipped"] += 1
            continue
        try:
            counts[outcome_of(services.triage_lead(lead_id))] += 1
        except Exception:
            logger.exception("triage_backlog: lead %s failed", lead_id)
            counts["failed"] += 1
    return counts


# --- The batch path ---------------------------------------------------------------------


def split_for_batch(lead_ids: Iterable[int]) -> tuple[list[tuple[int, llm.LlmRequest]], list[int]]:
    """(lead id, tier-1 request) for leads that need the model; ids the rules decide alone.

    Stops adding requests at the batch limits: the rest wait for the next run.
    """
    policy = inputs.current_policy()
    categories = inputs.active_categories()
    leads = Lead.objects.select_related("contact", "form").in_bulk(list(lead_ids))
    items: list[tuple[int, llm.LlmRequest]] = []
    by_rules: list[int] = []
    size = 0
    for lead_id in lead_ids:
        lead = leads.get(lead_id)
        if lead is None:
            continue
        message = inputs.first_message(lead)
        if decided_by_rules(lead, message):
            by_rules.append(lead_id)
            continue
        request, _ = tiers.tier_request(
            lead, message, policy, model=policy.tier1_model, categories=categories
        )
        size += len(json.dumps(request.params())) + 64
        if len(items) >= MAX_BATCH_REQUESTS or size > MAX_BATCH_BYTES:
            break
        items.append((lead_id, request))
    return items, by_rules


def submit(items: list[tuple[int, llm.LlmRequest]]) -> BacklogBatch:
    """Create the Message Batch and remember it at once, so a re-run resumes, never resubmits."""
    batch_id = llm.submit_batch([(custom_id(lead_id), request) for lead_id, request in items])
    return BacklogBatch.objects.create(
        batch_id=batch_id,
        model=items[0][1].model,
        lead_ids=[lead_id for lead_id, _ in items],
    )


def wait(
    row: BacklogBatch,
    *,
    interval: float = 30.0,
    progress: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Poll the batch until it has ended, with a progress bar of processed requests."""
    total = len(row.lead_ids)
    failures = 0
    with tqdm(
        total=total,
        desc=f"batch {row.batch_id}",
        unit="req",
        disable=not progress,
        file=sys.stderr,
    ) as bar:
        while True:
            try:
                status = llm.batch_status(row.batch_id)
            except llm.LlmError as exc:
                failures += 1
                if exc.permanent or failures >= MAX_POLL_FAILURES:
                    raise
                logger.warning("triage_backlog: polling %s failed: %r", row.batch_id, exc)
                sleep(interval)
                continue
            failures = 0
            counts = status.get("counts") or {}
            done = sum(
                counts.get(name, 0) for name in ("succeeded", "errored", *llm.BATCH_UNPROCESSED)
            )
            bar.n = min(done, total)
            bar.refresh()
            if status.get("processing_status") == "ended":
                break
            sleep(interval)
    if row.ended_at is None:
        row.ended_at = timezone.now()
        row.save(update_fields=["ended_at"])
    return status


def apply(row: BacklogBatch) -> Counter:
    """Apply an ended batch's results by custom_id; safe to run again after an interruption."""
    lead_ids = set(row.lead_ids)
    counts: Counter = Counter()
    for key, outcome in llm.batch_results(row.batch_id):
        lead_id = lead_id_of(key)
        if lead_id not in lead_ids:
            logger.warning("triage_backlog: batch %s has unknown custom_id %r", row.batch_id, key)
            counts["unknown"] += 1
            continue
        lead = Lead.objects.filter(pk=lead_id).first()
        if lead is None:
            counts["skipped"] += 1
            continue
        if isinstance(outcome, llm.LlmError):
            # The lead stays awaiting triage: the reconciler (or the next run) takes it.
            kind = outcome.error_type if outcome.error_type in llm.BATCH_UNPROCESSED else "errored"
            counts[kind] += 1
            if kind == "errored" and not recorded(row, lead_id):
                record_batch_call(row, lead, outcome)
            continue
        if not recorded(row, lead_id):
            record_batch_call(row, lead, outcome)
        if not still_awaiting(lead_id):
            counts["skipped"] += 1  # decided meanwhile (or by an earlier, interrupted apply)
            continue
        try:
            triage = services.triage_lead(lead_id, tier1_response=outcome)
        except Exception:
            logger.exception("triage_backlog: applying the result for lead %s failed", lead_id)
            counts["failed"] += 1
            continue
        counts[outcome_of(triage)] += 1
    row.applied_at = timezone.now()
    row.counts = dict(counts)
    row.save(update_fields=["applied_at", "counts"])
    return counts


def recorded(row: BacklogBatch, lead_id: int) -> bool:
    """This batch's call for the lead is on record already (a resumed apply)."""
    return ModelCall.objects.filter(
        lead_id=lead_id, batch=True, model=row.model, created_at__gte=row.created_at
    ).exists()


def record_batch_call(row: BacklogBatch, lead: Lead, outcome) -> ModelCall:
    """One ModelCall for one batch request, priced at the batch rate."""
    call = ModelCall(
        lead=lead,
        model=row.model,
        tier=1,
        purpose=ModelCall.Purpose.TRIAGE,
        batch=True,
        created_at=timezone.now(),
    )
    return calls.complete_call(call, outcome)


def run_batch(
    *,
    since: datetime | None = None,
    limit: int | None = None,
    interval: float = 30.0,
    progress: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    on_event: Callable[[str], None] = lambda text: None,
) -> Counter:
    """Resume the unfinished batch if there is one; else submit the backlog as a new batch."""
    counts: Counter = Counter()
    row = pending_batch()
    if row is not None:
        on_event(f"Resuming batch {row.batch_id} ({len(row.lead_ids)} leads).")
    else:
        items, by_rules = split_for_batch(awaiting_lead_ids(since=since, limit=limit))
        if by_rules:
            # Rules decide these without a model: no reason to put them in a batch.
            counts += triage_each(by_rules, progress=False)
        if not items:
            return counts
        row = submit(items)
        on_event(f"Submitted batch {row.batch_id} ({len(items)} leads).")
    wait(row, interval=interval, progress=progress, sleep=sleep)
    counts += apply(row)
    return counts
