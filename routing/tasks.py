"""Thin django-q2 entry points: take an id, call a service."""

from routing import services


def triage_lead(lead_id: int) -> None:
    services.triage_lead(lead_id)


def requeue_stuck_triage() -> int:
    return services.requeue_stuck_triage()
