"""The sales workspace: a lead's page, its message HTML and attachments, and what reps do
to a lead (each action a CSRF-checked POST, recorded on the timeline).

Function views (STYLE.md); the queue page and the helpers they share are in views.py.
"""

from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from intake import hygiene
from intake.downloads import attachment_response
from intake.models import Attachment, Lead, Message
from routing.models import Category, QueueMembership, RoutingPolicy
from workspace import access, actions, compose, labels
from workspace.forms import FollowUpForm, NoteForm, QualificationForm
from workspace.views import decorate, is_htmx, number, parse_since, workspace_view

FACT_LABELS = {
    "budget": "Budget",
    "authority": "Authority",
    "need": "Need",
    "timeline": "Timeline",
    "company_size": "Company size",
}

# An email's HTML: no script, no requests anywhere (remote images blocked), inline styles
# only, and a sandbox even if the iframe attribute were lost.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)


# --- The lead page -------------------------------------------------------------------------


@require_GET
@workspace_view
def lead_detail(request, lead_id: int):
    lead = access.lead_for(request.user, lead_id)
    return render(request, "workspace/lead.html", lead_context(request, lead))


@require_GET
@workspace_view
def lead_live(request, lead_id: int):
    """The lead page's status, triage card and timeline when something changed since the
    page last looked (a re-run finished, a colleague added a note); 204 otherwise. The
    forms a rep may be filling in are never replaced."""
    lead = access.lead_for(request.user, lead_id)
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
    return render(request, "workspace/_lead_live.html", lead_context(request, lead))


def lead_context(request, lead: Lead) -> dict:
    triage = getattr(lead, "triage", None)
    thread = list(
        lead.messages.order_by("received_at", "pk")
        .defer("raw", "headers", "provider_payload")
        .select_related("outbox")
        .prefetch_related("attachments")
    )
    model_calls = list(lead.model_calls.order_by("created_at", "pk"))
    activities = list(lead.activities.select_related("user").order_by("created_at", "pk"))
    other_leads = list(
        access.visible_leads(request.user)
        .filter(contact_id=lead.contact_id)
        .exclude(pk=lead.pk)
        .order_by("-received_at")
        .values("pk", "subject", "received_at")[:20]
    )
    categories = list(Category.objects.filter(is_active=True))
    names = {c.slug: c.name for c in categories}
    follow_up = lead.follow_ups.filter(done_at=None).select_related("user").first()
    assignees = list(
        access.assignable_users(lead).annotate(
            is_member=Exists(
                QueueMembership.objects.filter(
                    user=OuterRef("pk"),
                    is_active=True,
                    queue_id=triage.queue_id if triage else None,
                )
            )
        )
    )
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
        "family": labels.family(triage.model if triage else ""),
        "family_label": labels.family_label(triage.model if triage else ""),
        "category_label": labels.category_label(triage.category, names) if triage else "",
        "next_action_label": labels.next_action_label(triage.next_action) if triage else "",
        "thread": thread,
        "facts": facts,
        "timeline": timeline(lead, thread, triage, model_calls, activities, names),
        "model_calls": model_calls,
        "cost": sum((c.cost_usd or 0 for c in model_calls), 0),
        "categories": categories,
        "assignees": assignees,
        "queue_without_members": bool(
            triage and triage.queue_id and not any(u.is_member for u in assignees)
        ),
        # The current status first and chosen: the menu says where the lead is, and offers
        # only the moves the workflow allows from there.
        "statuses": [(lead.status, f"{lead.get_status_display()} (now)")]
        + [(s, Lead.Status(s).label) for s in Lead.NEXT_STATUSES.get(lead.status, ())],
        "follow_up": follow_up,
        "company_link": bool(lead.contact.domain)
        and not (
            lead.contact.is_free_mail
            or lead.contact.is_placeholder
            or hygiene.is_free_mail(lead.contact.domain)
        ),
        "follow_up_form": FollowUpForm(
            initial={"due_on": follow_up.due_on if follow_up else None, "note": ""}
        ),
        "other_leads": other_leads,
        "note_form": NoteForm(),
        "qualification_form": QualificationForm(
            initial={f["name"]: f["value"] or "" for f in facts}
        ),
        "can_rerun_models": bool(settings.ANTHROPIC_API_KEY),
        # Read only when there are model tiers to offer (no API key: the local one only).
        "tier_models": tier_models() if settings.ANTHROPIC_API_KEY else [],
        "is_mine": bool(triage and triage.assignee_id == request.user.pk),
        "is_manager": access.is_manager(request.user),
        "since": timezone.now().isoformat(),
        "poll_seconds": settings.WORKSPACE_POLL_SECONDS,
        "show_html": number(request.GET.get("html")),
        **compose.composer_context(request, lead),
    }


def tier_models() -> list[tuple[int, str]]:
    policy = RoutingPolicy.objects.filter(is_active=True).order_by("pk").first()
    if policy is None:
        return []
    return [(1, policy.tier1_model), (2, policy.tier2_model), (3, policy.tier3_model)]


