"""Thin django-q2 entry points: take an id, call a service."""

from workspace import compose


def send_reply(outbox_id: int) -> None:
    compose.deliver_reply(outbox_id)
