"""Replies from the lead page: what the composer starts from, sending through the outbox,
and what a sent reply does to the lead (first response, status, timeline).

The mail itself is stored and delivered by intake.outbound; this module adds the sales
side. `reply_sent` is the one place a reply is known to have left: hook `lead.replied`
notifications there.
"""

from django.db import transaction
from django.utils import timezone

from intake import leads, outbound
from intake.models import Lead, Message, Outbox
from routing import drafts
from routing.draft_check import segments
from routing.models import Activity, ReplyDraft, ReplyKnowledge, ReplyTemplate
from routing.models.replies import substitute
from workspace.actions import ActionError, display_name

# A first reply moves a lead that nobody had answered yet (RELIABILITY: a compare-and-set,
# so a status a rep chose meanwhile is kept).
CONTACTED_FROM = ("new", "working")


def reply_subject(lead: Lead) -> str:
    subject = outbound.one_line(lead.subject, 240) or "Your message"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def composer_initial(lead: Lead) -> dict:
    to = "" if lead.contact.is_placeholder else lead.contact.email
    return {"to": to, "cc": "", "subject": reply_subject(lead), "body": ""}


def send_reply(
    *,
    lead: Lead,
    user,
    to: list[str],
    cc: list[str],
    subject: str,
    body: str,
    files: list[outbound.OutgoingFile],
) -> Outbox:
    """Store the rep's reply on the lead and queue it; the task sends it."""
    if not body.strip():
        raise ActionError("Write something before sending.")
    try:
        return outbound.store_outbound(
            lead=lead,
            from_name=display_name(user),
            to=to,
            cc=cc,
            subject=subject,
            body=body,
            files=files,
            kind=Outbox.Kind.REPLY,
            sender=user,
        )
    except outbound.OutboundError as exc:
        raise ActionError(str(exc)) from None


def deliver_reply(outbox_id: int) -> bool:
    """The task's body: send once, then record what the reply did."""
    if not outbound.deliver(outbox_id):
        return False
    outbox = Outbox.objects.select_related("message__lead", "sender").get(pk=outbox_id)
    reply_sent(outbox)
    return True


def reply_sent(outbox: Outbox) -> None:
    """A rep's reply left (the backend accepted it). First response time and the move to
    contacted happen here, once; notifications of `lead.replied` belong here too."""
    lead = outbox.message.lead
    with transaction.atomic():
        leads.record_first_response(lead.pk, outbox.sent_at or timezone.now())
        for status in CONTACTED_FROM:
            if leads.move_status(lead.pk, Lead.Status.CONTACTED, only_from=status):
                Activity.record(
                    lead,
                    outbox.sender,
                    Activity.Kind.STATUS,
                    f"{Lead.Status(status).label} → Contacted (first reply sent)",
                )
                break


def retry_reply(lead: Lead, outbox_id: int) -> None:
    outbox = Outbox.objects.filter(pk=outbox_id, message__lead=lead).first()
    if outbox is None:
        raise ActionError("That mail is not on this lead.")
    if not outbound.retry(outbox.pk):
        raise ActionError("Only a mail that failed can be retried; this one has not failed.")


def composer_context(request, lead: Lead, *, data: dict | None = None, error: str = "") -> dict:
    """What the lead page needs for the composer: the fields (what the rep typed when a send
    was refused, else a picked template, else the defaults) and the templates to pick."""
    triage = getattr(lead, "triage", None)
    scope = {"queue_id": triage.queue_id if triage else None, "category": _category(lead)}
    templates = list(ReplyTemplate.objects.filter(is_active=True).for_lead(**scope))
    picked = None
    draft = ReplyDraft.objects.filter(lead=lead).order_by("-created_at", "-pk").first()
    draft_reason = drafts.unavailable_reason(lead, triage)
    if draft is not None and triage is not None and triage.injection_suspected:
        draft = None  # flagged after the draft was written: it is not offered either
    if data is None:
        data = composer_initial(lead)
        if draft is not None and _number(request.GET.get("draft")) == draft.pk:
            data["body"] = draft.body
        template_id = _number(request.GET.get("template"))
        picked = next((t for t in templates if t.pk == template_id), None)
        if picked is not None:
            values = template_values(lead, request.user)
            data["body"] = substitute(picked.body, values)
            if picked.subject:
                data["subject"] = outbound.one_line(substitute(picked.subject, values))
    return {
        "composer": data,
        "composer_error": error,
        "reply_templates": templates,
        "picked_template": picked,
        "draft": draft,
        "draft_pieces": segments(draft.body, draft.flags) if draft else [],
        "draft_reason": draft_reason,
        "sales_from": outbound.sales_address(),
    }


def template_values(lead: Lead, user) -> dict[str, str]:
    triage = getattr(lead, "triage", None)
    knowledge = (
        ReplyKnowledge.objects.for_lead(
            queue_id=triage.queue_id if triage else None, category=_category(lead)
        )
        .exclude(booking_link="")
        .first()
    )
    contact = lead.contact
    return {
        "contact_name": contact.name if not contact.is_placeholder else "",
        "company": contact.company or "",
        "rep_name": display_name(user),
        "booking_link": knowledge.booking_link if knowledge else "",
    }


def _category(lead: Lead) -> str:
    triage = getattr(lead, "triage", None)
    return (triage.category or "") if triage else ""


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def timeline_event(message: Message) -> dict:
    """An outbound message on the lead's timeline: who sent what to whom, and whether it
    left."""
    outbox = getattr(message, "outbox", None)
    kind = outbox.kind if outbox else Outbox.Kind.REPLY
    state = outbox.get_state_display().lower() if outbox else "stored"
    return {
        "at": message.received_at,
        "kind": "reply" if kind == Outbox.Kind.REPLY else "ack",
        "label": "Reply" if kind == Outbox.Kind.REPLY else "Acknowledgement",
        "who": message.from_name or message.from_email,
        "text": f"to {message.to}: {message.subject or '(no subject)'} ({state})",
    }
