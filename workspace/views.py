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
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from intake import inputs, search
from intake.models import Channel, Lead
from routing.models import Category, FollowUp, Queue, SavedView, Triage
from workspace import access, actions, labels, live, ordering
from workspace.forms import QueueFilterForm, SavedViewForm

PAGE_SIZE = 50
POLL_OVERLAP = timedelta(seconds=5)
# Up to this many matches the page says exactly how many ("200+ leads" beyond): counted in
# the page's own order, so it reads at most four pages' worth of the same index.
COUNT_CAP = 200
# The tabs' counts, cached under a key that changes with every lead (queue_counts).
QUEUE_COUNTS_SECONDS = 300

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


def read_filters(request) -> tuple[QueueFilterForm, dict, list[Queue], list[Category]]:
    """The queue filters from the query string. One that does not parse is left out (the
    page says so); the rest still apply."""
    queues = list(visible_queues(request.user))
    categories = list(Category.objects.filter(is_active=True))
    form = QueueFilterForm(request.GET or None, queues=queues, categories=categories)
    form.is_valid()
    return form, (form.cleaned_data if form.is_bound else {}), queues, categories


def queue_context(request) -> dict:
    # Taken before the rows are read: a change made while this page renders is polled again.
    since = timezone.now()
    user = request.user
    form, filters, queues, categories = read_filters(request)
    sort = current_sort(filters)
    leads = filtered_leads(user, filters, queues)
    after = ordering.decode_cursor(request.GET.get("after", ""), sort)
    rows = list(ordering.page_of(leads, sort, after)[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    decorate(rows, {c.slug: c.name for c in categories})
    query = filter_query(request.GET)
    counts, due = queue_counts(user, queues)
    next_url = ""
    if has_more:
        cursor = ordering.encode_cursor(rows[-1], sort)
        next_url = "?" + urlencode({**dict(query), "after": cursor})
    return {
        "form": form,
        "rows": rows,
        "next_url": next_url,
        "paged": bool(after),
        "query": urlencode(query),
        "result_count": result_count(leads, sort, rows, has_more or bool(after)),
        "chips": filter_chips(form, query),
        "sort_links": sort_links(query, sort, sortable(filters)),
        "show_queue": access.is_manager(user),
        "queue_counts": counts,
        "follow_ups_due": due,
        "saved_views": SavedView.objects.filter(user=user),
        "since": since.isoformat(),
        "poll_seconds": settings.WORKSPACE_POLL_SECONDS,
        "live_stamp": live.initial(since),
        "live_seconds": settings.WORKSPACE_LIVE_SECONDS,
        "takers": access.takers(queues),
        "bulk_statuses": BULK_STATUSES,
    }


# The statuses a bulk change may set, each with the statuses it may come from (Lead's
# workflow, intake/models.py): the page offers only those valid for every selected lead.
BULK_STATUSES = [
    {
        "value": value,
        "label": label,
        "from": " ".join(k for k, nexts in Lead.NEXT_STATUSES.items() if value in nexts),
    }
    for value, label in Lead.Status.choices
    if any(value in nexts for nexts in Lead.NEXT_STATUSES.values())
]


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
    leads = follow_up_filter(leads, user, filters.get("follow_up") or "")
    return leads.select_related("contact", "triage", "triage__queue", "triage__assignee").defer(
        "search", "reply_token", "subject_key", "queue_hint"
    )


def follow_up_filter(leads, user, which: str):
    """Snoozed leads (a follow-up set for a later day) leave the default view until their
    day; "due" is this user's follow-ups from today on, "snoozed" the ones still waiting."""
    today = timezone.localdate()
    pending = FollowUp.objects.filter(done_at=None)
    leads = leads.annotate(
        follow_up_on=Subquery(pending.filter(lead=OuterRef("pk")).values("due_on")[:1])
    )
    if which == "due":
        mine = pending.filter(user=user, due_on__lte=today)
        return leads.filter(pk__in=mine.values("lead_id"))
    if which == "snoozed":
        return leads.filter(pk__in=pending.filter(due_on__gt=today).values("lead_id"))
    return leads.exclude(pk__in=pending.filter(due_on__gt=today).values("lead_id"))


def current_sort(filters: dict) -> ordering.Sort:
    return ordering.sort_for(filters.get("sort")) if sortable(filters) else ordering.DEFAULT


def sortable(filters: dict) -> bool:
    """The other orders have indexes over open leads only (see routing's Triage)."""
    status = filters.get("status") or ""
    return status == "" or status in Lead.OPEN_STATUSES


def sort_links(query: list[tuple[str, str]], sort: ordering.Sort, enabled: bool) -> dict:
    """The column headers that sort: a link each (to their order, or back to priority)."""
    if not enabled:
        return {}
    base = [(k, v) for k, v in query if k != "sort"]
    links = {}
    for key, option in ordering.SORTS.items():
        params = base + ([("sort", key)] if key else [])
        links[key or "priority"] = {
            "url": "?" + urlencode(params),
            "active": option is sort,
            "label": option.label,
        }
    return links


def result_count(leads, sort: ordering.Sort, rows: list, more: bool) -> str:
    """How many leads match: exact up to COUNT_CAP, bounded so it never counts the table."""
    if not more:
        n = len(rows)
    else:
        n = leads.order_by(*sort.order).values("pk")[: COUNT_CAP + 1].count()
    if n > COUNT_CAP:
        return f"{COUNT_CAP:,}+ leads"
    return f"{n:,} lead{'s' if n != 1 else ''}"


def filter_chips(form: QueueFilterForm, query: list[tuple[str, str]]) -> list[dict]:
    """The filters in force, each with a link that drops it."""
    chips = []
    for name, value in query:
        if name == "sort":
            continue
        field = form.fields[name]
        choices = dict(getattr(field, "choices", ()) or ())
        shown = choices.get(value, value)
        text = f"“{value}”" if name == "q" else shown
        rest = [(k, v) for k, v in query if k != name]
        chips.append(
            {"label": f"{field.label}: {text}", "url": "?" + urlencode(rest), "name": name}
        )
    return chips


def filter_query(params) -> list[tuple[str, str]]:
    return [(k, v) for k, v in params.items() if k in QueueFilterForm.base_fields and v]


def decorate(leads: list[Lead], categories: dict[str, str] | None = None) -> None:
    """Everything a row shows, as plain strings: 50 rows render in a few milliseconds."""
    if categories is None:
        categories = dict(Category.objects.values_list("slug", "name"))
    now = timezone.now()
    today = timezone.localdate()
    channels = dict(Channel.choices)
    lead_url = reverse("lead", args=[0])[: -len("0/")]
    for lead in leads:
        triage = lead.triage
        contact = lead.contact
        lead.url = f"{lead_url}{lead.pk}/"
        lead.who = contact.name or contact.email
        lead.company = contact.company or contact.domain
        lead.subject_short = lead.subject or "(no subject)"
        lead.status_label = labels.status_label(lead.status)
        lead.category_label = labels.category_label(triage.category, categories)
        lead.priority_label = f"P{triage.priority}"
        lead.queue_name = triage.queue.name if triage.queue_id else ""
        lead.family = labels.family(triage.model)
        lead.model_label = labels.family_label(triage.model) + ("*" if triage.provisional else "")
        lead.reasons = "; ".join(map(str, triage.escalation_reasons or []))
        lead.channel_label = channels.get(lead.channel, lead.channel)
        lead.received_iso = lead.received_at.isoformat()
        lead.age = short_duration(now - lead.received_at)
        answered = lead.first_response_at and lead.first_response_at <= (triage.sla_due or now)
        follow_up_on = getattr(lead, "follow_up_on", None)
        lead.follow_up_text = ""
        if follow_up_on:
            due = "due" if follow_up_on <= today else "on"
            lead.follow_up_text = f"Follow-up {due} {labels.day(follow_up_on)}"
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


def queue_counts(user, queues: list[Queue]) -> tuple[list[dict], int]:
    """Open leads per visible queue, and this user's follow-ups due.

    Counting every open lead per queue costs more than the rest of the page at a million
    leads, so the counts are cached, under a key that changes whenever a lead changes: the
    newest `updated_at` (every status move, claim, correction and merge bumps it) and the
    newest decision (a lead arriving in a queue). One indexed query reads both stamps and
    the follow-ups; a new lead or a status change recounts at once, so the tabs never lag
    the rows (the poll sends them again with the rows it swaps)."""
    with connection.cursor() as cursor:
        cursor.execute(COUNT_STAMPS, [user.pk, timezone.localdate()])
        lead_stamp, decided_stamp, due = cursor.fetchone()
    key = "workspace:queue-counts:{}:{}:{}".format(
        ",".join(str(q.pk) for q in queues),
        lead_stamp.isoformat() if lead_stamp else "",
        decided_stamp.isoformat() if decided_stamp else "",
    )
    counts = cache.get(key)
    if counts is None:
        counts = dict(
            Triage.objects.filter(
                queue__in=[q.pk for q in queues], lead_status__in=Lead.OPEN_STATUSES
            )
            .values_list("queue")
            .annotate(n=Count("pk"))
            .order_by()
        )
        cache.set(key, counts, QUEUE_COUNTS_SECONDS)
    return [{"queue": q, "open": counts.get(q.pk, 0)} for q in queues], due


# Each part walks one index backwards (or a partial index of pending follow-ups).
COUNT_STAMPS = (
    f"SELECT (SELECT max(updated_at) FROM {Lead._meta.db_table}), "
    f"(SELECT max(decided_at) FROM {Triage._meta.db_table}), "
    f"(SELECT count(*) FROM {FollowUp._meta.db_table} "
    "WHERE user_id = %s AND done_at IS NULL AND due_on <= %s)"
)


@require_GET
@workspace_view
def queue_updates(request):
    """What changed since the page last looked, as out-of-band swaps: rows on the page are
    replaced in place, new ones arrive at the top, the tabs' counts follow; nothing else on
    the page moves."""
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
    rows, counts, due, form = [], None, 0, None
    if changed:
        form, filters, queues, categories = read_filters(request)
        rows = list(
            filtered_leads(request.user, filters, queues)
            .filter(pk__in=changed)
            .order_by(*current_sort(filters).order)[:100]
        )
        decorate(rows, {c.slug: c.name for c in categories})
        # Something moved: the tabs' counts are sent with the rows, never behind them.
        counts, due = queue_counts(request.user, queues)
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
            "queue_counts": counts,
            "follow_ups_due": due,
            "form": form,
            "show_queue": access.is_manager(request.user),
            "since": now.isoformat(),
            "query": urlencode(filter_query(request.GET)),
            "poll_seconds": settings.WORKSPACE_POLL_SECONDS,
        },
    )


@require_GET
@workspace_view
def queue_changes(request):
    """The open queue page's question every second: did anything it may show change? Yes
    sends it for its rows (queue_updates); the answer itself carries no lead data."""
    stamp, changed = live.check(request.user, request.GET.get("stamp", ""))
    return JsonResponse({"stamp": stamp, "changed": changed}, headers={"Cache-Control": "no-store"})


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
        if done:
            messages.success(request, f"{done} lead{'s' if done != 1 else ''} updated.")
        else:
            messages.error(request, "No lead was updated.")
        for problem in problems[:10]:
            messages.warning(request, problem)
        if len(problems) > 10:
            messages.warning(request, f"… and {len(problems) - 10} more not updated.")
    return redirect(reverse("queue") + "?" + request.POST.get("query", ""))
