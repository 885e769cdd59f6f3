"""Reps, managers and decided leads for the workspace tests, built through real services."""

from django.contrib.auth.models import Group

from intake.models import Lead
from routing import services
from routing.models import Queue, QueueMembership
from tests.helpers import make_lead, make_user


def make_rep(username: str = "rep", *, queues: tuple[str, ...] = ("sales",), **kwargs):
    user = make_user(username, **kwargs)
    user.groups.add(Group.objects.get_or_create(name="sales")[0])
    for slug in queues:
        QueueMembership.objects.create(queue=Queue.objects.get(slug=slug), user=user)
    return user


def make_manager(username: str = "boss"):
    user = make_user(username)
    user.groups.add(Group.objects.get_or_create(name="manager")[0])
    return user


def decided_lead(**overrides) -> Lead:
    """A lead triaged by the local classifier (tests have no API key), in its queue."""
    lead = make_lead(**overrides)
    services.triage_lead(lead.pk)
    lead.refresh_from_db()
    return lead


def sales_lead(n: int = 1, **overrides) -> Lead:
    """A demo request: the local classifier puts it in the sales queue."""
    defaults = {
        "subject": f"Demo request for our team of 40 ({n})",
        "message_id": f"<sales-{n}@acme-widgets.com>",
        "body": "Hi, we would like a demo for our team of 40 next week. Budget is approved.",
    }
    return decided_lead(**{**defaults, **overrides})


def support_lead(n: int = 1, **overrides) -> Lead:
    defaults = {
        "subject": f"Login problem after password reset ({n})",
        "message_id": f"<support-{n}@customer.example>",
        "sender": "Pat User <pat@customer.example>",
        "body": "I cannot log in since the password reset, the error says invalid token. "
        "We are an existing customer.",
    }
    return decided_lead(**{**defaults, **overrides})
