"""The sales workspace: the queue, the lead page and what reps do to leads.

Function views (STYLE.md). A view answers the whole page, or only the part htmx asked
for when the request carries `HX-Request`.
"""

from datetime import UTC, datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from intake import search
from intake.models import Attachment, Channel, Lead, Message
from routing import workspace
from routing.dashboard import model_family
from routing.forms import NoteForm, QualificationForm, QueueFilterForm, SavedViewForm
from routing.models import (
    NO_SLA,
    OPEN_STATUSES,
    Category,
    Queue,
    RoutingPolicy,
    SavedView,
    Triage,
)

PAGE_SIZE = 50
POLL_OVERLAP = timedelta(seconds=5)
FACT_LABELS = {
    "budget": "Budget",
    "authority": "Authority",
    "need": "Need",
    "timeline": "Timeline",
    "company_size": "Company size",
}
QUEUE_COUNTS_SECONDS = 15

# Pages: our own script and styles only; nothing inline, nothing remote.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# An email's HTML: no script, no requests anywhere (remote images blocked), inline styles
# only, and a sandbox even if the iframe attribute were lost.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)


def number(value: str | None) -> int | None:
    """An id or a tier from a form: ASCII digits only ("²".isdigit() is True)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdecimal() else None


def numbers(values) -> list[int]:
    return [n for n in map(number, values) if n is not None]


def parse_since(request) -> datetime | None:
    try:
        return parse_datetime(request.GET.get("since", ""))
    except ValueError:  # well-formed but impossible, like 2026-02-30
        return None


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def workspace_view(view):
    """Signed in, with a sales role, under the page CSP."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not workspace.can_work(request.user):
            raise PermissionDenied("Your account has no sales role; ask an admin.")
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response

    return wrapper


# --- The queue -----------------------------------------------------------------------------


@require_GET
@workspace_view
def queue(request):
    return render(request, "routing/queue.html", queue_context(request))


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
        "assignees": workspace.sales_users(),
        "statuses": Lead.Status.choices,
    }


def visible_queues(user):
    ids = workspace.queue_ids(user)
    queues = Queue.objects.order_by("name")
    return queues if ids is None else queues.filter(pk__in=ids)


def filtered_leads(user, filters: dict, queues: list[Queue]):
    leads = workspace.visible_leads(user).filter(triage__isnull=False)
    # On the triage's copy of the status, so the filter and the order share an index.
    status = filters.get("status") or ""
    if status == "":
        leads = leads.filter(triage__lead_status__in=OPEN_STATUSES)
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
        lead.breached = bool(
            triage.sla_due and triage.sla_due < now and lead.status in Lead.OPEN_STATUSES
        )
        lead.row_class = "breached" if lead.breached else ""
        if triage.sla_due is None or lead.status not in Lead.OPEN_STATUSES:
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
            Triage.objects.filter(queue__in=[q.pk for q in queues], lead_status__in=OPEN_STATUSES)
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
    visible = workspace.visible_leads(request.user)
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
        "routing/_queue_updates.html",
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
        done, problems = workspace.bulk(request.user, ids, action, value)
    except workspace.ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{done} lead{'s' if done != 1 else ''} updated.")
        for problem in problems[:10]:
            messages.warning(request, problem)
    return redirect(reverse("queue") + "?" + request.POST.get("query", ""))


# --- The lead page -------------------------------------------------------------------------


@require_GET
@workspace_view
def lead_detail(request, lead_id: int):
    lead = workspace.lead_for(request.user, lead_id)
    return render(request, "routing/lead.html", lead_context(request, lead))


@require_GET
@workspace_view
def lead_live(request, lead_id: int):
    """The lead page's status, triage card and timeline when something changed since the
    page last looked (a re-run finished, a colleague added a note); 204 otherwise. The
    forms a rep may be filling in are never replaced."""
    lead = workspace.lead_for(request.user, lead_id)
    since = parse_since(request)
    triage = getattr(lead, "triage", None)
    changed = (
        since is None
        or lead.updated_at > since
        or bool(triage and triage.decided_at and triage.decided_at > since)
        or lead.activities.filter(created_at__gt=since).exists()
    )
    if not changed:
        return HttpResponse(status=204)
    return render(request, "routing/_lead_live.html", lead_context(request, lead))


