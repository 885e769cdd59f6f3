"""What triage reads: the lead, its contact, form and first message (in one query on the hot
path), and the configuration in force (routing.config's snapshot): policy, categories,
rules. The pipeline (routing.services), shadow audits, the backlog and re-runs read their
inputs here, so none of them imports another to get them."""

import functools

from django.db import connection

from intake.models import Contact, Form, Lead, Message
from routing import config, rows, rules
from routing.models import Category, RoutingPolicy, Rule
from routing.tiers import message_text

# What triage reads of a lead, its contact and its form.
LEAD_FIELDS = (
    "status",
    "channel",
    "subject",
    "queue_hint",
    "received_at",
    "contact__email",
    "contact__domain",
    "contact__is_free_mail",
    "form__slug",
)
# What triage reads of a message; `hidden_text` feeds the injection checks (never the raw bytes:
# intake parses mail, routing does not).
MESSAGE_FIELDS = (
    "lead_id",
    "channel",
    "received_at",
    "subject",
    "text",
    "text_new",
    "hygiene",
    "hidden_text",
)


def current_policy() -> RoutingPolicy:
    return config.current().policy


def leads_to_triage():
    """Leads with what triage reads of them, their contact and their form."""
    return Lead.objects.select_related("contact", "form").only(*LEAD_FIELDS)


def lead_and_first_message(lead_id: int) -> tuple[Lead | None, Message | None]:
    """The lead as `leads_to_triage()` reads it and its `first_message`, in one query."""
    sql, parts = _lead_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [lead_id])
        values = cursor.fetchone()
    if values is None:
        return None, None
    found, start = [], 0
    for model, fields in parts:
        row = values[start : start + len(fields)]
        found.append(None if row[0] is None else rows.from_row(model, fields, row))
        start += len(fields)
    lead, contact, form, message = found
    lead.contact = contact
    lead.form = form
    if message is not None:
        message.lead = lead
    return lead, message


@functools.cache
def _lead_statement() -> tuple[str, list]:
    """`lead_and_first_message`'s query, and the (model, fields) of its columns in order."""
    related: dict[str, list[str]] = {}
    for name in LEAD_FIELDS:
        relation, _, field = name.partition("__")
        if field:
            related.setdefault(relation, []).append(field)
    own = [name for name in LEAD_FIELDS if "__" not in name]
    parts = [
        (Lead, rows.fields_of(Lead, ["id", *own, *related])),
        (Contact, rows.fields_of(Contact, ["id", *related["contact"]])),
        (Form, rows.fields_of(Form, ["id", *related["form"]])),
        (Message, rows.fields_of(Message, ["id", *MESSAGE_FIELDS])),
    ]
    columns = ", ".join(
        rows.column_list(fields, alias) for (_, fields), alias in zip(parts, "lcfm", strict=True)
    )
    message_columns = rows.column_list(parts[3][1])
    sql = (
        f"SELECT {columns} FROM {Lead._meta.db_table} l "
        f"JOIN {Contact._meta.db_table} c ON c.id = l.contact_id "
        f"LEFT JOIN {Form._meta.db_table} f ON f.id = l.form_id "
        f"LEFT JOIN LATERAL (SELECT {message_columns} FROM {Message._meta.db_table} "
        "WHERE lead_id = l.id ORDER BY received_at, id LIMIT 1) m ON true "
        "WHERE l.id = %s"
    )
    return sql, parts


def first_message(lead: Lead) -> Message | None:
    """The message the lead was opened with: what triage reads of it (MESSAGE_FIELDS)."""
    return (
        Message.objects.filter(lead_id=lead.pk)
        .only(*MESSAGE_FIELDS)
        .order_by("received_at", "pk")
        .first()
    )


def enabled_rules(stage: str) -> list[Rule]:
    return list(config.current().rules.get(stage, ()))


def active_categories() -> list[Category]:
    return list(config.current().categories)


def lead_facts(lead: Lead, message: Message | None) -> rules.LeadFacts:
    return rules.LeadFacts(
        sender=lead.contact.email,
        domain=lead.contact.domain,
        subject=(message.subject if message else lead.subject) or "",
        body=message_text(message),
        channel=lead.channel,
        form=lead.form.slug if lead.form_id else "",
        language="",
        category="",
        score=None,
        hygiene=message.hygiene if message else "",
    )


def local_inputs(lead: Lead, message: Message | None, facts: rules.LeadFacts) -> dict:
    return {
        "hidden": message.hidden_text if message else "",
        "subject": facts.subject,
        "body": facts.body,
        "sender_email": lead.contact.email,
        "sender_domain": lead.contact.domain,
        "is_free_mail": lead.contact.is_free_mail,
        "hygiene": facts.hygiene,
        "categories": [c.slug for c in active_categories()],
    }
