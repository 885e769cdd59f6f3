"""Has anything the open queue page may show changed? A change stamp, cheap to ask every second.

The queue page asks every WORKSPACE_LIVE_SECONDS, and fetches its rows (the updates view)
only when the answer is yes, so a decided lead is on an open page about a second after its
decision without rendering the rows every second.

A stamp is "<bound>.<count>": every change (a lead's `updated_at`, its triage's `decided_at`)
stamped up to `bound` has been looked at, and `count` of the visible ones fall within
POLL_OVERLAP before it. Timestamps are taken before their transaction commits, so a change
stamped just before `bound` may become visible after the question was answered: the count
over that overlap then differs, and the page fetches. Each question reads the changes of
the last few seconds only (two index range scans, whatever the size of the table), and only
those of leads in the queues the user may see (access.py): the answer says nothing about
other queues.
"""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from intake.models import Lead
from routing.models import Triage
from workspace import access

# The same overlap as the rows' poll (views.POLL_OVERLAP): a change that commits within it
# of its timestamp is never missed.
OVERLAP = timedelta(seconds=5)
# A stamp older than this (a page that slept) is answered "changed" without reading the
# changes since: the page fetches its rows once, and the next question is cheap again.
MAX_AGE = timedelta(seconds=60)

_ALL_QUEUES = """
    SELECT l.updated_at AS ts FROM {lead} l JOIN {triage} t ON t.lead_id = l.id
     WHERE l.updated_at > %(low)s
    UNION ALL
    SELECT t.decided_at FROM {triage} t WHERE t.decided_at > %(low)s
"""
_SOME_QUEUES = """
    SELECT l.updated_at AS ts FROM {lead} l JOIN {triage} t ON t.lead_id = l.id
     WHERE l.updated_at > %(low)s AND t.queue_id = ANY(%(queues)s)
    UNION ALL
    SELECT t.decided_at FROM {triage} t
     WHERE t.decided_at > %(low)s AND t.queue_id = ANY(%(queues)s)
"""
_STAMP = """
    WITH changes AS ({changes}),
    bound AS (SELECT greatest(max(ts), %(now)s, %(old)s) AS b FROM changes)
    SELECT bound.b,
           count(ts) FILTER (WHERE ts > %(old)s),
           count(ts) FILTER (WHERE ts <= %(old)s),
           count(ts) FILTER (WHERE ts > bound.b - %(overlap)s)
      FROM bound LEFT JOIN changes ON true
     GROUP BY bound.b
"""


def _statement(changes: str) -> str:
    tables = {"lead": Lead._meta.db_table, "triage": Triage._meta.db_table}
    return _STAMP.format(changes=changes.format(**tables))


STATEMENTS = {"all": _statement(_ALL_QUEUES), "some": _statement(_SOME_QUEUES)}


def encode(bound: datetime, count: int) -> str:
    micros = round((bound - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
    return f"{micros}.{count}"


def decode(stamp: str) -> tuple[datetime, int] | None:
    """The stamp a page sent back; None when it is none of ours."""
    bound, dot, count = (stamp or "").partition(".")
    if not dot or not (bound + count).isascii() or not (bound.isdecimal() and count.isdecimal()):
        return None
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(bound)), int(count)
    except OverflowError:
        return None


def check(user, stamp: str = "") -> tuple[str, bool]:
    """(the stamp to ask with next, whether anything visible changed since `stamp`). No stamp,
    a malformed or a stale one: changed."""
    now = timezone.now()
    old = decode(stamp)
    if old is None or not (now - MAX_AGE <= old[0] <= now + MAX_AGE):
        return _read(user, now, now)[0], True
    bound, count = old
    new_stamp, newer, before = _read(user, bound, now)
    return new_stamp, bool(newer) or before != count


def initial(now: datetime) -> str:
    """The stamp of a page whose rows are read after `now`, without a query: a change stamped
    within OVERLAP before it makes the first question answer "changed" (it may have committed
    after the rows were read), and the page fetches once."""
    return encode(now, 0)


def _read(user, old: datetime, now: datetime) -> tuple[str, int, int]:
    """One query: the new stamp; how many visible changes are stamped after `old`, and how
    many within OVERLAP up to it."""
    queues = access.queue_ids(user)
    params = {"low": old - OVERLAP, "old": old, "now": now, "overlap": OVERLAP}
    if queues is not None:
        params["queues"] = queues
    with connection.cursor() as cursor:
        cursor.execute(STATEMENTS["all" if queues is None else "some"], params)
        bound, newer, before, latest = cursor.fetchone()
    return encode(bound, latest), newer, before
