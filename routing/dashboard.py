"""The routing dashboard in admin: queues, model mix, escalations, cost, budget, savings,
agreement, for the leads received in a date range.

Every figure is one aggregate query in PostgreSQL (a bounded number per page, whatever the
volume); Python only reshapes a few dozen rows. Money stays `numeric` in SQL and `Decimal`
here: nothing passes through a float.

Scope: a lead is in the range when it was received in it (local dates, both ends included),
and its cost is the sum of all its model calls, whenever they were made. Queue depths and SLA
breaches are the state now, whatever the range.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date

from intake.models import Channel, Lead
from routing import charts, quality, response_times
from routing.models import (
    FAMILY_LABELS,
    Category,
    Feedback,
    ShadowAudit,
    Triage,
    model_family,
)
from routing.savings import active_policy, budget, share, spend
from routing.templatetags.money import usd
from routing.trends import daily_trends

DEFAULT_DAYS = 14
CENTS = Decimal("0.01")
PLACES = Decimal("0.00000001")  # ModelCall.cost_usd has 8 decimal places
ZERO = Decimal("0")
MIX_ORDER = ("hygiene", "rules", "local", "haiku", "sonnet", "opus", "other")
MIX_LABELS = {"hygiene": "Hygiene gate (free)", **FAMILY_LABELS}


CHANNELS = dict(Channel.choices)


def category_names() -> dict[str, str]:
    """The admins' names for the category slugs: one query, for the cost table."""
    return dict(Category.objects.values_list("slug", "name"))


@dataclass(frozen=True)
class Range:
    start: date
    end: date  # included

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def leads(self):
        return Lead.objects.filter(received_at__gte=self.since, received_at__lt=self.until)


def parse_range(params, today: date | None = None) -> Range:
    """?start=YYYY-MM-DD&end=YYYY-MM-DD; the last 14 days (today included) by default."""
    today = today or timezone.localdate()

    def read(name):
        try:
            return parse_date(params.get(name) or "")
        except ValueError:  # well-formed but impossible, like 2026-02-30
            return None

    end = read("end") or today
    start = read("start") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    return Range(start, end)


# --- Queues and SLA (now) --------------------------------------------------------------


def queue_depths(now: datetime) -> dict:
    """Open work per queue and status, with SLA breaches: open leads past their due time."""
    rows = (
        Lead.objects.exclude(status=Lead.Status.FILTERED)
        .values("triage__queue__name", "status")
        .annotate(
            n=Count("pk"),
            breached=Count("pk", filter=Q(status__in=Lead.OPEN_STATUSES, triage__sla_due__lt=now)),
        )
        .order_by()
    )
    queues: dict[str, dict] = {}
    for row in rows:
        name = row["triage__queue__name"] or "(no queue)"
        entry = queues.setdefault(name, {"name": name, "counts": {}, "breached": 0})
        entry["counts"][row["status"]] = row["n"]
        entry["breached"] += row["breached"]
    seen = {status for q in queues.values() for status in q["counts"]}
    columns = [(value, label) for value, label in Lead.Status.choices if value in seen]
    table = []
    for name in sorted(queues):
        entry = queues[name]
        entry["cells"] = [entry["counts"].get(value, 0) for value, _ in columns]
        table.append(entry)
    return {
        "columns": columns,
        "rows": table,
        "breached": sum(q["breached"] for q in table),
    }


# --- Model mix, escalation, agreement ----------------------------------------------------


def decisions(rng: Range) -> list[dict]:
    """One pass over the decided leads of the range, grouped by deciding model and tier:
    decided, escalated, shadow-audited, shadow-agreed, corrected by a rep (category)."""
    corrected = Feedback.objects.filter(
        lead=OuterRef("lead"), field="category", model=OuterRef("model")
    )
    return list(
        Triage.objects.filter(
            decided_at__isnull=False,
            lead__received_at__gte=rng.since,
            lead__received_at__lt=rng.until,
        )
        .annotate(is_corrected=Exists(corrected))
        .values("model", "tier")
        .annotate(
            n=Count("pk"),
            escalated=Count("pk", filter=Q(escalated=True)),
            audited=Count("pk", filter=~Q(shadow_category="")),
            agreed=Count("pk", filter=~Q(shadow_category="") & Q(shadow_category=F("category"))),
            corrected=Count("pk", filter=Q(is_corrected=True)),
        )
        .order_by("tier", "model")
    )


