"""Thin django-q2 entry points: take an id, call a service."""

import logging

from intake import outbound, services

logger = logging.getLogger(__name__)


def process_message(message_id: int) -> None:
    services.process_message(message_id)


def process_messages(message_ids: list[int]) -> None:
    # One message's failure must not hold back the others; the task still fails, so
    # the queue retries it (the ones done are skipped: processing is idempotent).
    failed = []
    for message_id in message_ids:
        try:
            services.process_message(message_id)
        except Exception:
            logger.exception("processing message %s failed", message_id)
            failed.append(message_id)
    if failed:
        raise RuntimeError(f"processing failed for messages {failed}")


def requeue_stuck_messages() -> int:
    return services.requeue_stuck_messages()


def prune_webhook_nonces() -> int:
    return services.prune_webhook_nonces()


def send_outbound(outbox_id: int) -> None:
    outbound.deliver(outbox_id)


def reconcile_outbox() -> dict:
    return outbound.reconcile_outbox()
