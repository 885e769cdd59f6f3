"""Several leads at once in one worker: a triage task also takes leads nobody has started.

A worker spends nearly all of a lead waiting on the model. When leads queue up, a triage
task also takes leads nobody has started yet and triages them on a few threads of its own,
each through the same claim and lease as a task. Their own tasks then find them taken or
decided and return: running a task twice stays safe. Only fresh leads are taken (no Triage
row yet): a lead a killed worker left, or a provisional one, waits for its redelivered task
or the reconciler, as before, so one poisonous email cannot take a whole pool down with it.
"""

import logging
import socket
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from intake.models import Lead, Message
from routing import config
from routing.inputs import lead_and_first_message
from routing.models import Triage
from routing.reconcile import leads_in_batches
from routing.services import claim, triage_claimed

logger = logging.getLogger(__name__)


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


# --- The pump: leads taken as they arrive -------------------------------------------------
# A steady flow (a lead every 100 ms) rarely has two leads waiting at the moment a task has
# decided its own, so helpers seldom started and most leads held a whole worker process for
# their model calls: at 10 leads a second the processes were all waiting on the model and
# every other task (processing mail, the hand-off) queued behind them. A pump is a triage
# task that, once its own lead is decided, goes on taking leads as they arrive, on its own
# threads, until none has arrived for PUMP_LINGER seconds. One thread looks for leads (one
# small query every PUMP_POLL seconds while a thread is free); the leads' own tasks then find
# them taken and return at once. At most half a machine's worker processes pump (PostgreSQL
# advisory locks, released with the connection if the process dies), so the other half is
# left for everything else; a second pump starts only when a lead got past the first.

PUMP_LINGER = 2.0
PUMP_POLL = 0.1
PUMP_LOCKS = 0x4C52_5450  # the advisory lock space of pump slots


def _machine() -> int:
    """The slots are counted per machine: each worker machine's cluster keeps its processes."""
    return zlib.crc32(socket.gethostname().encode()) & 0x7FFF_FFFF


def take_pump_slot(slots: int) -> int | None:
    """A pump slot of this database connection's, or None when all `slots` are taken."""
    with connection.cursor() as cursor:
        for slot in range(slots):
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PUMP_LOCKS + slot, _machine()])
            if cursor.fetchone()[0]:
                return slot
    return None


def release_pump_slot(slot: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [PUMP_LOCKS + slot, _machine()])


def pump(*, until: float, threads: int, linger: float = PUMP_LINGER) -> int:
    """Triage waiting leads on `threads` threads as they arrive, until none has arrived for
    `linger` seconds, time is up (on `time.monotonic()`) or a decision comes back provisional
    (the API is struggling: the leads' own tasks pace themselves). Returns how many leads were
    decided."""
    free = threading.Semaphore(threads)
    struggling = threading.Event()
    decided = []

    def decide(taken) -> None:
        lead, message, triage = taken
        try:
            with config.pinned() as pinned:
                triage = triage_claimed(lead, message, triage, pinned.policy)
            decided.append(lead.pk)
            if triage.provisional:
                struggling.set()
        except Exception:
            logger.exception(
                "triage pump: lead %s failed (its task or the reconciler retries)", lead.pk
            )
        finally:
            free.release()

    last_seen = time.monotonic()
    with ThreadPoolExecutor(threads, thread_name_prefix="triage-pump") as pool:
        while time.monotonic() < until and not struggling.is_set():
            if not free.acquire(timeout=PUMP_POLL):
                continue  # every thread busy: nothing to look for yet
            taken = take_waiting_lead()
            if taken is None:
                free.release()
                if time.monotonic() - last_seen > linger:
                    break
                time.sleep(PUMP_POLL)
                continue
            last_seen = time.monotonic()
            pool.submit(decide, taken)
        # Each pool thread opened its own connection: one closing job per thread, held at a
        # barrier so that every thread runs exactly one.
        barrier = threading.Barrier(threads)
        for _ in range(threads):
            pool.submit(_close_at, barrier)
    return len(decided)


def _close_at(barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=600)
    finally:
        connection.close()
