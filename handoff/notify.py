"""Who is told about an event, on which channel, and when: preferences, quiet hours and
digests. One Notification row per (event, recipient, channel), so nothing is sent twice
for one event however often the event is dispatched.

A person with more than NOTIFY_DIGEST_AFTER mails within NOTIFY_DIGEST_WINDOW_SECONDS
gets the rest in one summary mail when the window ends (a backlog drain sends a handful of
mails, not a thousand); a person in their quiet hours gets one summary when they end.
"""

import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from handoff import http, messages, payloads
from handoff.models import Channel, Notification, Preference, QueueChannel
from intake.models import Event, Lead
from routing.models import QueueMembership

logger = logging.getLogger(__name__)

RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=2)
MANAGER_GROUP = "manager"


def plan(event: Event, *, now: datetime) -> list[int]:
    """Notification rows for the event; the ids to send now (held ones wait)."""
    lead = (
        Lead.objects.select_related("contact", "triage__queue", "triage__assignee")
        .filter(pk=event.lead_id)
        .first()
    )
    triage = getattr(lead, "triage", None) if lead else None
    if lead is None or triage is None:
        return []
    people = recipients(event, lead, triage)
    rows = []
    for user, reason in people:
        text = messages.compose(lead, reason, assignee_name=display(triage.assignee))
        rows += for_person(event, user, reason, text, now=now)
    if reason_for_channels(event, triage):
        text = messages.compose(lead, "hot", assignee_name=display(triage.assignee))
        for channel in QueueChannel.objects.filter(queue_id=triage.queue_id, enabled=True):
            if triage.score >= channel.min_score:
                rows.append(
                    Notification(
                        event=event,
                        recipient=f"queue-channel:{channel.pk}",
                        queue_channel=channel,
                        channel=channel.kind,
                        reason="hot",
                        subject=text.subject,
                        text=text.body,
                        next_attempt_at=now,
                    )
                )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.filter(event=event, status=Notification.Status.PENDING).values_list(
            "pk", flat=True
        )
    )


def recipients(event: Event, lead: Lead, triage) -> list[tuple]:
    """(user, reason) pairs: who this event concerns."""
    users = get_user_model().objects.filter(is_active=True)
    if event.kind == Event.Kind.LEAD_ASSIGNED:
        assignee_id = event.data.get("assignee_id")
        if not assignee_id or assignee_id == event.data.get("by_user_id"):
            return []  # a rep who claims a lead knows
        return [(user, Event.Kind.LEAD_ASSIGNED) for user in users.filter(pk=assignee_id)]
    if event.kind == Event.Kind.LEAD_TRIAGED:
        if not triage.queue_id or triage.score < settings.NOTIFY_HOT_SCORE:
            return []
        members = QueueMembership.objects.filter(queue_id=triage.queue_id, is_active=True)
        # The owner hears of it by the assignment's own notification.
        members = members.exclude(user_id=triage.assignee_id)
        return [(user, "hot") for user in users.filter(pk__in=members.values("user_id"))]
    if event.kind == Event.Kind.SLA_WARNING:
        if triage.assignee_id:
            return [(user, event.kind) for user in users.filter(pk=triage.assignee_id)]
        members = QueueMembership.objects.filter(queue_id=triage.queue_id, is_active=True)
        return [(user, event.kind) for user in users.filter(pk__in=members.values("user_id"))]
    if event.kind == Event.Kind.SLA_BREACHED:
        managers = users.filter(groups__name=MANAGER_GROUP)
        of_queue = managers.filter(
            queuemembership__queue_id=triage.queue_id, queuemembership__is_active=True
        )
        chosen = list(of_queue) or list(managers)
        if triage.assignee_id and triage.assignee_id not in {u.pk for u in chosen}:
            chosen += list(users.filter(pk=triage.assignee_id))
        return [(user, event.kind) for user in chosen]
    return []


def reason_for_channels(event: Event, triage) -> bool:
    return event.kind == Event.Kind.LEAD_TRIAGED and bool(triage.queue_id)


def for_person(event: Event, user, reason: str, text, *, now: datetime) -> list[Notification]:
    preference = Preference.objects.filter(user=user).first() or Preference(user=user)
    if reason not in (preference.events or []):
        return []
    channels = []
    if preference.email and user.email:
        channels.append(Channel.EMAIL)
    if preference.slack_webhook_url:
        channels.append(Channel.SLACK)
    hold_until = quiet_until(preference, now)
    if hold_until is None and Channel.EMAIL in channels and over_digest_limit(user, now):
        hold_until = now + timedelta(seconds=settings.NOTIFY_DIGEST_WINDOW_SECONDS)
    return [
        Notification(
            event=event,
            recipient=f"user:{user.pk}",
            user=user,
            channel=channel,
            reason=reason,
            subject=text.subject,
            text=text.body,
            status=Notification.Status.HELD if hold_until else Notification.Status.PENDING,
            hold_until=hold_until,
            next_attempt_at=hold_until or now,
        )
        for channel in channels
    ]


