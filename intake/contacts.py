"""Who sent it and what it continues: contacts by normalised address, and threading (a
reply address token, In-Reply-To and References, then the same subject from the same
contact within 14 days)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import getaddresses

from django.conf import settings
from django.db import connection
from django.utils import timezone

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
    email = _contact_email(email, unreadable_key)
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


def upsert_contacts(senders: list[tuple[str, str, str]]) -> list[Contact]:
    """`upsert_contact` for several senders, each (email, name, unreadable_key), in one
    statement and one more per contact that gains a name: the contacts, in the senders'
    order, that one call per sender in turn would give.

    INSERT ... ON CONFLICT DO NOTHING in address order (two batches inserting the same new
    addresses wait for each other instead of deadlocking), returning what it inserted,
    beside the addresses that were there already. An address a concurrent batch inserted
    meanwhile is waited for, and read once that batch has committed.
    """
    emails = [_contact_email(email, key) for email, _name, key in senders]
    names: dict[str, str] = {}
    for email, (_email, name, _key) in zip(emails, senders, strict=True):
        if not names.get(email):  # the first name given, as repeated calls would keep
            names[email] = name[:200]
    wanted = sorted(names)
    domains = [email.rpartition("@")[2] for email in wanted]
    params = [
        timezone.now(),
        wanted,
        [names[email] for email in wanted],
        domains,
        [hygiene.is_free_mail(domain) for domain in domains],
        wanted,
    ]
    found = {contact.email: contact for contact in Contact.objects.raw(_UPSERT_SQL, params)}
    if len(found) < len(wanted):  # committed by another batch after this statement began
        missing = [email for email in wanted if email not in found]
        found.update((c.email, c) for c in Contact.objects.filter(email__in=missing))
    for email, name in names.items():
        contact = found[email]
        if name and not contact.name:
            contact.name = name
            contact.save(update_fields=["name"])
    return [found[email] for email in emails]


# The rows the INSERT adds are not seen by the SELECT beside it (one snapshot), so each
# address comes back once: inserted, or there before.
_CONTACT_COLUMNS = "id, email, name, company, domain, is_free_mail, created_at"
_UPSERT_SQL = f"""
WITH inserted AS (
    INSERT INTO intake_contact (email, name, company, domain, is_free_mail, created_at)
    SELECT w.email, w.name, '', w.domain, w.is_free_mail, %s
    FROM unnest(%s::text[], %s::text[], %s::text[], %s::boolean[])
        AS w(email, name, domain, is_free_mail)
    ORDER BY w.email
    ON CONFLICT (email) DO NOTHING
    RETURNING {_CONTACT_COLUMNS}
)
SELECT {_CONTACT_COLUMNS} FROM inserted
UNION ALL
SELECT {_CONTACT_COLUMNS} FROM intake_contact WHERE email = ANY(%s::text[])
"""


def _contact_email(email: str, unreadable_key: str) -> str:
    email = normalize_email(email)
    if not email:
        if not unreadable_key:
            raise ValueError("an unreadable address needs a key for its own placeholder")
        email = f"unknown-sender-{unreadable_key}@{UNKNOWN_SENDER_DOMAIN}"
    return email


def normalize_email(email: str) -> str:
    email = (email or "").strip().strip("<>").strip()
    if "@" not in email or any(ch.isspace() for ch in email):
        return ""
    local, _, domain = email.rpartition("@")
    if not local or not domain:
        return ""
    return f"{local}@{domain}".lower()[:320]


@dataclass(frozen=True)
class ThreadKeys:
    """What threading reads of a parsed message: kept so the parse can be let go."""

    tokens: frozenset[str]  # reply+<token>@ addresses it was sent to
    references: tuple[str, ...]  # In-Reply-To and References, the last 50


def thread_keys(message: Message, parsed: mime.ParsedMessage) -> ThreadKeys:
    ids = [i for i in [parsed.in_reply_to, *parsed.references] if i]
    return ThreadKeys(_reply_tokens(message, parsed), tuple(ids[-50:]))


# Earlier messages a batch's In-Reply-To and References name, with their leads.
_EARLIER_SQL = """
SELECT message_id, received_at, id, lead_id FROM intake_message
WHERE message_id = ANY(%s) AND lead_id IS NOT NULL
"""
# A batch's candidate leads: by reply token, by the earlier messages' leads, and the same
# contact and subject within the window, each part on its own index. Not the search vector.
_LEAD_COLUMNS = ", ".join(f"l.{f.column}" for f in Lead._meta.concrete_fields if f.name != "search")
_CANDIDATES_SQL = f"""
SELECT {_LEAD_COLUMNS} FROM intake_lead AS l
WHERE l.reply_token = ANY(%s::text[]) OR l.id = ANY(%s::bigint[])
UNION ALL
SELECT {_LEAD_COLUMNS}
FROM unnest(%s::bigint[], %s::text[]) AS p(contact_id, subject_key)
JOIN intake_lead AS l ON l.contact_id = p.contact_id AND l.subject_key = p.subject_key
WHERE l.last_message_at >= %s
"""


class Threads:
    """The lead each message of a batch continues, if any.

    In order: a per-lead reply address (reply+<token>@...), In-Reply-To and References,
    then the same normalised subject from the same contact within 14 days.

    The candidates of the whole batch are read in two statements up front; after
    that, the batch tells the index what it does (`add_lead`, `add_message`, and the
    leads' `last_message_at` and `status` changed in place), so each message finds what
    it would have found had the ones before it been processed and committed on their own.
    """

    def __init__(self, items: list[tuple[Message, ThreadKeys, Contact]]):
        self.leads: dict[int, Lead] = {}  # by pk: one object per lead, changed in place
        self.new: list[Lead] = []  # not saved yet: ordered after every saved lead
        self.by_token: dict[str, Lead] = {}
        self.by_subject: dict[tuple[int, str], list[Lead]] = {}
        self.by_message_id: dict[str, list[tuple[datetime, int, Lead]]] = {}

        tokens = set().union(*(keys.tokens for _m, keys, _c in items))
        references = {ref for _m, keys, _c in items for ref in keys.references}
        pairs = {
            (contact.pk, key)
            for message, _keys, contact in items
            if len(key := subject_key(message)) >= 3 and not contact.is_placeholder
        }
        earlier = []
        if references:
            with connection.cursor() as cursor:
                cursor.execute(_EARLIER_SQL, [sorted(references)])
                earlier = cursor.fetchall()
        lead_ids = sorted({lead_id for *_rest, lead_id in earlier})
        if tokens or lead_ids or pairs:
            since = min(message.received_at for message, _k, _c in items) - THREAD_WINDOW
            contact_ids, keys = zip(*sorted(pairs), strict=True) if pairs else ((), ())
            params = [sorted(tokens), lead_ids, list(contact_ids), list(keys), since]
            for lead in Lead.objects.raw(_CANDIDATES_SQL, params):
                self.keep(lead)
        for message_id, received_at, pk, lead_id in earlier:
            if lead_id in self.leads:  # else deleted meanwhile, with its messages
                entry = (received_at, pk, self.leads[lead_id])
                self.by_message_id.setdefault(message_id, []).append(entry)

    def keep(self, lead: Lead) -> Lead:
        """Index a saved lead (once: the first object read stays the one changed)."""
        if lead.pk in self.leads:
            return self.leads[lead.pk]
        self.leads[lead.pk] = lead
        self._index(lead)
        return lead

    def add_lead(self, lead: Lead) -> None:
        """A lead the batch opened (saved later): later messages may continue it."""
        self.new.append(lead)
        self._index(lead)

    def add_message(self, message: Message, lead: Lead) -> None:
        """A message of the batch joined `lead`: replies to it later in the batch follow."""
        if message.message_id:
            entry = (message.received_at, message.pk, lead)
            self.by_message_id.setdefault(message.message_id, []).append(entry)

    def _index(self, lead: Lead) -> None:
        self.by_token[lead.reply_token] = lead
        self.by_subject.setdefault((lead.contact_id, lead.subject_key), []).append(lead)

    def _order(self, lead: Lead) -> tuple[int, int]:
        # Saved leads by pk, then the batch's new ones in the order it opened them.
        return (0, lead.pk) if lead.pk is not None else (1, self.new.index(lead))

    def find(self, message: Message, keys: ThreadKeys, contact: Contact) -> Lead | None:
        by_token = [self.by_token[t] for t in keys.tokens if t in self.by_token]
        if by_token:
            return min(by_token, key=self._order)
        earlier = [
            entry
            for ref in keys.references
            for entry in self.by_message_id.get(ref, ())
            if entry[1] != message.pk
        ]
        if earlier:
            return max(earlier, key=lambda entry: entry[0])[2]
        key = subject_key(message)
        if len(key) >= 3 and not contact.is_placeholder:
            since = message.received_at - THREAD_WINDOW
            candidates = [
                lead
                for lead in self.by_subject.get((contact.pk, key), ())
                if lead.last_message_at >= since
                and (message.hygiene or lead.status != Lead.Status.SPAM)
            ]
            if candidates:
                return max(candidates, key=lambda lead: lead.last_message_at)
        return None


def subject_key(message: Message) -> str:
    return mime.normalize_subject(message.subject)[:255]


def _reply_tokens(message: Message, parsed: mime.ParsedMessage) -> frozenset[str]:
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
    return frozenset(tokens)


def reply_address(lead: Lead, mailbox: str = "reply") -> str:
    domain = settings.INTAKE_REPLY_DOMAIN or "localhost"
    return f"{mailbox}+{lead.reply_token}@{domain}"
