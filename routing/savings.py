"""Spend, the daily budget and the savings against sending everything to tier 2: the
dashboard's money figures (and the benchmark's), one SQL pass over the range's calls."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from routing.calls import spend_today
from routing.models import Circuit, RoutingPolicy


def share(part, whole) -> Decimal | None:
    """A percentage with one decimal place, None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- Spend, budget, savings --------------------------------------------------------------

# What the calls would have cost at the tier-2 model's price in force on each call's day:
# prices.tier2_equivalent() in SQL, with the long-prompt band and the batch discount applied
# per call exactly as prices.cost() applies them. For speed, token counts are summed per
# (price row, band, batch) group before they are priced, so the baseline is the exact sum of
# the unrounded per-call prices; cost() also rounds each call to 8 places, a difference under
# half a hundred-millionth of a dollar per call, on a figure that is an estimate anyway.
SAVINGS_SQL = """
WITH calls AS (
    SELECT c.purpose = 'shadow_audit' AS shadow, c.purpose = 'draft' AS draft, c.batch,
           c.cost_usd,
           (c.created_at AT TIME ZONE %(tz)s)::date AS day,
           num_nonnulls(c.input_tokens, c.output_tokens, c.cache_creation_input_tokens,
                        c.cache_creation_5m_tokens, c.cache_creation_1h_tokens,
                        c.cache_read_input_tokens) > 0 AS has_usage,
           COALESCE(c.input_tokens, 0) AS t_in,
           COALESCE(c.output_tokens, 0) AS t_out,
           COALESCE(c.cache_creation_1h_tokens, 0) AS t_1h,
           COALESCE(c.cache_creation_5m_tokens, 0)
             + GREATEST(COALESCE(c.cache_creation_input_tokens, 0)
                        - COALESCE(c.cache_creation_5m_tokens, 0)
                        - COALESCE(c.cache_creation_1h_tokens, 0), 0) AS t_5m,
           COALESCE(c.cache_read_input_tokens, 0) AS t_read
    FROM routing_modelcall c
    JOIN intake_lead l ON l.id = c.lead_id
    WHERE l.received_at >= %(since)s AND l.received_at < %(until)s
      AND c.purpose <> 'evaluation'
),
day_prices AS (
    -- The tier-2 price row in force on each day that has calls: looked up once a day.
    SELECT days.day, p.*
    FROM (SELECT DISTINCT day FROM calls) days
    LEFT JOIN LATERAL (
        SELECT mp.id AS price_id, mp.long_prompt_threshold, mp.long_prompt_multiplier
        FROM routing_modelprice mp
        WHERE mp.model = %(tier2)s AND mp.effective_from <= days.day
        ORDER BY mp.effective_from DESC
        LIMIT 1
    ) p ON TRUE
),
priced AS (
    SELECT calls.*, p.price_id,
           p.price_id IS NOT NULL AND has_usage AND cost_usd IS NOT NULL AND NOT shadow
             AS compared,
           COALESCE(p.long_prompt_multiplier IS NOT NULL
                    AND t_in + t_5m + t_1h + t_read > p.long_prompt_threshold, FALSE)
             AS long_prompt
    FROM calls
    LEFT JOIN day_prices p ON p.day = calls.day
),
groups AS (
    SELECT shadow, draft, compared, batch, long_prompt, price_id,
           COUNT(*) AS n, COUNT(*) FILTER (WHERE cost_usd IS NULL) AS unpriced,
           SUM(cost_usd) AS cost, SUM(t_in) AS t_in, SUM(t_out) AS t_out,
           SUM(t_5m) AS t_5m, SUM(t_1h) AS t_1h, SUM(t_read) AS t_read
    FROM priced
    GROUP BY shadow, draft, compared, batch, long_prompt, price_id
)
SELECT
    COALESCE(SUM(g.n), 0),
    COALESCE(SUM(g.cost), 0),
    COALESCE(SUM(g.unpriced), 0),
    COALESCE(SUM(g.cost) FILTER (WHERE g.shadow), 0),
    COALESCE(SUM(g.n) FILTER (WHERE g.shadow), 0),
    COALESCE(SUM(g.cost) FILTER (WHERE g.compared), 0),
    COALESCE(SUM(
        (mp.input_per_mtok * g.t_in + mp.cache_write_5m_per_mtok * g.t_5m
         + mp.cache_write_1h_per_mtok * g.t_1h + mp.cache_read_per_mtok * g.t_read
         + mp.output_per_mtok * g.t_out) * 0.000001
        * CASE WHEN g.long_prompt THEN mp.long_prompt_multiplier ELSE 1 END
        * CASE WHEN g.batch THEN mp.batch_multiplier ELSE 1 END
    ) FILTER (WHERE g.compared), 0),
    COALESCE(SUM(g.n) FILTER (WHERE NOT g.shadow AND NOT g.compared), 0),
    COALESCE(SUM(g.cost) FILTER (WHERE g.draft), 0),
    COALESCE(SUM(g.n) FILTER (WHERE g.draft), 0)
FROM groups g
LEFT JOIN routing_modelprice mp ON mp.id = g.price_id
"""


def active_policy() -> RoutingPolicy:
    # Read-only: a page view never seeds defaults; an unsaved default policy stands in.
    return RoutingPolicy.objects.filter(is_active=True).order_by("pk").first() or RoutingPolicy()


def spend(rng, policy: RoutingPolicy) -> dict:
    """Range spend, shadow-audit spend apart, and the savings against tier 2 for everything."""
    params = {
        "since": rng.since,
        "until": rng.until,
        "tz": timezone.get_current_timezone_name(),
        "tier2": policy.tier2_model,
    }
    with connection.cursor() as cursor:
        cursor.execute(SAVINGS_SQL, params)
        (
            calls,
            total,
            unpriced,
            shadow_cost,
            shadow_calls,
            compared_actual,
            compared_baseline,
            not_compared,
            draft_cost,
            draft_calls,
        ) = cursor.fetchone()
    savings = compared_baseline - compared_actual
    return {
        "calls": calls,
        "total": total,
        "unpriced": unpriced,
        "shadow_cost": shadow_cost,
        "shadow_calls": shadow_calls,
        "tier2_model": policy.tier2_model,
        "actual": compared_actual,
        "baseline": compared_baseline,
        "savings": savings,
        "net_savings": savings - shadow_cost,
        "savings_share": share(savings, compared_baseline),
        "not_compared": not_compared,
        # Drafts are in the total and the savings comparison; triage is everything else.
        "draft_cost": draft_cost,
        "draft_calls": draft_calls,
        "triage_cost": total - shadow_cost - draft_cost,
    }


def budget(now: datetime, policy: RoutingPolicy) -> dict:
    """Today's spend against the daily budget, counted the way routing.services does (from
    local midnight)."""
    spent = spend_today()
    limit = policy.daily_budget_usd
    circuit = Circuit.anthropic()
    return {
        "spent": spent,
        "limit": limit,
        "share": share(spent, limit),
        "over": spent >= limit,
        "circuit": circuit if circuit is not None and circuit.is_open else None,
    }
