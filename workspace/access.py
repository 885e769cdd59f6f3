"""Who sees what: one rule for every way in to a lead (workspace pages and partials,
downloads, the REST API). A rep sees the leads of the queues they actively work; a manager
(the manager group, or staff) sees every queue. Anything else is a 404.

The REST API adds one role, the `integration` group (a CRM sync, a partner portal): its
tokens read every lead and are the only ones that create leads. It is not a sales role, so
it opens no workspace page."""

from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import ArrayAgg, BoolOr
from django.db.models import Q, QuerySet
from django.http import Http404

from intake.models import Lead
from routing.models import QueueMembership

User = get_user_model()

SALES_GROUPS = ("sales", "manager")
INTEGRATION_GROUP = "integration"


# --- Who sees what --------------------------------------------------------------------


def roles(user) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_workspace_roles", None)
    if cached is None:
        names = (*SALES_GROUPS, INTEGRATION_GROUP)
        cached = set(user.groups.filter(name__in=names).values_list("name", flat=True))
        if user.is_staff:
            cached.add("manager")
        user._workspace_roles = cached
    return cached


def can_work(user) -> bool:
    return bool(roles(user) & set(SALES_GROUPS))


def is_integration(user) -> bool:
    return INTEGRATION_GROUP in roles(user)


def is_manager(user) -> bool:
    return "manager" in roles(user)


def queue_ids(user) -> list[int] | None:
    """The queues this user works; None for a manager, who sees every queue."""
    if is_manager(user):
        return None
    cached = getattr(user, "_workspace_queues", None)
    if cached is None:
        cached = list(
            QueueMembership.objects.filter(user=user, is_active=True).values_list(
                "queue_id", flat=True
            )
        )
        user._workspace_queues = cached
    return cached


def visible_leads(user) -> QuerySet[Lead]:
    ids = queue_ids(user)
    if ids is None:
        return Lead.objects.all()
    return Lead.objects.filter(triage__queue_id__in=ids)


def can_use_api(user) -> bool:
    return can_work(user) or is_integration(user)


def api_leads(user) -> QuerySet[Lead]:
    """What an API token reads: every lead for the integration role, else the workspace's
    rule for its user (callers check `can_use_api` first)."""
    if is_integration(user):
        return Lead.objects.all()
    return visible_leads(user)


def lead_for(user, lead_id: int) -> Lead:
    """The lead if this user may see it. Another queue's lead is a 404, not a 403: its
    existence is not the rep's business."""
    leads = visible_leads(user).select_related("contact", "triage", "triage__queue")
    lead = leads.filter(pk=lead_id).first()
    if lead is None:
        raise Http404("No such lead in your queues.")
    return lead


def sales_users() -> QuerySet:
    """Everyone who works leads: the sales and manager groups, and staff."""
    return (
        User.objects.filter(Q(groups__name__in=SALES_GROUPS) | Q(is_staff=True), is_active=True)
        .distinct()
        .order_by("username")
    )


# --- Who may take a lead ------------------------------------------------------------------
# One rule for the lead page's Claim and Assign, the queue's Claim button and bulk assign:
# a lead in a queue goes to an active member of that queue with a sales role, or to a
# manager (who sees every queue); a lead in no queue to anyone with a sales role.

MANAGER = Q(groups__name="manager") | Q(is_staff=True)


def _takers(queue_id: int | None) -> Q:
    if not queue_id:
        return Q(groups__name__in=SALES_GROUPS) | Q(is_staff=True)
    member = Q(
        queuemembership__queue_id=queue_id,
        queuemembership__is_active=True,
        groups__name__in=SALES_GROUPS,
    )
    return member | MANAGER


def assignable_users(lead: Lead) -> QuerySet:
    """Who may take this lead (the rule above), by name."""
    triage = getattr(lead, "triage", None)
    queue_id = triage.queue_id if triage is not None else None
    return User.objects.filter(_takers(queue_id), is_active=True).distinct().order_by("username")


def can_take(user, lead: Lead) -> bool:
    if not can_work(user):
        return False
    if is_manager(user):
        return True
    triage = getattr(lead, "triage", None)
    if triage is None or not triage.queue_id:
        return True
    return triage.queue_id in (queue_ids(user) or [])


def takers(queues) -> list[dict]:
    """For the queue page's bulk assign: everyone who may take leads of these queues, with
    the queues they may take ("all" for a manager), so the menu offers only them. One query."""
    queue_ids_ = [q.pk for q in queues]
    users = (
        User.objects.filter(is_active=True)
        .filter(
            MANAGER
            | Q(
                queuemembership__queue_id__in=queue_ids_,
                queuemembership__is_active=True,
                groups__name__in=SALES_GROUPS,
            )
        )
        .annotate(
            member_of=ArrayAgg(
                "queuemembership__queue_id",
                distinct=True,
                filter=Q(queuemembership__is_active=True, queuemembership__queue_id__in=queue_ids_),
                default=[],
            ),
            manages=BoolOr(Q(groups__name="manager") | Q(is_staff=True)),
        )
        .order_by("username")
    )
    return [
        {
            "user": user,
            "queues": "all" if user.manages else " ".join(map(str, sorted(user.member_of))),
        }
        for user in users
    ]