def timeline(lead, thread, triage, model_calls, activities, names=None) -> list[dict]:
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
            if message.direction == "inbound"
            else compose.timeline_event(message)
        )
    for call in model_calls:
        text = f"{call.get_purpose_display()}: {call.model}"
        if call.error:
            text += f" failed ({call.error_type or 'error'})"
        events.append({"at": call.created_at, "kind": "model", "who": "", "text": text})
    if triage and triage.decided_at:
        # What the deciding tier said, not the category a rep may have corrected since.
        decided = next(
            (o["output"]["category"] for o in reversed(triage.outputs or []) if o.get("output")),
            triage.category,
        )
        decided = labels.category_label(decided, names or {}) if decided else "?"
        by = labels.family_label(triage.model)
        if triage.model not in ("", "rules", "local"):
            by += f" ({triage.model})"
        text = f"decided {decided} by {by}"
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
                "who": actions.display_name(activity.user) if activity.user else "system",
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
    lead = access.lead_for(request.user, lead_id)
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
    lead = access.lead_for(request.user, lead_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, message__lead=lead)
    if not attachment.file:
        raise Http404("The file is gone.")
    return attachment_response(attachment)


# --- Actions: each one POST, CSRF-checked, recorded in the timeline ----------------------


def lead_action(view):
    """Load the lead (404 outside your queues), run the action, report its outcome, and
    answer with the fresh lead page (or the queue row, for htmx from the list)."""

    @require_POST
    @workspace_view
    @wraps(view)
    def wrapper(request, lead_id: int):
        lead = access.lead_for(request.user, lead_id)
        try:
            done = view(request, lead)
        except actions.ActionError as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            if done:
                messages.success(request, done)
            status = 200
        if is_htmx(request) and request.POST.get("from") == "queue":
            lead = (
                access.visible_leads(request.user)
                .select_related("contact", "triage", "triage__queue", "triage__assignee")
                .filter(pk=lead_id)
                .first()
            )
            if lead is None:
                return HttpResponse("", status=status)
            decorate([lead])
            return render(
                request,
                "workspace/_queue_row.html",
                {"lead": lead, "flash": True, "show_queue": access.is_manager(request.user)},
                status=status,
            )
        if not access.visible_leads(request.user).filter(pk=lead_id).exists():
            return redirect("queue")  # the action moved it out of this rep's queues
        return redirect("lead", lead_id=lead_id)

    return wrapper


@lead_action
def claim(request, lead):
    actions.claim_lead(lead, request.user)
    return "Claimed: this lead is yours."


@lead_action
def unclaim(request, lead):
    actions.unclaim_lead(lead, request.user)
    return "Unclaimed."


@lead_action
def assign(request, lead):
    actions.assign_lead(lead, request.user, number(request.POST.get("assignee")))
    return "Assigned."


@lead_action
def set_status(request, lead):
    status = request.POST.get("status", "")
    actions.set_status(lead, request.user, status, seen=request.POST.get("seen", ""))
    return f"Status: {Lead.Status(status).label}."


@lead_action
def add_note(request, lead):
    form = NoteForm(request.POST)
    if not form.is_valid():
        raise actions.ActionError("A note needs some text (at most 10,000 characters).")
    actions.add_note(lead, request.user, form.cleaned_data["text"])
    return "Note added."


@lead_action
def follow_up(request, lead):
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        raise actions.ActionError(
            "A follow-up needs a day (and a note of at most 2,000 characters)."
        )
    due_on = form.cleaned_data["due_on"]
    actions.set_follow_up(lead, request.user, due_on=due_on, note=form.cleaned_data["note"])
    return f"Follow-up set for {labels.day(due_on)}."


@lead_action
def follow_up_done(request, lead):
    actions.finish_follow_up(lead, request.user)
    return "Follow-up done."


@lead_action
def correct_category(request, lead):
    actions.correct_category(lead, request.user, request.POST.get("category", ""))
    return "Category corrected; thank you, this trains the numbers."


@lead_action
def correct_qualification(request, lead):
    form = QualificationForm(request.POST)
    if not form.is_valid():
        raise actions.ActionError("Each fact is at most 200 characters.")
    actions.correct_qualification(lead, request.user, form.cleaned_data)
    return "Qualification corrected."


@lead_action
def rerun(request, lead):
    tier = number(request.POST.get("tier"))
    actions.request_rerun(lead, request.user, -1 if tier is None else tier)
    return "Triage re-run requested; the card updates when it is done."


@lead_action
def mark_spam(request, lead):
    block = request.POST.get("block", "")
    rule = actions.mark_spam(
        lead, request.user, block=block if block in ("sender", "domain") else ""
    )
    return f"Marked spam; rule “{rule.name}” added." if rule else "Marked spam."


@lead_action
def merge(request, lead):
    other_id = number(request.POST.get("other"))
    if other_id is None:
        raise actions.ActionError("Choose a lead to merge into this one.")
    actions.merge_leads(lead, access.lead_for(request.user, other_id), request.user)
    return f"Lead #{other_id} merged into this one."
