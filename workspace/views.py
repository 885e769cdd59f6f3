"""The sales workspace: the queue page (filters, search, keyset paging, live updates, saved
views, bulk actions) and the helpers every workspace view shares. The lead page and the
actions on one lead are in lead_views.py.

Function views (STYLE.md)."""

from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import BooleanField, Count, F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from intake import inputs, search
from intake.models import Channel, Lead
from routing.models import (
    NO_SLA,
    Category,
    Queue,
    SavedView,
    Triage,
    model_family,
)
from workspace import access, actions
from workspace.forms import QueueFilterForm, SavedViewForm

PAGE_SIZE = 50
POLL_OVERLAP = timedelta(seconds=5)
QUEUE_COUNTS_SECONDS = 15

# Pages: our own script and styles only; nothing inline, nothing remote.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def number(value: str | None) -> int | None:
    """An id or a tier from a form: ASCII digits only ("²".isdigit() is True)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdecimal() else None


def numbers(values) -> list[int]:
    return [n for n in map(number, values) if n is not None]


def parse_since(request) -> datetime | None:
    """The poll's `since`: None when it is no time at all (the default window applies); a
    time we cannot compute with (year 1 minus the overlap overflows) is a 400."""
    value = request.GET.get("since", "")
    try:
        if parse_datetime(value) is None:
            return None
    except ValueError:  # well-formed but impossible, like 2026-02-30
        return None
    try:
        return inputs.client_datetime(value)
    except ValueError as exc:
        raise BadRequest(f"since: {exc}") from None


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def workspace_view(view):
    """Signed in, with a sales role, under the page CSP."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_work(request.user):
            raise PermissionDenied("Your account has no sales role; ask an admin.")
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response

    return wrapper


# --- The queue -----------------------------------------------------------------------------


@require_GET
@workspace_view
def queue(request):
    return render(request, "workspace/queue.html", queue_context(request))


def read_filters(request) -> tuple[QueueFilterForm, dict, list[Queue]]:
    """The queue filters from the query string. One that does not parse is left out (the
    page says so); the rest still apply."""
    queues = list(visible_queues(request.user))
    categories = list(Category.objects.filter(is_active=True))
    form = QueueFilterForm(request.GET or None, queues=queues, categories=categories)
    form.is_valid()
    return form, (form.cleaned_data if form.is_bound else {}), queues