def model_mix(rows: list[dict], filtered: int) -> dict:
    """Who decided the leads of the range; hygiene-filtered leads count as decided for free."""
    counts = dict.fromkeys(MIX_ORDER, 0)
    for row in rows:
        counts[model_family(row["model"])] += row["n"]
    counts["hygiene"] = filtered
    total = sum(counts.values())
    return {
        "total": total,
        "rows": [
            {
                "name": name,
                "label": MIX_LABELS[name],
                "n": counts[name],
                "share": share(counts[name], total),
            }
            for name in MIX_ORDER
            if counts[name] or name != "other"
        ],
    }


REASON_SQL = """
SELECT split_part(split_part(reason, ':', 1), ' (', 1) AS prefix, COUNT(*)
FROM routing_triage t
JOIN intake_lead l ON l.id = t.lead_id
CROSS JOIN LATERAL jsonb_array_elements_text(t.escalation_reasons) AS reason
WHERE t.decided_at IS NOT NULL AND l.received_at >= %s AND l.received_at < %s
  AND jsonb_typeof(t.escalation_reasons) = 'array' AND t.escalation_reasons <> '[]'::jsonb
GROUP BY 1
ORDER BY 2 DESC, 1
"""


def escalations(rng: Range, rows: list[dict]) -> dict:
    """Escalated / decided, and every recorded reason counted by its prefix."""
    n = sum(row["n"] for row in rows)
    escalated = sum(row["escalated"] for row in rows)
    with connection.cursor() as cursor:
        cursor.execute(REASON_SQL, [rng.since, rng.until])
        reasons = [{"reason": prefix, "n": count} for prefix, count in cursor.fetchall()]
    return {"decided": n, "escalated": escalated, "rate": share(escalated, n), "reasons": reasons}


def agreement(rows: list[dict]) -> dict:
    """Shadow audits (tier 2 asked on its own, in a batch, about a confident tier-1 decision)
    and rep corrections."""
    shadow: dict[str, dict] = {}
    for row in rows:
        if row["audited"]:
            entry = shadow.setdefault(row["model"], {"model": row["model"], "n": 0, "agreed": 0})
            entry["n"] += row["audited"]
            entry["agreed"] += row["agreed"]
    for entry in shadow.values():
        entry["share"] = share(entry["agreed"], entry["n"])
    reps = [
        {
            "model": row["model"],
            "tier": row["tier"],
            "n": row["n"],
            "corrected": row["corrected"],
            "share": share(row["n"] - row["corrected"], row["n"]),
        }
        for row in rows
    ]
    return {"shadow": [shadow[model] for model in sorted(shadow)], "reps": reps}


# --- Cost per lead ---------------------------------------------------------------------

# percentile_cont() takes double precision, so it would round money through a float; the
# same interpolation (position 1 + p * (n - 1) in the sorted costs) done on the numeric
# array keeps it exact.
COST_SQL = """
WITH per_lead AS (
    -- One pass over the range's leads and their calls (grouped by lead, and by its triage,
    -- which is at most one row).
    SELECT (l.received_at AT TIME ZONE %(tz)s)::date AS day,
           l.channel,
           COALESCE(NULLIF(t.category, ''), '(none)') AS category,
           COALESCE(SUM(c.cost_usd), 0) AS cost,
           l.status = 'filtered' AND t.id IS NULL AS hygiene
    FROM intake_lead l
    LEFT JOIN routing_triage t ON t.lead_id = l.id
    -- Evaluation calls have no lead; the purpose test says so where it matters.
    LEFT JOIN routing_modelcall c ON c.lead_id = l.id AND c.purpose <> 'evaluation'
    WHERE l.received_at >= %(since)s AND l.received_at < %(until)s
    GROUP BY l.id, t.id
),
grouped AS (
    SELECT GROUPING(day) AS g_day, GROUPING(channel) AS g_channel,
           GROUPING(category) AS g_category, day, channel, category,
           COUNT(*) AS n, SUM(cost) AS total, array_agg(cost ORDER BY cost) AS costs,
           COUNT(*) FILTER (WHERE hygiene) AS hygiene
    FROM per_lead
    GROUP BY GROUPING SETS ((), (day), (channel), (category))
),
positioned AS (
    SELECT *, 1 + 0.5 * (n - 1) AS p50, 1 + 0.95 * (n - 1) AS p95 FROM grouped
)
SELECT g_day, g_channel, g_category, day, channel, category, n, total, hygiene,
       costs[floor(p50)::int]
         + (p50 - floor(p50)) * (costs[ceil(p50)::int] - costs[floor(p50)::int]),
       costs[floor(p95)::int]
         + (p95 - floor(p95)) * (costs[ceil(p95)::int] - costs[floor(p95)::int])
FROM positioned
"""


