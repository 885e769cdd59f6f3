"""Changes to leads that other apps ask for: a status move, a touch, a merge.

Intake owns its rows (STYLE.md: services are the only writers); routing and the workspace
change a lead through these functions, never with their own UPDATE.
"""

import functools
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from intake import events, search
from intake.models import Lead


def move_status(lead_id: int, status: str, *, only_from: str, record: bool = True) -> bool:
    """Set the status if it still is `only_from` (a compare-and-set: a change someone made
    meanwhile is never overwritten). True when it moved. The move records a
    `lead.status_changed` event unless `record` is off (the caller records it with others
    of the same change)."""
    # No savepoint of its own: the move and its event stand or fall with the caller's change.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_move_statement(), [status, timezone.now(), lead_id, only_from])
            moved = cursor.rowcount == 1
        if moved and record:
            events.record_event(
                kind=events.Kind.LEAD_STATUS_CHANGED,
                lead_id=lead_id,
                data=status_change(only_from, status),
            )
    return moved


def status_change(before: str, after: str) -> dict:
    return {"from": before, "to": after}


@functools.cache
def _move_statement() -> str:
    # Plain SQL, built once: triage runs it for every lead it decides.
    return (
        f"UPDATE {Lead._meta.db_table} SET status = %s, updated_at = %s "
        "WHERE id = %s AND status = %s"
    )


def touch(lead_id: int) -> None:
    """Something happened to the lead: open queue pages pick it up by `updated_at`."""
    Lead.objects.filter(pk=lead_id).update(updated_at=timezone.now())


class MergeRefused(Exception):
    """The two leads cannot be merged; the message says why."""


def merge_leads(*, target: Lead, source: Lead, move_related: Callable[[], None]) -> int:
    """Fold `source` into `target` (one contact's two threads) and delete it: its messages
    move, the target's dates widen to cover both. `move_related` runs first, in the same
    transaction with both leads locked, for the caller to move the rows it keeps about the
    source (they would go with it otherwise). Returns how many messages moved."""
    if target.pk == source.pk:
        raise MergeRefused("Choose another lead to merge.")
    if target.contact_id != source.contact_id:
        raise MergeRefused("Only two leads of the same contact can be merged.")
    with transaction.atomic():
        # Both rows locked, in id order (no deadlock with a merge the other way round); a
        # lead merged away meanwhile is gone.
        locked = list(
            Lead.objects.select_for_update().filter(pk__in=[target.pk, source.pk]).order_by("pk")
        )
        if len(locked) != 2:
            raise MergeRefused("One of the two leads was merged or deleted meanwhile.")
        move_related()
        moved = source.messages.update(lead=target)
        Lead.objects.filter(pk=target.pk).update(
            received_at=Least(F("received_at"), source.received_at),
            last_message_at=Greatest(F("last_message_at"), source.last_message_at),
            updated_at=timezone.now(),
        )
        source.delete()
        search.refresh([target.pk])
    return moved


def record_first_response(lead_id: int, at) -> bool:
    """The lead's first reply went out at `at` (kept when one is already recorded). True
    when this was the first."""
    return bool(
        Lead.objects.filter(pk=lead_id, first_response_at__isnull=True).update(
            first_response_at=at, updated_at=timezone.now()
        )
    )