def lead_context(request, lead: Lead) -> dict:
    triage = getattr(lead, "triage", None)
    thread = list(
        lead.messages.order_by("received_at", "pk")
        .defer("raw", "headers", "provider_payload")
        .prefetch_related("attachments")
    )
    model_calls = list(lead.model_calls.order_by("created_at", "pk"))
    activities = list(lead.activities.select_related("user").order_by("created_at", "pk"))
    other_leads = list(
        workspace.visible_leads(request.user)
        .filter(contact_id=lead.contact_id)
        .exclude(pk=lead.pk)
        .order_by("-received_at")
        .values("pk", "subject", "received_at")[:20]
    )
    categories = list(Category.objects.filter(is_active=True))
    facts = []
    for name, label in FACT_LABELS.items():
        fact = (triage.qualification or {}).get(name) or {} if triage else {}
        facts.append(
            {
                "name": name,
                "label": label,
                "value": fact.get("value"),
                "evidence": fact.get("evidence"),
            }
        )
    return {
        "lead": lead,
        "triage": triage,
        "family": model_family(triage.model) if triage and triage.model else "pending",
        "thread": thread,
        "facts": facts,
        "timeline": timeline(lead, thread, triage, model_calls, activities),
        "model_calls": model_calls,
        "cost": sum((c.cost_usd or 0 for c in model_calls), 0),
        "categories": categories,
        "assignees": list(workspace.assignable_users(lead)),
        "next_statuses": [
            (s, Lead.Status(s).label) for s in Lead.NEXT_STATUSES.get(lead.status, ())
        ],
        "other_leads": other_leads,
        "note_form": NoteForm(),
        "qualification_form": QualificationForm(
            initial={f["name"]: f["value"] or "" for f in facts}
        ),
        "can_rerun_models": bool(settings.ANTHROPIC_API_KEY),
        "tier_models": tier_models(),
        "is_mine": bool(triage and triage.assignee_id == request.user.pk),
        "is_manager": workspace.is_manager(request.user),
        "since": timezone.now().isoformat(),
        "poll_seconds": settings.WORKSPACE_POLL_SECONDS,
        "show_html": number(request.GET.get("html")),
    }


def tier_models() -> list[tuple[int, str]]:
    policy = RoutingPolicy.objects.filter(is_active=True).order_by("pk").first()
    if policy is None:
        return []
    return [(1, policy.tier1_model), (2, policy.tier2_model), (3, policy.tier3_model)]


def timeline(lead, thread, triage, model_calls, activities) -> list[dict]:
    """Ingest, triage and escalation from their own records, and what people did."""
    events = []
    for message in thread:
        who = message.from_name or message.from_email
        events.append(
            {
                "at": message.received_at,
                "kind": "ingest",
                "who": who,
                "text": f"{message.get_channel_display()} via {message.provider}: "
                f"{message.subject or '(no subject)'}",
            }
        )
    for call in model_calls:
        text = f"{call.get_purpose_display()}: {call.model}"
        if call.error:
            text += f" failed ({call.error_type or 'error'})"
        events.append({"at": call.created_at, "kind": "model", "who": "", "text": text})
    if triage and triage.decided_at:
        # What the deciding tier said, not the category a rep may have corrected since.
        decided = next(
            (
                o["output"]["category"]
                for o in reversed(triage.outputs or [])
                if o.get("output") and o.get("purpose") != "shadow_audit"
            ),
            triage.category,
        )
        text = f"decided {decided or '?'} by {triage.model or '?'}"
        if triage.escalated:
            text += " after escalation: " + ", ".join(map(str, triage.escalation_reasons))
        if triage.queue_id:
            text += f"; queue {triage.queue.name}"
        events.append({"at": triage.decided_at, "kind": "triage", "who": "", "text": text})
    for activity in activities:
        events.append(
            {
                "at": activity.created_at,
                "kind": activity.kind,
                "label": activity.get_kind_display(),
                "who": workspace.display_name(activity.user) if activity.user else "system",
                "text": activity.text,
            }
        )
    events.sort(key=lambda e: e["at"] or datetime.min.replace(tzinfo=UTC))
    return events


