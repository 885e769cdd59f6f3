"""Routing dashboard figures for the issue notes (printed, never asserted).

    .venv/bin/python -m tests.bench.dashboard_bench [--leads 100000] [--days 14]

Fills a scratch database with leads received over the last `--days` days (SQL, in seconds):
one contact per 3 leads, 5% filtered by hygiene, every other lead triaged (80% Haiku, 12%
Sonnet after escalation, 8% rules or local, 2% shadow-audited, a few corrected by a rep),
one or two model calls per model-decided lead with tokens and a cost. Then it times the
dashboard page (`routing.dashboard.build`, the whole context the view renders) for the default
range, a few times, and prints the query count and the time of each run and of each query.

Scratch database: BENCH_DATABASE_URL (default leadrouter_bench), re-created.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/leadrouter_bench"

FILL_SQL = """
INSERT INTO intake_contact (email, name, company, domain, is_free_mail, created_at)
SELECT 'buyer' || g || '@company' || (g % 997) || '.example', '', '', 'company' || (g % 997)
       || '.example', g % 10 = 0, now()
FROM generate_series(1, %(contacts)s) g;

INSERT INTO intake_lead (status, filter_reason, channel, subject, subject_key, queue_hint,
                         reply_token, received_at, last_message_at, updated_at, contact_id)
SELECT CASE WHEN g % 20 = 0 THEN 'filtered'
            WHEN g % 7 = 0 THEN 'working'
            WHEN g % 11 = 0 THEN 'won'
            ELSE 'new' END,
       '', CASE WHEN g % 4 = 0 THEN 'form' ELSE 'email' END,
       'Inquiry ' || g, 'inquiry ' || g, '', md5(g::text),
       now() - random() * %(days)s * interval '1 day', now(), now(),
       (SELECT min(id) FROM intake_contact) + (g % %(contacts)s)
FROM generate_series(1, %(leads)s) g;

INSERT INTO routing_triage (category, is_lead, qualification, score, urgency, language, summary,
    next_action, confidence, injection_suspected, model, tier, escalated, escalation_reasons,
    outputs, rules_applied, provisional, attempts, shadow_category, priority, sla_due,
    decided_at, created_at, queue_id, lead_id)
SELECT (ARRAY['demo_request','pricing_request','sales_inquiry','support','partnership',
              'spam'])[1 + l.id %% 6],
       TRUE, '{}', (l.id * 7) %% 100, 'normal', 'en', 'Asks about the product.', 'book_demo',
       0.85, FALSE,
       CASE WHEN l.id %% 100 < 80 THEN 'claude-haiku-5-5'
            WHEN l.id %% 100 < 92 THEN 'claude-sonnet-5-5'
            WHEN l.id %% 100 < 96 THEN 'rules' ELSE 'local' END,
       CASE WHEN l.id %% 100 < 80 THEN 1 WHEN l.id %% 100 < 92 THEN 2 ELSE 0 END,
       l.id %% 100 BETWEEN 80 AND 91,
       CASE WHEN l.id %% 100 BETWEEN 80 AND 91
            THEN '["low_confidence (0.40 < 0.70)"]'::jsonb ELSE '[]'::jsonb END,
       '[]', '[]', FALSE, 1,
       CASE WHEN l.id %% 50 = 0 THEN 'demo_request' ELSE '' END,
       3, l.received_at + interval '4 hours', l.received_at + interval '5 seconds',
       l.received_at, (SELECT min(id) FROM routing_queue), l.id
FROM intake_lead l
WHERE l.status <> 'filtered';

INSERT INTO routing_modelcall (tier, model, purpose, batch, input_tokens, output_tokens,
    cache_creation_input_tokens, cache_read_input_tokens, cost_usd, request_id, stop_reason,
    retries, error, error_type, created_at, completed_at, lead_id, price_id)
SELECT c.tier, c.model, c.purpose, FALSE, 1500, 160, 0, 1300,
       CASE WHEN c.tier = 1 THEN 0.00023800 ELSE 0.00443000 END, 'req_' || t.id, 'end_turn',
       0, '', '', t.decided_at - interval '2 seconds', t.decided_at - interval '1 second',
       t.lead_id,
       (SELECT id FROM routing_modelprice p WHERE p.model = c.model
        ORDER BY effective_from DESC LIMIT 1)
FROM routing_triage t
CROSS JOIN LATERAL (
    SELECT 1 AS tier, 'claude-haiku-5-5' AS model, 'triage' AS purpose
    WHERE t.tier >= 1
    UNION ALL
    SELECT 2, 'claude-sonnet-5-5', 'escalation' WHERE t.tier = 2
    UNION ALL
    SELECT 2, 'claude-sonnet-5-5', 'shadow_audit' WHERE t.shadow_category <> ''
) c;

INSERT INTO routing_feedback (field, old_value, new_value, model, tier, created_at, lead_id)
SELECT 'category', '"demo_request"', '"pricing_request"', t.model, t.tier, now(), t.lead_id
FROM routing_triage t WHERE t.lead_id %% 97 = 0;

ANALYZE;
"""


def fill(leads: int, days: int) -> None:
    from django.db import connection

    sql = FILL_SQL.replace("%(contacts)s", str(max(leads // 3, 1)))
    sql = sql.replace("%(leads)s", str(leads)).replace("%(days)s", str(days))
    sql = sql.replace("%%", "%")
    with connection.cursor() as cursor:
        for statement in filter(str.strip, sql.split(";\n")):
            cursor.execute(statement)


def time_page(runs: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from routing import dashboard

    rng = dashboard.parse_range({})
    seconds = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            dashboard.build(rng)
            seconds.append(time.perf_counter() - started)
    return {
        "runs": [round(s, 3) for s in seconds],
        "median_seconds": round(statistics.median(seconds), 3),
        "queries": len(captured.captured_queries),
        "query_seconds": [
            (float(q["time"]), " ".join(q["sql"].split())[:90]) for q in captured.captured_queries
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    from tests.bench.intake_bench import bench_env, manage, reset_database

    reset_database(url)
    manage(bench_env(url), "migrate", "--verbosity=0")
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    started = time.perf_counter()
    fill(args.leads, args.days)
    print(f"filled {args.leads} leads in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    print(json.dumps({"leads": args.leads, **time_page(args.runs)}, indent=2))


if __name__ == "__main__":
    main()