def quiet_until(preference: Preference, now: datetime) -> datetime | None:
    """When the person's quiet hours end, if they are in them now."""
    start, end = preference.quiet_start, preference.quiet_end
    if start is None or end is None or start == end:
        return None
    try:
        zone = ZoneInfo(preference.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    moment = local.time()
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends


def over_digest_limit(user, now: datetime) -> bool:
    since = now - timedelta(seconds=settings.NOTIFY_DIGEST_WINDOW_SECONDS)
    recent = Notification.objects.filter(
        user=user, channel=Channel.EMAIL, created_at__gte=since
    ).count()
    return recent >= settings.NOTIFY_DIGEST_AFTER


def display(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def enqueue(notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        transaction.on_commit(
            lambda n=notification_id: async_task(
                "handoff.tasks.send_notification",
                n,
                timeout=settings.OUTBOUND_TIMEOUT_SECONDS + 20,
            )
        )


def send(notification_id: int, *, now: datetime | None = None) -> bool:
    """Send one pending notification when it is due and nobody else is. True when sent."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimed = Notification.objects.filter(
        free, pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    notification = Notification.objects.select_related("user", "queue_channel", "event").get(
        pk=notification_id
    )
    try:
        deliver(notification)
    except (http.TransportError, OSError) as exc:
        give_up = notification.attempts >= MAX_ATTEMPTS or getattr(exc, "permanent", False)
        logger.warning(
            "notification %s failed (attempt %s): %s", notification.pk, notification.attempts, exc
        )
        Notification.objects.filter(pk=notification.pk).update(
            claimed_until=None,
            last_error=str(exc)[:300],
            status=Notification.Status.FAILED if give_up else Notification.Status.PENDING,
            next_attempt_at=now + RETRY_DELAYS[min(notification.attempts, 3) - 1],
        )
        return False
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def deliver(notification: Notification) -> None:
    url = payloads.lead_url(notification.event.data.get("lead_id"))
    if notification.channel == Channel.EMAIL:
        EmailMessage(notification.subject, notification.text, to=[notification.user.email]).send()
        return
    if notification.queue_channel_id:
        target = notification.queue_channel.url
    else:
        target = Preference.objects.get(user=notification.user).slack_webhook_url
    if notification.channel == Channel.TEAMS:
        body = messages.teams_payload(notification.subject, notification.text, url)
    else:
        body = messages.slack_payload(notification.subject, notification.text, url)
    http.request(
        "POST",
        target,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )


def due(*, now: datetime, limit: int = 500) -> list[int]:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    lost = Q(attempts__gt=0) | Q(created_at__lt=now - timedelta(minutes=1))
    return list(
        Notification.objects.filter(
            free, lost, status=Notification.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def send_digests(*, now: datetime | None = None) -> int:
    """One summary per person and channel whose held notifications are due: everything
    held for them goes in it. Returns how many summaries were sent."""
    now = now or timezone.now()
    pairs = (
        Notification.objects.filter(status=Notification.Status.HELD, hold_until__lte=now)
        .values_list("user_id", "channel")
        .distinct()
    )
    sent = 0
    for user_id, channel in list(pairs):
        sent += send_digest(user_id, channel, now=now)
    return sent


def send_digest(user_id: int, channel: str, *, now: datetime) -> int:
    with transaction.atomic():
        held = list(
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(
                user_id=user_id,
                channel=channel,
                status=Notification.Status.HELD,
                hold_until__lte=now,
            )
            .order_by("created_at")
        )
        if not held:
            return 0
        user = held[0].user
        if len(held) == 1:
            subject, body = held[0].subject, held[0].text
        else:
            subject = f"{len(held)} leads for you while you were away or busy"
            body = "\n\n".join(f"{item.subject}\n{item.text}" for item in held)
        url = f"{settings.SITE_URL}/"
        if channel == Channel.EMAIL:
            EmailMessage(subject, body, to=[user.email]).send()
        else:
            target = Preference.objects.get(user=user).slack_webhook_url
            payload = messages.slack_payload(subject, body, url)
            http.request(
                "POST",
                target,
                body=json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
            )
        Notification.objects.filter(pk__in=[item.pk for item in held]).update(
            status=Notification.Status.DIGESTED, sent_at=now
        )
    return 1
