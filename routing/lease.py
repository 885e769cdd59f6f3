"""The triage lease kept short while a worker decides a lead: a thread renews it, so a
killed worker's lead is free again within `HELD_LEASE` (and the reconciler, every minute,
takes it back) rather than after the whole task timeout."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from routing.models import Triage

logger = logging.getLogger(__name__)

HELD_LEASE = timedelta(seconds=60)
# Three renewals per lease: one late renewal (a busy machine) does not lose it.
RENEW_EVERY = HELD_LEASE / 3


@contextmanager
def kept(triage: Triage) -> Iterator[None]:
    """Renew `triage`'s lease while the body runs; on exit `triage.claimed_until` is the
    lease last written (record_decision saves only while it still holds). No renewal once
    the lease was lost: another worker has the lead and its decision stands."""
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(triage, stop), name=f"lease-{triage.lead_id}", daemon=True
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()


def _renew(triage: Triage, stop: threading.Event) -> None:
    try:
        while not stop.wait(RENEW_EVERY.total_seconds()):
            renewed = timezone.now() + HELD_LEASE
            if not Triage.objects.filter(pk=triage.pk, claimed_until=triage.claimed_until).update(
                claimed_until=renewed
            ):
                logger.warning("lease on lead %s was lost", triage.lead_id)
                return
            triage.claimed_until = renewed
    except Exception:
        logger.exception("renewing the lease on lead %s failed", triage.lead_id)
    finally:
        connection.close()  # this thread's own, opened by the first renewal
