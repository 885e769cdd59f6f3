"""Thin django-q2 entry points: take an id, call a service."""

from intake import services


def process_message(message_id: int) -> None:
    services.process_message(message_id)


def requeue_stuck_messages() -> int:
    return services.requeue_stuck_messages()


def prune_webhook_nonces() -> int:
    return services.prune_webhook_nonces()
