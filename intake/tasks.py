"""Thin django-q2 entry points: take an id, call a service."""

from intake import outbound, services


def process_message(message_id: int) -> None:
    services.process_message(message_id)


def process_messages(message_ids: list[int]) -> None:
    # Together, or one by one when that fails: one message's failure must not hold back the
    # others. The task still fails then, so the queue retries it (the ones done are skipped:
    # processing is idempotent).
    services.process_messages(message_ids)


def requeue_stuck_messages() -> int:
    return services.requeue_stuck_messages()


def prune_webhook_nonces() -> int:
    return services.prune_webhook_nonces()


def send_outbound(outbox_id: int) -> None:
    outbound.deliver(outbox_id)


def reconcile_outbox() -> dict:
    return outbound.reconcile_outbox()
