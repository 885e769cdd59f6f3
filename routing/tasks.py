"""Thin django-q2 entry points: take an id, call a service."""

from routing import services, workspace


def triage_lead(lead_id: int) -> None:
    services.triage_lead(lead_id)


def requeue_stuck_triage() -> int:
    return services.requeue_stuck_triage()


def rerun_triage(lead_id: int, tier: int, user_id: int | None = None) -> None:
    workspace.rerun_triage(lead_id, tier, user_id)
