"""Resuming an interrupted triage: tier 1's recorded answer, so a retry does not pay for it
again (a worker killed during the escalation, a timeout)."""

from django.db.models import F, Q

from routing import llm
from routing.models import ModelCall, Triage
from routing.prices import Usage


def recorded_tier1_answer(triage: Triage, model: str) -> llm.Response | None:
    """The latest answered, error-free tier-1 call of the lead made with `model` since its
    last decision (a provisional decision was made with that answer and is not resumed), as
    a Response run_tier takes as its first attempt; None when there is none."""
    since_decision = Q(lead__triage__decided_at__isnull=True) | Q(
        created_at__gt=F("lead__triage__decided_at")
    )
    call = (
        ModelCall.objects.filter(
            since_decision,
            lead_id=triage.lead_id,
            tier=1,
            model=model,
            batch=False,
            purpose__in=[ModelCall.Purpose.TRIAGE, ModelCall.Purpose.RETRY],
            completed_at__isnull=False,
            error="",
        )
        .exclude(answer="")
        .order_by("-created_at", "-pk")
        .first()
    )
    if call is None:
        return None
    return llm.Response(
        text=call.answer,
        stop_reason=call.stop_reason or None,
        usage=Usage(
            input_tokens=call.input_tokens,
            output_tokens=call.output_tokens,
            cache_creation_input_tokens=call.cache_creation_input_tokens,
            cache_creation_5m_tokens=call.cache_creation_5m_tokens,
            cache_creation_1h_tokens=call.cache_creation_1h_tokens,
            cache_read_input_tokens=call.cache_read_input_tokens,
        ),
        request_id=call.request_id or None,
        latency_ms=call.latency_ms,
        model=call.model,
    )
