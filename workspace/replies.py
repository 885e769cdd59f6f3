"""The composer's views: send a reply, retry a failed one.

A refused send (no recipient, a bad address, too large) answers the lead page again with
everything the rep typed still in the composer; a send the mail server refuses later is
kept on the lead, marked failed, with its error and a Retry button.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from intake import outbound
from routing import drafts
from workspace import access, compose
from workspace.actions import ActionError
from workspace.lead_views import lead_context
from workspace.views import workspace_view

MAX_FIELD = 100_000


def _addresses(value: str) -> list[str]:
    return [a.strip() for a in value.replace(";", ",").split(",") if a.strip()]


@require_POST
@workspace_view
def send(request, lead_id: int):
    lead = access.lead_for(request.user, lead_id)
    data = {
        "to": request.POST.get("to", "")[:2000],
        "cc": request.POST.get("cc", "")[:2000],
        "subject": request.POST.get("subject", "")[:998],
        "body": request.POST.get("body", "")[:MAX_FIELD],
    }
    files = [
        outbound.OutgoingFile(f.name, f.read(), f.content_type or "application/octet-stream")
        for f in request.FILES.getlist("attachments")[:20]
    ]
    try:
        compose.send_reply(
            lead=lead,
            user=request.user,
            to=_addresses(data["to"]),
            cc=_addresses(data["cc"]),
            subject=data["subject"],
            body=data["body"],
            files=files,
        )
    except ActionError as exc:
        context = lead_context(request, lead)
        context.update(compose.composer_context(request, lead, data=data, error=str(exc)))
        return render(request, "workspace/lead.html", context, status=400)
    messages.success(request, "Reply queued; it shows as sent once the mail server took it.")
    return redirect(f"/leads/{lead.pk}/#thread-end")


@require_POST
@workspace_view
def retry(request, lead_id: int, outbox_id: int):
    lead = access.lead_for(request.user, lead_id)
    try:
        compose.retry_reply(lead, outbox_id)
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Sending again.")
    return redirect("lead", lead_id=lead.pk)


@require_POST
@workspace_view
def draft(request, lead_id: int):
    """Ask the router for a draft. The model answers within the call's timeout; the draft
    fills nothing by itself: the rep picks "Use this draft", edits, and sends."""
    lead = access.lead_for(request.user, lead_id)
    try:
        drafts.write_draft(lead.pk, user=request.user)
    except drafts.DraftUnavailable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Draft ready below: check the highlighted parts before use.")
    return redirect(f"/leads/{lead.pk}/#composer")
