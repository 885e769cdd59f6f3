"""The queue's sort orders and their keyset paging.

Each order is one an index holds (routing.models.Triage's indexes: the default one by
priority, then SLA due; by SLA due; by score), so page 1 and page 400 read 50 rows from an
index instead of sorting every open lead. No OFFSET and no COUNT over the table."""

from dataclasses import dataclass

from django.db.models import BooleanField, F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from routing.models import NO_SLA

T = '"routing_triage"'
SLA = f'COALESCE({T}."sla_due", %s)'


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    order: tuple
    # The row-value comparison that continues after a cursor, and the cursor's fields.
    after: str
    fields: tuple[str, ...]


SORTS = {
    s.key: s
    for s in (
        Sort(
            "",
            "Priority",
            (
                F("triage__priority"),
                Coalesce("triage__sla_due", Value(NO_SLA)),
                F("triage__lead_id"),
            ),
            f'({T}."priority", {SLA}, {T}."lead_id") > (%s, %s, %s)',
            ("priority", "sla", "pk"),
        ),
        Sort(
            "sla",
            "SLA due",
            (Coalesce("triage__sla_due", Value(NO_SLA)), F("triage__lead_id")),
            f'({SLA}, {T}."lead_id") > (%s, %s)',
            ("sla", "pk"),
        ),
        Sort(
            "score",
            "Score",
            (F("triage__score").desc(), F("triage__lead_id").desc()),
            f'({T}."score", {T}."lead_id") < (%s, %s)',
            ("score", "pk"),
        ),
    )
}
DEFAULT = SORTS[""]


def sort_for(key: str | None) -> Sort:
    return SORTS.get(key or "", DEFAULT)


def page_of(leads, sort: Sort, after: tuple | None):
    leads = leads.order_by(*sort.order)
    if after is None:
        return leads
    params = []
    if "sla" in sort.fields:
        params.append(NO_SLA)
    for name, value in zip(sort.fields, after, strict=True):
        params.append((value or NO_SLA) if name == "sla" else value)
    return leads.filter(RawSQL(sort.after, params, BooleanField()))


def encode_cursor(lead, sort: Sort) -> str:
    triage = lead.triage
    values = {
        "priority": str(triage.priority),
        "sla": triage.sla_due.isoformat() if triage.sla_due else "",
        "score": str(triage.score),
        "pk": str(lead.pk),
    }
    return "~".join(values[name] for name in sort.fields)


def decode_cursor(value: str, sort: Sort) -> tuple | None:
    parts = value.split("~")
    if len(parts) != len(sort.fields):
        return None
    decoded = []
    try:
        for name, part in zip(sort.fields, parts, strict=True):
            if name == "sla":
                due = parse_datetime(part) if part else None
                if part and (due is None or due.tzinfo is None):
                    return None
                decoded.append(due)
            else:
                if not (part.isascii() and part.isdecimal()) or len(part) > 18:
                    return None
                decoded.append(int(part))
    except ValueError:
        return None
    return tuple(decoded)