def audits_pending() -> dict:
    """Shadow audits not answered yet, whatever the range: waiting to be sent, or in a batch
    that has not ended (answers arrive within 24 hours)."""
    return ShadowAudit.objects.filter(done_at__isnull=True).aggregate(
        waiting=Count("pk", filter=Q(batch_id="")),
        sent=Count("pk", filter=~Q(batch_id="")),
    )


def cost_per_lead(rng: Range) -> dict:
    """Mean, median and p95 of each lead's summed call cost, overall and by day, channel and
    category. A lead without calls (hygiene, rules, local) costs 0 and is counted."""
    params = {"since": rng.since, "until": rng.until, "tz": timezone.get_current_timezone_name()}
    with connection.cursor() as cursor:
        cursor.execute(COST_SQL, params)
        rows = cursor.fetchall()
    overall = None
    by_day, by_channel, by_category = {}, [], []
    filtered = 0
    for g_day, g_channel, g_category, day, channel, category, n, total, hygiene, p50, p95 in rows:
        if not n:
            continue  # the grand total of an empty range
        stats = {
            "n": n,
            "total": total,
            "mean": (total / n).quantize(PLACES, ROUND_HALF_UP),
            "median": p50,
            "p95": p95,
        }
        if g_day and g_channel and g_category:
            overall = stats
            filtered = hygiene
        elif not g_day:
            by_day[day] = {"day": day, **stats}
        elif not g_channel:
            by_channel.append(
                {"channel": channel, "label": CHANNELS.get(channel, channel), **stats}
            )
        else:
            by_category.append({"category": category, **stats})
    days = []
    day = rng.start
    while day <= rng.end:  # every day of the range, empty ones included, for the chart
        days.append(by_day.get(day) or {"day": day, "n": 0, "total": ZERO})
        day += timedelta(days=1)
    empty = {"n": 0, "total": ZERO, "mean": None, "median": None, "p95": None}
    names = category_names() if by_category else {}
    for row in by_category:
        row["label"] = names.get(row["category"], row["category"]) if row["category"] else "(none)"
    return {
        "overall": overall if overall and overall["n"] else empty,
        "days": days,
        "channels": sorted(by_channel, key=lambda r: r["channel"]),
        "categories": sorted(by_category, key=lambda r: -r["total"]),
        "filtered": filtered,
    }


# --- The page ----------------------------------------------------------------------------


def build(rng: Range, now: datetime | None = None) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiles these aggregates for longer than they run (0.7 s of a
        # 1.3 s query at 100,000 leads), and the per-lead cost sort fits in memory with a
        # little more than the default work_mem. Both for this transaction only.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '32MB'")
        return _build(rng, now)


def _build(rng: Range, now: datetime | None) -> dict:
    now = now or timezone.now()
    policy = active_policy()
    costs = cost_per_lead(rng)
    rows = decisions(rng)
    mix = model_mix(rows, costs["filtered"])
    return {
        "range": rng,
        "queues": queue_depths(now),
        "mix": mix,
        "escalation": escalations(rng, rows),
        "costs": costs,
        "spend": spend(rng, policy),
        "budget": budget(now, policy),
        "agreement": agreement(rows),
        "audits_pending": audits_pending(),
        "quality": quality.panel(rng, now, policy),
        "first_response": response_times.first_response(rng.since, rng.until),
        "cost_chart": charts.bar_chart(
            [(f"{d['day']:%m-%d}", d["total"]) for d in costs["days"]],
            title="Daily spend: model calls for the leads received each day (USD)",
            fmt=lambda value: usd(value, 4),
            empty="No spend yet.",
        ),
        "trends": daily_trends(rng.end, now),
        "mix_chart": charts.bar_chart(
            # The table says the gate is free; the bar's label has only a bar's width.
            [(row["label"].removesuffix(" (free)"), row["n"]) for row in mix["rows"]],
            title="Leads by decider",
            width=600,
            empty="No leads decided yet.",
        ),
    }


def dashboard_view(request, admin_site, *, read_only: bool = False):
    """The page; `read_only` for a manager who is not staff: the same figures, and no link
    into the admin, whose pages are not theirs."""
    rng = parse_range(request.GET)
    context = {
        **admin_site.each_context(request),
        "title": "Routing dashboard",
        "read_only": read_only,
        **build(rng),
    }
    if read_only:
        context["is_nav_sidebar_enabled"] = False  # it would only say "no permission"
    return TemplateResponse(request, "admin/routing/dashboard.html", context)
