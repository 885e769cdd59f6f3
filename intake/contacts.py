"""Who sent it and what it continues: contacts by normalised address, and threading (a
reply address token, In-Reply-To and References, then the same subject from the same
contact within 14 days)."""

from datetime import timedelta
from email.utils import getaddresses

from django.conf import settings

from intake import hygiene, mime
from intake.models import UNKNOWN_SENDER_DOMAIN, Contact, Lead, Message

THREAD_WINDOW = timedelta(days=14)


def upsert_contact(
    *, email: str, name: str = "", company: str = "", unreadable_key: str = ""
) -> Contact:
    """One contact per normalised address; fill name and company when first known.

    An address that cannot be read gets a placeholder of its own, keyed by `unreadable_key`
    (the message): one shared placeholder would carry the first sender's display name on
    everyone's mail, thread strangers together, and let one "block the sender" spam-file
    every later unreadable message.
    """
    email = normalize_email(email)
    if not email:
        if not unreadable_key:
            raise ValueError("an unreadable address needs a key for its own placeholder")
        email = f"unknown-sender-{unreadable_key}@{UNKNOWN_SENDER_DOMAIN}"
    domain = email.rpartition("@")[2]
    contact, created = Contact.objects.get_or_create(
        email=email,
        defaults={
            "name": name[:200],
            "company": company[:200],
            "domain": domain,
            "is_free_mail": hygiene.is_free_mail(domain),
        },
    )
    if not created:
        changed = {}
        if name and not contact.name:
            changed["name"] = name[:200]
        if company and not contact.company:
            changed["company"] = company[:200]
        if changed:
            for field_name, value in changed.items():
                setattr(contact, field_name, value)
            contact.save(update_fields=list(changed))
    return contact


def normalize_email(email: str) -> str:
    email = (email or "").strip().strip("<>").strip()
    if "@" not in email or any(ch.isspace() for ch in email):
        return ""
    local, _, domain = email.rpartition("@")
    if not local or not domain:
        return ""
    return f"{local}@{domain}".lower()[:320]


def find_thread(*, message: Message, parsed: mime.ParsedMessage, contact: Contact) -> Lead | None:
    """The lead this message continues, if any.

    In order: a per-lead reply address (reply+<token>@...), In-Reply-To and
    References, then the same normalised subject from the same contact
    within 14 days.
    """
    lead = _lead_by_reply_token(message, parsed)
    if lead is not None:
        return lead
    ids = [i for i in [parsed.in_reply_to, *parsed.references] if i]
    if ids:
        earlier = (
            Message.objects.filter(message_id__in=ids[-50:], lead__isnull=False)
            .exclude(pk=message.pk)
            .select_related("lead")
            .order_by("-received_at")
            .first()
        )
        if earlier is not None:
            return earlier.lead
    subject_key = mime.normalize_subject(message.subject)[:255]
    if len(subject_key) >= 3 and not contact.is_placeholder:
        candidates = Lead.objects.filter(
            contact=contact,
            subject_key=subject_key,
            last_message_at__gte=message.received_at - THREAD_WINDOW,
        )
        if not message.hygiene:
            candidates = candidates.exclude(status=Lead.Status.SPAM)
        return candidates.order_by("-last_message_at").first()
    return None


def _lead_by_reply_token(message: Message, parsed: mime.ParsedMessage) -> Lead | None:
    addresses = [email for _, email in [*parsed.to, *parsed.cc]]
    addresses += parsed.delivered_to
    if message.envelope_recipient:
        addresses += [email for _, email in getaddresses([message.envelope_recipient])]
    tokens = set()
    reply_domain = settings.INTAKE_REPLY_DOMAIN.lower()
    for address in addresses:
        local, _, domain = address.lower().rpartition("@")
        if reply_domain and domain != reply_domain:
            continue
        if "+" in local:
            tokens.add(local.rsplit("+", 1)[1])
    if not tokens:
        return None
    return Lead.objects.filter(reply_token__in=tokens).first()


def reply_address(lead: Lead, mailbox: str = "reply") -> str:
    domain = settings.INTAKE_REPLY_DOMAIN or "localhost"
    return f"{mailbox}+{lead.reply_token}@{domain}"
