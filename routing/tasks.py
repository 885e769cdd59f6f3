"""Thin django-q2 entry points: take an id, call a service."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf

from routing import audits, drafts, quality, reconcile, rerun, services, waiting
from routing.models import Circuit

logger = logging.getLogger(__name__)

# Helpers stop taking new leads after this share of the task timeout, so the leads they
# already hold (each bounded by the API timeout and attempts) finish well inside it.
HELP_SHARE_OF_TIMEOUT = 1 / 8


def triage_lead(lead_id: int) -> None:
    """Triage the lead. Then, when the API answered well, this task goes on for other leads on
    TRIAGE_THREADS threads: as a pump taking leads as they arrive when a pump slot is free
    (waiting.pump), else as helpers for the leads already waiting nobody has started on
    (waiting.triage_waiting_leads). Either starts only after this lead's own decision, so an
    account error, an open circuit or a spent budget is met by one call, not by one call per
    thread."""
    started = timezone.now()
    triage = services.triage_lead(lead_id)
    if not api_answered_well(triage) or not threads_allowed():
        return
    until = time.monotonic() + settings.Q_CLUSTER["timeout"] * HELP_SHARE_OF_TIMEOUT
    # A lead a pump had already taken is no sign that more pumps are needed; one this task
    # had to decide itself is (every pump's threads were busy, or none ran).
    decided_here = triage is not None and triage.decided_at and triage.decided_at >= started
    slot = waiting.take_pump_slot(pump_slots()) if decided_here else None
    if slot is not None:
        try:
            # The pump's own thread only looks for leads: TRIAGE_THREADS connections in all.
            waiting.pump(until=until, threads=settings.TRIAGE_THREADS - 1)
        finally:
            waiting.release_pump_slot(slot)
        return
    helpers = helpers_wanted()
    if not helpers:
        return
    with ThreadPoolExecutor(helpers, thread_name_prefix="triage-helper") as pool:
        for _ in range(helpers):
            pool.submit(help_until, until)
        # Then this thread helps too, rather than wait idle for the helpers.
        waiting.triage_waiting_leads(until=until)


def pump_slots() -> int:
    """Half the cluster's processes at most: the other half processes mail, hands off and
    triages what slips past the pumps."""
    return max(1, settings.Q_CLUSTER["workers"] // 2)


def threads_allowed() -> bool:
    """Not where tasks run inline (tests, Q_SYNC) or without an API key (local decisions do
    not wait), nor with TRIAGE_THREADS at 1."""
    return settings.TRIAGE_THREADS > 1 and not Conf.SYNC and bool(settings.ANTHROPIC_API_KEY)


def api_answered_well(triage) -> bool:
    """This lead's decision gives no sign that more calls now would be wasted."""
    if triage is None:
        return True  # decided elsewhere already
    if triage.provisional or any(
        str(reason).startswith(("budget_exhausted", "api_unavailable", "permanent_error"))
        for reason in triage.escalation_reasons or []
    ):
        return False
    return not Circuit.objects.filter(
        name=Circuit.ANTHROPIC, open_until__gt=timezone.now()
    ).exists()


def helpers_wanted() -> int:
    """As many helpers as there are other leads waiting, up to TRIAGE_THREADS - 1."""
    most = settings.TRIAGE_THREADS - 1
    found = waiting.waiting_leads().values_list("pk", flat=True)[: most + 1]
    return min(most, max(len(found) - 1, 0))


def help_until(until: float) -> int:
    try:
        return waiting.triage_waiting_leads(until=until)
    except Exception:
        logger.exception("triage helper failed")
        return 0
    finally:
        connection.close()  # each helper thread opened its own


def requeue_stuck_triage() -> int:
    return reconcile.requeue_stuck_triage()


def run_shadow_audits() -> dict:
    return dict(audits.run())


def check_quality_drift() -> int | None:
    """The last 7 days' miss rate against the policy's alpha; the open alert's id, if any."""
    alert = quality.check_drift()
    return alert.pk if alert else None


def rerun_triage(lead_id: int, tier: int, user_id: int | None = None) -> None:
    rerun.redecide(lead_id, tier=tier, user_id=user_id)


def draft_reply(lead_id: int) -> None:
    drafts.draft_reply_task(lead_id)
