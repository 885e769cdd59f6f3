"""The scheduled reconciler: leads still awaiting triage go back to a worker (a lost task, a
killed worker's expired lease, a provisional decision made while the API was down)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from intake.models import Lead
from intake.services import GONE_AFTER, task_queue_empty
from routing.models import BacklogBatch, Circuit, Triage


def requeue_stuck_triage(*, limit: int = 200) -> int:
    """Re-enqueue leads still awaiting triage: a lost task, a killed worker's expired
    lease, or a provisional decision made while the API was down. Not while the
    circuit is open: that would only make more local decisions."""
    from django_q.tasks import async_task

    now = timezone.now()
    circuit = Circuit.anthropic()
    if circuit is not None and circuit.is_open:
        return 0
    retry_after = timedelta(seconds=settings.TRIAGE_RETRY_AFTER_SECONDS)
    # A lead never claimed may still wait in the queue, unless the queue is empty.
    unclaimed_after = GONE_AFTER if task_queue_empty() else retry_after
    lease_free = Q(triage__claimed_until__isnull=True) | Q(triage__claimed_until__lt=now)
    stuck = (
        Q(triage__isnull=True, received_at__lt=now - unclaimed_after)
        # An undecided lead whose lease ran out: django-q stops a task at its timeout (the
        # lease), so no worker is on it any more (killed, or its task was lost).
        | Q(triage__decided_at__isnull=True, triage__claimed_until__lt=now)
        | (
            Q(triage__decided_at__isnull=True, triage__claimed_until__isnull=True)
            & Q(triage__created_at__lt=now - retry_after)
        )
        # Decided provisionally while the API was down: give it time to come back.
        | (Q(triage__provisional=True) & lease_free & Q(triage__decided_at__lt=now - retry_after))
    )
    # A lead put back to awaiting triage by hand (or reopened by a reply) after a final
    # decision: mark that decision provisional so triage may take the lead again.
    Triage.objects.filter(
        lead__status=Lead.Status.AWAITING_TRIAGE, decided_at__isnull=False, provisional=False
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(provisional=True)
    ids = list(
        Lead.objects.filter(status=Lead.Status.AWAITING_TRIAGE)
        .filter(stuck)
        .exclude(pk__in=leads_in_batches())
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for lead_id in ids:
        async_task("routing.tasks.triage_lead", lead_id)
    return len(ids)


def leads_in_batches() -> set[int]:
    """Leads waiting in an unapplied Message Batch: they are the batch's, and triaging them
    anywhere else pays twice."""
    return {
        lead_id
        for lead_ids in BacklogBatch.objects.filter(applied_at__isnull=True).values_list(
            "lead_ids", flat=True
        )
        for lead_id in lead_ids
    }
