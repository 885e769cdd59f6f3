"""Code, not the model, turns a triage output into a score, a queue, a priority and an owner."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from intake.models import Lead
from routing import config
from routing.models import Queue, RoutingPolicy, Triage

DEFAULT_WEIGHTS = {"budget": 25, "authority": 20, "need": 25, "timeline": 15, "company_size": 15}


def compute_score(output, policy: RoutingPolicy) -> int:
    """0-100 from the qualification facts the model backed with evidence."""
    if not output.is_lead:
        return 0
    weights = policy.score_weights or DEFAULT_WEIGHTS
    total = sum(int(w) for w in weights.values()) or 1
    points = 0
    for name, weight in weights.items():
        fact = getattr(output.qualification, name, None)
        if fact is not None and fact.value and fact.evidence:
            points += int(weight)
    return round(points * 100 / total)


def compute_priority(score: int, urgency: str) -> int:
    """1 (most urgent) to 5."""
    priority = 5 - min(score // 25, 3)  # 0-24 → 5, 25-49 → 4, 50-74 → 3, 75+ → 2
    if urgency == "high":
        priority -= 1
    elif urgency == "low":
        priority += 1
    return max(1, min(5, priority))


def assign(
    triage: Triage,
    lead: Lead,
    policy: RoutingPolicy,
    *,
    queue_slug: str | None = None,
    assignee: str | None = None,
    review: bool = False,
) -> None:
    """Set queue, SLA due and assignee on an unsaved triage (the caller saves it)."""
    known = config.current()
    queue = None
    if review and policy.review_queue_id:
        queue = policy.review_queue
    elif queue_slug:
        queue = known.queues.get(queue_slug)
    if queue is None and not review:
        category = known.categories_by_slug.get(triage.category)
        if category is not None and category.queue_id:
            queue = category.queue
        elif category is not None and not category.is_sales:
            # Spam, vendor pitches, automatic mail: nobody's sales queue.
            triage.queue, triage.sla_due = None, None
            return
        if queue is None and lead.queue_hint:
            queue = known.queues.get(lead.queue_hint)
    queue = queue or policy.default_queue
    triage.queue = queue
    if queue is None:
        return
    triage.sla_due = (lead.received_at or timezone.now()) + timedelta(minutes=queue.sla_minutes)
    if assignee:
        user = get_user_model().objects.filter(username=assignee, is_active=True).first()
        if user is not None:
            triage.assignee = user
            return
    if triage.assignee_id:
        return
    if queue.strategy == Queue.Strategy.ROUND_ROBIN:
        triage.assignee_id = next_in_rotation(queue)
    elif queue.strategy == Queue.Strategy.LEAST_LOADED:
        triage.assignee_id = least_loaded(queue)


def _members_with_room(queue: Queue) -> list[tuple[int, int, int]]:
    """(user id, open leads, capacity) of the active members under their capacity, by id."""
    members = config.current().members.get(queue.pk, ())
    if not members:
        return []
    loads = dict(
        Triage.objects.filter(
            assignee_id__in=[user_id for user_id, _ in members],
            lead__status__in=Lead.WORKLOAD_STATUSES,
        )
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("assignee_id", "n")
        .order_by()
    )
    members = [(user_id, loads.get(user_id, 0), capacity) for user_id, capacity in members]
    return [member for member in members if member[1] < member[2]]


def least_loaded(queue: Queue) -> int | None:
    """The user id of the member with the most room, relative to their capacity."""
    candidates = _members_with_room(queue)
    if not candidates:
        return None
    user_id, _, _ = min(candidates, key=lambda m: (m[1] / max(m[2], 1), m[0]))
    return user_id


def next_in_rotation(queue: Queue) -> int | None:
    """The member after the last one who got a lead, skipping anyone at capacity (a user id)."""
    members = _members_with_room(queue)
    if not members:
        return None
    queue = Queue.objects.select_for_update().get(pk=queue.pk)
    last = queue.last_assigned_id
    after = [user_id for user_id, _, _ in members if last is None or user_id > last]
    chosen = (after or [members[0][0]])[0]
    Queue.objects.filter(pk=queue.pk).update(last_assigned=chosen)
    return chosen
