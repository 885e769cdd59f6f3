"""The JSON each event sends (README, "Outbound webhooks"): version 1.

{"type": "lead.assigned", "timestamp": "...", "version": 1,
 "data": {"lead": {...}, ...what the event adds}}

`lead` is the lead as it stands when the event is dispatched (within a second or two of
the change, unless the workers were down); the body is built once, so every retry of a
delivery sends the same bytes.
"""

import json

from django.conf import settings
from django.contrib.auth import get_user_model

from intake.models import Event, Lead
from routing.models import Triage

VERSION = 1


def lead_url(lead_id: int) -> str:
    return f"{settings.SITE_URL}/leads/{lead_id}/"


def build(event: Event) -> dict:
    return {
        "type": event.kind,
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "version": VERSION,
        "data": {"lead": describe_lead(event.data.get("lead_id")), **event_details(event)},
    }


def body(event: Event) -> str:
    return json.dumps(build(event), ensure_ascii=False, separators=(",", ":"), default=str)


def describe_lead(lead_id: int | None) -> dict | None:
    lead = (
        Lead.objects.select_related("contact", "triage__queue", "triage__assignee")
        .filter(pk=lead_id)
        .first()
        if lead_id
        else None
    )
    if lead is None:
        return {"id": lead_id, "deleted": True} if lead_id else None
    triage = getattr(lead, "triage", None)
    return {
        "id": lead.pk,
        "url": lead_url(lead.pk),
        "status": lead.status,
        "channel": lead.channel,
        "subject": lead.subject,
        "received_at": lead.received_at.isoformat(),
        "contact": {
            "email": lead.contact.email,
            "name": lead.contact.name,
            "company": lead.contact.company,
        },
        "triage": describe_triage(triage) if triage and triage.decided_at else None,
    }


def describe_triage(triage: Triage) -> dict:
    return {
        "category": triage.category,
        "is_lead": triage.is_lead,
        "score": triage.score,
        "priority": triage.priority,
        "urgency": triage.urgency,
        "summary": triage.summary,
        "next_action": triage.next_action,
        "budget": budget(triage),
        "decided_by": triage.model,
        "escalated": triage.escalated,
        "queue": triage.queue.slug if triage.queue else None,
        "assignee": describe_user(triage.assignee),
        "sla_due": triage.sla_due.isoformat() if triage.sla_due else None,
        "decided_at": triage.decided_at.isoformat(),
    }


def budget(triage: Triage) -> dict:
    """The budget fact: its words, and the amount in dollars when it was stated so (a
    string: money is a Decimal, never a float)."""
    fact = (triage.qualification or {}).get("budget") or {}
    amount = fact.get("amount_usd")
    return {"text": fact.get("value") or "", "amount_usd": str(amount) if amount else None}


def describe_user(user) -> dict | None:
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
    }


def event_details(event: Event) -> dict:
    data = event.data
    if event.kind == Event.Kind.LEAD_STATUS_CHANGED:
        return {"from": data.get("from"), "to": data.get("to")}
    if event.kind == Event.Kind.LEAD_ASSIGNED:
        users = get_user_model().objects
        return {
            "assignee": describe_user(users.filter(pk=data.get("assignee_id")).first()),
            "by": describe_user(users.filter(pk=data.get("by_user_id")).first())
            if data.get("by_user_id")
            else None,
        }
    if event.kind == Event.Kind.LEAD_REPLIED:
        return {"reply": {k: v for k, v in data.items() if k != "lead_id"}}
    if event.kind == Event.Kind.LEAD_CREATED:
        return {"channel": data.get("channel")}
    return {}
