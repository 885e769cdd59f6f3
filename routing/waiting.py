"""Several leads at once in one worker: a triage task also takes leads nobody has started.

A worker spends nearly all of a lead waiting on the model. When leads queue up, a triage
task also takes leads nobody has started yet and triages them on a few threads of its own,
each through the same claim and lease as a task. Their own tasks then find them taken or
decided and return: running a task twice stays safe. Only fresh leads are taken (no Triage
row yet): a lead a killed worker left, or a provisional one, waits for its redelivered task
or the reconciler, as before, so one poisonous email cannot take a whole pool down with it.
"""

import time

from django.db import transaction
from django.db.models import Exists, OuterRef

from intake.models import Lead, Message
from routing import config
from routing.inputs import lead_and_first_message
from routing.models import Triage
from routing.reconcile import leads_in_batches
from routing.services import claim, triage_claimed


def waiting_leads():
    """Leads no worker has started on, oldest first, not those a Message Batch holds."""
    return (
        Lead.objects.filter(status=Lead.Status.AWAITING_TRIAGE)
        .filter(~Exists(Triage.objects.filter(lead=OuterRef("pk"))))
        .exclude(pk__in=leads_in_batches())
        .order_by("received_at", "pk")
    )


def take_waiting_lead() -> tuple[Lead, Message | None, Triage] | None:
    """Claim the oldest lead no worker has started on, or None when there is none: the lead,
    its first message and the claim."""
    while True:
        with transaction.atomic():
            # Helpers skip a lead another helper is claiming rather than queue behind it. NO KEY:
            # a task claiming the same lead must still pass its foreign-key check on this row.
            lead_id = (
                waiting_leads()
                .select_for_update(skip_locked=True, no_key=True, of=("self",))
                .values_list("pk", flat=True)
                .first()
            )
            if lead_id is None:
                return None
            triage = claim(lead_id)
            if triage is not None:
                lead, message = lead_and_first_message(lead_id)
                return lead, message, triage
        # Its own task claimed it first: take the next one.


def triage_waiting_leads(*, until: float) -> int:
    """Triage waiting leads one after another until none is left or the time is up (on
    `time.monotonic()`); stop at the first provisional decision: the API is struggling, and
    the leads' own tasks will pace themselves. Returns how many leads were decided."""
    done = 0
    while time.monotonic() < until:
        taken = take_waiting_lead()
        if taken is None:
            break
        lead, message, triage = taken
        with config.pinned() as pinned:
            triage = triage_claimed(lead, message, triage, pinned.policy)
        done += 1
        if triage.provisional:
            break
    return done