@require_GET
@xframe_options_sameorigin
@workspace_view
def message_html(request, lead_id: int, message_id: int):
    """A message's sanitised HTML, as its own document for a sandboxed iframe."""
    lead = workspace.lead_for(request.user, lead_id)
    message = get_object_or_404(Message.objects.only("html"), pk=message_id, lead=lead)
    response = HttpResponse(
        '<!doctype html><meta charset="utf-8"><base target="_blank">' + message.html,
        content_type="text/html; charset=utf-8",
    )
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@workspace_view
def attachment_download(request, lead_id: int, attachment_id: int):
    lead = workspace.lead_for(request.user, lead_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, message__lead=lead)
    if not attachment.file:
        raise Http404("The file is gone.")
    # Always a download, never rendered: the sender chose the name and the bytes.
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename or "attachment.bin",
        content_type="application/octet-stream",
    )


# --- Actions: each one POST, CSRF-checked, recorded in the timeline ----------------------


def lead_action(view):
    """Load the lead (404 outside your queues), run the action, report its outcome, and
    answer with the fresh lead page (or the queue row, for htmx from the list)."""

    @require_POST
    @workspace_view
    @wraps(view)
    def wrapper(request, lead_id: int):
        lead = workspace.lead_for(request.user, lead_id)
        try:
            done = view(request, lead)
        except workspace.ActionError as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            if done:
                messages.success(request, done)
            status = 200
        if is_htmx(request) and request.POST.get("from") == "queue":
            lead = (
                workspace.visible_leads(request.user)
                .select_related("contact", "triage", "triage__queue", "triage__assignee")
                .filter(pk=lead_id)
                .first()
            )
            if lead is None:
                return HttpResponse("", status=status)
            decorate([lead])
            return render(
                request,
                "routing/_queue_row.html",
                {"lead": lead, "flash": True},
                status=status,
            )
        if not workspace.visible_leads(request.user).filter(pk=lead_id).exists():
            return redirect("queue")  # the action moved it out of this rep's queues
        return redirect("lead", lead_id=lead_id)

    return wrapper


@lead_action
def claim(request, lead):
    workspace.claim_lead(lead, request.user)
    return "Claimed: this lead is yours."


@lead_action
def unclaim(request, lead):
    workspace.unclaim_lead(lead, request.user)
    return "Unclaimed."


@lead_action
def assign(request, lead):
    workspace.assign_lead(lead, request.user, number(request.POST.get("assignee")))
    return "Assigned."


@lead_action
def set_status(request, lead):
    status = request.POST.get("status", "")
    workspace.set_status(lead, request.user, status, seen=request.POST.get("seen", ""))
    return f"Status: {Lead.Status(status).label}."


@lead_action
def add_note(request, lead):
    form = NoteForm(request.POST)
    if not form.is_valid():
        raise workspace.ActionError("A note needs some text (at most 10,000 characters).")
    workspace.add_note(lead, request.user, form.cleaned_data["text"])
    return "Note added."


@lead_action
def correct_category(request, lead):
    workspace.correct_category(lead, request.user, request.POST.get("category", ""))
    return "Category corrected; thank you, this trains the numbers."


@lead_action
def correct_qualification(request, lead):
    form = QualificationForm(request.POST)
    if not form.is_valid():
        raise workspace.ActionError("Each fact is at most 200 characters.")
    workspace.correct_qualification(lead, request.user, form.cleaned_data)
    return "Qualification corrected."


@lead_action
def rerun(request, lead):
    tier = number(request.POST.get("tier"))
    workspace.request_rerun(lead, request.user, -1 if tier is None else tier)
    return "Triage re-run requested; the card updates when it is done."


@lead_action
def mark_spam(request, lead):
    block = request.POST.get("block", "")
    rule = workspace.mark_spam(
        lead, request.user, block=block if block in ("sender", "domain") else ""
    )
    return f"Marked spam; rule “{rule.name}” added." if rule else "Marked spam."


@lead_action
def merge(request, lead):
    other_id = number(request.POST.get("other"))
    if other_id is None:
        raise workspace.ActionError("Choose a lead to merge into this one.")
    workspace.merge_leads(lead, workspace.lead_for(request.user, other_id), request.user)
    return f"Lead #{other_id} merged into this one."