def queue_context(request) -> dict:
    # Taken before the rows are read: a change made while this page renders is polled again.
    since = timezone.now()
    form, filters, queues = read_filters(request)
    leads = filtered_leads(request.user, filters, queues)
    after = decode_cursor(request.GET.get("after", ""))
    rows = list(page_of(leads, after)[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    decorate(rows)
    query = filter_query(request.GET)
    next_url = ""
    if has_more:
        next_url = "?" + urlencode({**dict(query), "after": encode_cursor(rows[-1])})
    return {
        "form": form,
        "rows": rows,
        "next_url": next_url,
        "paged": bool(after),
        "query": urlencode(query),
        "queue_counts": queue_counts(request.user, queues),
        "saved_views": SavedView.objects.filter(user=request.user),
        "since": since.isoformat(),
        "poll_seconds": settings.WORKSPACE_POLL_SECONDS,
        "assignees": access.sales_users(),
        "statuses": Lead.Status.choices,
    }


def visible_queues(user):
    ids = access.queue_ids(user)
    queues = Queue.objects.order_by("name")
    return queues if ids is None else queues.filter(pk__in=ids)


def filtered_leads(user, filters: dict, queues: list[Queue]):
    leads = access.visible_leads(user).filter(triage__isnull=False)
    # On the triage's copy of the status, so the filter and the order share an index.
    status = filters.get("status") or ""
    if status == "":
        leads = leads.filter(triage__lead_status__in=Lead.OPEN_STATUSES)
    elif status != "all":
        leads = leads.filter(triage__lead_status=status)
    if filters.get("queue"):
        leads = leads.filter(triage__queue__slug=filters["queue"])
    if filters.get("category"):
        leads = leads.filter(triage__category=filters["category"])
    if filters.get("score_min") is not None:
        leads = leads.filter(triage__score__gte=filters["score_min"])
    if filters.get("score_max") is not None:
        leads = leads.filter(triage__score__lte=filters["score_max"])
    if filters.get("owner") == "mine":
        leads = leads.filter(triage__assignee=user)
    elif filters.get("owner") == "unassigned":
        leads = leads.filter(triage__assignee__isnull=True)
    if filters.get("channel"):
        leads = leads.filter(channel=filters["channel"])
    model = filters.get("model")
    if model in ("rules", "local"):
        leads = leads.filter(triage__model=model)
    elif model:
        leads = leads.filter(triage__model__startswith=f"claude-{model}")
    if filters.get("received_from"):
        leads = leads.filter(received_at__date__gte=filters["received_from"])
    if filters.get("received_to"):
        leads = leads.filter(received_at__date__lte=filters["received_to"])
    if filters.get("q"):
        query = search.parse_query(filters["q"])
        if query is not None:
            leads = leads.filter(search=query)
    return leads.select_related("contact", "triage", "triage__queue", "triage__assignee").defer(
        "search", "reply_token", "subject_key", "queue_hint"
    )


# Keyset pagination on (priority, SLA due, lead): no OFFSET and no COUNT over the table, so
# page 400 costs what page 1 does. The order is the one the triage indexes hold.
ORDER = [F("triage__priority"), Coalesce("triage__sla_due", Value(NO_SLA)), F("triage__lead_id")]
AFTER = (
    '("routing_triage"."priority", COALESCE("routing_triage"."sla_due", %s), '
    '"routing_triage"."lead_id") > (%s, %s, %s)'
)


def page_of(leads, after: tuple | None):
    leads = leads.order_by(*ORDER)
    if after is None:
        return leads
    priority, due, pk = after
    return leads.filter(RawSQL(AFTER, (NO_SLA, priority, due or NO_SLA, pk), BooleanField()))


def encode_cursor(lead: Lead) -> str:
    due = lead.triage.sla_due.isoformat() if lead.triage.sla_due else ""
    return f"{lead.triage.priority}~{due}~{lead.pk}"


def decode_cursor(value: str) -> tuple | None:
    try:
        priority, due, pk = value.split("~")
        return int(priority), (parse_datetime(due) if due else None), int(pk)
    except (ValueError, TypeError):
        return None


def filter_query(params) -> list[tuple[str, str]]:
    return [(k, v) for k, v in params.items() if k in QueueFilterForm.base_fields and v]


def decorate(leads: list[Lead]) -> None:
    """Everything a row shows, as plain strings: 50 rows render in a few milliseconds."""
    now = timezone.now()
    statuses = dict(Lead.Status.choices)
    channels = dict(Channel.choices)
    lead_url = reverse("lead", args=[0])[: -len("0/")]
    for lead in leads:
        triage = lead.triage
        contact = lead.contact
        lead.url = f"{lead_url}{lead.pk}/"
        lead.who = contact.name or contact.email
        lead.company = contact.company or contact.domain
        subject = lead.subject or "(no subject)"
        lead.subject_short = subject if len(subject) <= 90 else subject[:89] + "…"
        lead.status_label = statuses.get(lead.status, lead.status) if lead.status != "new" else ""
        lead.family = model_family(triage.model) if triage.model else "pending"
        lead.model_label = lead.family.capitalize() + ("*" if triage.provisional else "")
        lead.reasons = "; ".join(map(str, triage.escalation_reasons or []))
        lead.channel_label = channels.get(lead.channel, lead.channel)
        lead.received_iso = lead.received_at.isoformat()
        lead.age = short_duration(now - lead.received_at)
        answered = lead.first_response_at and lead.first_response_at <= (triage.sla_due or now)
        lead.breached = bool(
            triage.sla_due
            and triage.sla_due < now
            and lead.status in Lead.OPEN_STATUSES
            and not answered
        )
        lead.row_class = "breached" if lead.breached else ""
        if lead.first_response_at:
            # Answered: how long our first reply took, against the queue's SLA.
            late = triage.sla_due and lead.first_response_at > triage.sla_due
            took = short_duration(lead.first_response_at - lead.received_at)
            lead.sla_text = f"answered in {took}" + (" (after the SLA)" if late else "")
        elif triage.sla_due is None or lead.status not in Lead.OPEN_STATUSES:
            lead.sla_text = ""
        elif lead.breached:
            lead.sla_text = f"SLA breached {short_duration(now - triage.sla_due)} ago"
        else:
            lead.sla_text = f"SLA in {short_duration(triage.sla_due - now)}"
        assignee = triage.assignee
        lead.owner = (assignee.get_full_name() or assignee.username) if assignee else ""


def short_duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d}" if minutes < 600 else f"{minutes // 60} h"
    days = minutes // (24 * 60)
    return f"{days} d" if days < 60 else f"{days // 30} mo"


def queue_counts(user, queues: list[Queue]) -> list[dict]:
    """Open leads per visible queue; cached briefly, since every page view shows them."""
    key = "workspace:queue-counts:" + ",".join(str(q.pk) for q in queues)
    counts = cache.get(key)
    if counts is None:
        counts = dict(
            Triage.objects.filter(
                queue__in=[q.pk for q in queues], lead_status__in=Lead.OPEN_STATUSES
            )
            .values_list("queue")
            .annotate(n=Count("pk"))
        )
        cache.set(key, counts, QUEUE_COUNTS_SECONDS)
    return [{"queue": q, "open": counts.get(q.pk, 0)} for q in queues]


@require_GET
@workspace_view
def queue_updates(request):
    """What changed since the page last looked, as out-of-band swaps: rows on the page are
    replaced in place, new ones arrive at the top; nothing else on the page moves."""
    now = timezone.now()
    since = parse_since(request) or now - timedelta(seconds=settings.WORKSPACE_POLL_SECONDS)
    # A little overlap: a write stamped just before `since` may commit just after the last
    # poll; replacing a row twice is harmless.
    since -= POLL_OVERLAP
    visible = access.visible_leads(request.user)
    changed = set(
        visible.filter(updated_at__gt=since)
        .order_by("-updated_at")
        .values_list("pk", flat=True)[:200]
    )
    changed |= set(
        visible.filter(triage__decided_at__gt=since)
        .order_by("-triage__decided_at")
        .values_list("pk", flat=True)[:200]
    )
    rows = []
    if changed:
        _, filters, queues = read_filters(request)
        rows = list(
            filtered_leads(request.user, filters, queues)
            .filter(pk__in=changed)
            .order_by(*ORDER)[:100]
        )
        decorate(rows)
    shown = set(numbers(request.GET.get("shown", "").split(",")))
    return render(
        request,
        "workspace/_queue_updates.html",
        {
            "updated": [r for r in rows if r.pk in shown],
            # New to the queue (decided since), not an old lead someone touched on page 5.
            "arrived": [
                r
                for r in rows
                if r.pk not in shown and r.triage.decided_at and r.triage.decided_at > since
            ],
            "since": now.isoformat(),
            "query": urlencode(filter_query(request.GET)),
            "poll_seconds": settings.WORKSPACE_POLL_SECONDS,
        },
    )


@require_POST
@workspace_view
def save_view(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        SavedView.objects.update_or_create(
            user=request.user,
            name=form.cleaned_data["name"],
            defaults={"query": form.cleaned_data["query"].lstrip("?")},
        )
        messages.success(request, f"Saved view “{form.cleaned_data['name']}”.")
    else:
        messages.error(request, "A saved view needs a name.")
    return redirect(reverse("queue") + "?" + form.data.get("query", "").lstrip("?"))


@require_POST
@workspace_view
def delete_view(request, view_id: int):
    get_object_or_404(SavedView, pk=view_id, user=request.user).delete()
    return redirect("queue")


@require_POST
@workspace_view
def bulk_action(request):
    ids = numbers(request.POST.getlist("lead"))
    action = request.POST.get("action", "")
    value = request.POST.get(f"{action}_value", "")
    try:
        done, problems = actions.bulk(request.user, ids, action, value)
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{done} lead{'s' if done != 1 else ''} updated.")
        for problem in problems[:10]:
            messages.warning(request, problem)
    return redirect(reverse("queue") + "?" + request.POST.get("query", ""))
