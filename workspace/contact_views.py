"""A contact's page and a company's (one email domain): every lead, message and note of
theirs that this user may see (workspace/access.py: a rep, the leads of their queues; a
manager, all). Nothing visible is a 404, as for a lead: the contact's existence is not the
rep's business. Bounded lists, newest first."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from intake import hygiene
from intake.models import UNKNOWN_SENDER_DOMAIN, Contact, Message
from routing.models import Activity, Category
from workspace import access, labels
from workspace.views import workspace_view

SHOWN = 100


@require_GET
@workspace_view
def contact_page(request, contact_id: int):
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact.")
    context = history(request.user, contact_ids=[contact.pk])
    if not context["leads"]:
        raise Http404("No such contact in your queues.")
    company_link = bool(contact.domain) and not (
        contact.is_free_mail or contact.is_placeholder or hygiene.is_free_mail(contact.domain)
    )
    return render(
        request,
        "workspace/contact.html",
        {**context, "contact": contact, "company_link": company_link},
    )


@require_GET
@workspace_view
def company_page(request, domain: str):
    domain = domain.strip().lower()
    # A free-mail domain is thousands of strangers, not a company.
    if not domain or domain == UNKNOWN_SENDER_DOMAIN or hygiene.is_free_mail(domain):
        raise Http404("No such company.")
    contacts = list(
        Contact.objects.filter(domain=domain, is_free_mail=False).order_by("email")[:500]
    )
    context = history(request.user, contact_ids=[c.pk for c in contacts])
    if not context["leads"]:
        raise Http404("No such company in your queues.")
    seen = {lead.contact_id for lead in context["leads"]}
    return render(
        request,
        "workspace/contact.html",
        {
            **context,
            "domain": domain,
            "company": next((c.company for c in contacts if c.company), domain),
            "contacts": [c for c in contacts if c.pk in seen],
        },
    )


def history(user, *, contact_ids: list[int]) -> dict:
    leads = list(
        access.visible_leads(user)
        .filter(contact_id__in=contact_ids)
        .select_related("contact", "triage", "triage__queue")
        .defer("search")
        .order_by("-received_at", "-pk")[:SHOWN]
    )
    names = dict(Category.objects.values_list("slug", "name"))
    for lead in leads:
        triage = getattr(lead, "triage", None)
        lead.category_label = labels.category_label(triage.category, names) if triage else ""
        lead.queue_name = triage.queue.name if triage and triage.queue_id else ""
    lead_ids = [lead.pk for lead in leads]
    messages = list(
        Message.objects.filter(lead_id__in=lead_ids)
        .only(
            "pk", "lead_id", "from_name", "from_email", "subject", "received_at", "text_new", "text"
        )
        .order_by("-received_at", "-pk")[:SHOWN]
    )
    notes = list(
        Activity.objects.filter(lead_id__in=lead_ids, kind=Activity.Kind.NOTE)
        .select_related("user")
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    subjects = {lead.pk: lead.subject or "(no subject)" for lead in leads}
    for item in (*messages, *notes):
        item.lead_subject = subjects.get(item.lead_id, "")
    return {"leads": leads, "messages_shown": messages, "notes": notes, "shown": SHOWN}
