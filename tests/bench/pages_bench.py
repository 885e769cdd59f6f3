"""Sales page figures at scale (printed, never asserted).

    .venv/bin/python -m tests.bench.pages_bench [--leads 1000000] [--requests 50] [--keep]

Loads the leads in bulk with SQL (contacts, leads with their search text, one message
each, a triage each) into a scratch database, then times the queue page, a search and
the lead page in-process (server time: the view, the ORM and the template, no network):
median and p95 over N requests each, for a rep who works two queues and for a manager.

The mix is what a sales team has after a few years: most leads closed (won, lost,
disqualified, spam, filtered), a few percent open, spread over two years.

Scratch database: BENCH_DATABASE_URL (default leadrouter_pages). With --keep, an existing
database that already holds the leads is reused instead of re-created.
"""

import argparse
import html
import os
import re
import statistics
import sys
import time
from pathlib import Path

NEXT = re.compile(r'<a href="([^"]+)" rel="next"')
REPO = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/leadrouter_pages"

WORDS = (
    "demo pricing seats licence quote team rollout security audit integration trial "
    "onboarding renewal upgrade budget approved quarter pilot migration workflow routing "
    "leads sales support partner reseller invoice contract procurement evaluation "
    "enterprise startup agency volcano harbour granite lantern meadow orbit pepper quartz "
    "saffron timber velvet willow zephyr amber cobalt dune ember fjord"
).split()
COMPANIES = (
    "acme globex initech umbrella hooli stark wayne wonka cyberdyne tyrell soylent "
    "vandelay dunder pied aperture monarch gringotts oscorp massive virtucon"
).split()
FIRST = "dana hank ana ben cy eva finn gus ida jon kim lea max nia otto pia raf sue tom uma".split()

# status, share of all leads (sums to 1)
STATUSES = [
    ("new", 0.015),
    ("working", 0.01),
    ("contacted", 0.008),
    ("qualified", 0.005),
    ("awaiting_triage", 0.002),
    ("won", 0.10),
    ("lost", 0.25),
    ("disqualified", 0.25),
    ("spam", 0.10),
    ("filtered", 0.26),
]
QUEUE_SHARE = [("sales", 0.5), ("enterprise", 0.1), ("support", 0.25), ("partnerships", 0.05)]


def sql_array(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def pick(values) -> str:
    return f"({sql_array(values)})[1 + floor(random() * {len(values)})::int]"


def case_by_share(shares, r: str) -> str:
    parts, edge = [], 0.0
    for value, share in shares:
        edge += share
        parts.append(f"WHEN {r} < {edge:.4f} THEN '{value}'")
    return "CASE " + " ".join(parts) + " ELSE NULL END"


def load(cursor, leads: int) -> None:
    contacts = max(1, leads // 5)
    started = time.monotonic()
    cursor.execute(
        f"""
        INSERT INTO intake_contact (email, name, company, domain, is_free_mail, created_at)
        SELECT n || '.' || {pick(FIRST)} || '@' || c || '.example',
               initcap({pick(FIRST)}) || ' ' || initcap({pick(WORDS)}), initcap(c),
               c || '.example', false, now()
        FROM (SELECT n, {pick(COMPANIES)} || (n % 500) AS c
              FROM generate_series(1, {contacts}) AS n) AS s
        """
    )
    cursor.execute("SELECT min(id) FROM intake_contact")
    first_contact = cursor.fetchone()[0]
    cursor.execute(
        f"""
        CREATE TEMP TABLE bench_lead AS
        SELECT n,
               {first_contact} + floor(random() * {contacts})::int AS contact_id,
               {case_by_share(STATUSES, "r1")} AS status,
               {case_by_share(QUEUE_SHARE, "r2")} AS queue,
               initcap({pick(WORDS)}) || ' ' || {pick(WORDS)} || ' for ' || {pick(WORDS)}
                   || ' ' || {pick(WORDS)} AS subject,
               'Hello, we are looking at ' || {pick(WORDS)} || ' and ' || {pick(WORDS)}
                   || ' for our ' || {pick(WORDS)} || ' team of ' || (5 + n % 400)
                   || '. Could you tell us about ' || {pick(WORDS)} || ' and '
                   || {pick(WORDS)} || '? Timeline: ' || {pick(WORDS)} || '.' AS body,
               now() - (random() * interval '730 days') AS received_at,
               1 + floor(random() * 5)::int AS priority,
               floor(random() * 101)::int AS score
        FROM (SELECT n, random() AS r1, random() AS r2 FROM generate_series(1, {leads}) AS n) s
        """
    )
    cursor.execute(
        """
        INSERT INTO intake_lead (contact_id, status, filter_reason, channel, subject,
            subject_key, queue_hint, reply_token, received_at, last_message_at, updated_at,
            search)
        SELECT b.contact_id, b.status, '', 'email', b.subject, lower(b.subject), '',
               md5(b.n::text || random()::text), b.received_at, b.received_at, b.received_at,
               setweight(to_tsvector('simple', concat_ws(' ', c.name, c.company, c.email,
                   replace(c.domain, '.', ' '))), 'A')
               || setweight(to_tsvector('simple', b.subject), 'B')
               || setweight(to_tsvector('simple', b.subject || ' ' || b.body), 'C')
        FROM bench_lead b JOIN intake_contact c ON c.id = b.contact_id
        ORDER BY b.n
        """
    )
    cursor.execute("SELECT min(id) FROM intake_lead")
    offset = cursor.fetchone()[0] - 1
    cursor.execute(
        f"""
        INSERT INTO intake_message (lead_id, channel, provider, provider_message_id,
            message_id, dedupe_key, raw, raw_size, provider_payload, envelope_recipient,
            received_at, parse_state, parse_error, parse_warnings, parsed_at, from_email,
            from_name, "to", cc, subject, in_reply_to, "references", headers, text,
            text_new, text_quoted, signature, html, hygiene)
        SELECT b.n + {offset}, 'email', 'bench', '', 'bench-' || b.n || '@bench.example',
               'mid:bench-' || b.n || '@bench.example', convert_to(b.body, 'UTF8'),
               length(b.body), '{{}}', '', b.received_at, 'parsed', '', '[]', b.received_at,
               c.email, c.name, 'sales@leadrouter.test', '', b.subject, '', '', '[]',
               b.body, b.body, '', '', '', ''
        FROM bench_lead b JOIN intake_contact c ON c.id = b.contact_id
        """
    )
    cursor.execute(
        f"""
        INSERT INTO routing_triage (lead_id, category, is_lead, qualification, score, urgency,
            language, summary, next_action, confidence, injection_suspected, model, tier,
            escalated, escalation_reasons, outputs, rules_applied, provisional, attempts,
            shadow_category, queue_id, priority, sla_due, assignee_id, decided_at, created_at)
        SELECT b.n + {offset},
               CASE b.queue WHEN 'support' THEN 'support' WHEN 'partnerships' THEN 'partnership'
                    ELSE 'demo_request' END,
               coalesce(b.queue IN ('sales', 'enterprise'), false), '{{}}', b.score, 'normal', 'en',
               'Asks about ' || b.subject, 'book_demo', 0.90, false,
               CASE WHEN b.n % 7 = 0 THEN 'claude-sonnet-5-5' ELSE 'claude-haiku-5-5' END,
               CASE WHEN b.n % 7 = 0 THEN 2 ELSE 1 END, b.n % 7 = 0,
               CASE WHEN b.n % 7 = 0 THEN '["low_confidence"]'::jsonb ELSE '[]'::jsonb END,
               '[]', '[]', false, 1, '', q.id, b.priority,
               CASE WHEN q.id IS NULL THEN NULL
                    ELSE b.received_at + make_interval(mins => q.sla_minutes) END,
               NULL, b.received_at, b.received_at
        FROM bench_lead b LEFT JOIN routing_queue q ON q.slug = b.queue
        WHERE b.status <> 'filtered'
        """
    )
    cursor.execute("DROP TABLE bench_lead")
    print(f"loaded {leads:,} leads in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    cursor.execute("VACUUM ANALYZE")
    print(f"vacuum analyze {time.monotonic() - started:.0f} s", flush=True)


def timed(client, url: str, n: int) -> tuple[float, float, int]:
    client.get(url)  # warm: connection, caches, template loading
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95, response


def measure(requests: int) -> list[dict]:
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from intake.models import Lead
    from routing.models import Queue, QueueMembership

    sales = Group.objects.get_or_create(name="sales")[0]
    manager = Group.objects.get_or_create(name="manager")[0]
    rep, _ = User.objects.get_or_create(username="bench-rep")
    rep.groups.add(sales)
    for queue in Queue.objects.filter(slug__in=["sales", "enterprise"]):
        QueueMembership.objects.get_or_create(queue=queue, user=rep)
    boss, _ = User.objects.get_or_create(username="bench-manager")
    boss.groups.add(manager)
    lead = Lead.objects.filter(status="working", triage__queue__slug="sales").order_by("pk").first()
    results = []
    for who, user in (("rep", rep), ("manager", boss)):
        client = Client()
        client.force_login(user)
        first = client.get("/").content.decode()
        cursor = html.unescape(NEXT.search(first).group(1)) if NEXT.search(first) else ""
        pages = [
            ("queue page", "/"),
            ("queue page 2 (keyset)", "/" + cursor if cursor else "/"),
            ("queue, filtered (score ≥ 70, unassigned)", "/?score_min=70&owner=unassigned"),
            ("search: a company", "/?q=hooli42"),
            ("search: a name and a company prefix", "/?q=dana+wonk"),
            ("search: a word in 1 of 5 leads", "/?q=pilot"),
            ("search: a company, any status", "/?q=hooli42&status=all"),
            ("lead page", f"/leads/{lead.pk}/"),
        ]
        for name, url in pages:
            with CaptureQueriesContext(connection) as queries:
                median, p95, response = timed(client, url, requests)
            rows = response.content.count(b'<tr id="lead-') if name != "lead page" else "-"
            results.append(
                {
                    "who": who,
                    "page": name,
                    "median_ms": round(median, 1),
                    "p95_ms": round(p95, 1),
                    "rows": rows,
                    "queries": len(queries) // (requests + 1),
                }
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    sys.path.insert(0, str(REPO))
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not args.keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not args.keep:
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0: hashed names
    from intake.models import Lead

    if Lead.objects.count() < args.leads:
        with connection.cursor() as cursor:
            load(cursor, args.leads - Lead.objects.count())
    print(f"{Lead.objects.count():,} leads, {Lead.objects.open().count():,} open")
    print(f"{'who':<8} {'page':<42} {'median ms':>10} {'p95 ms':>8} {'rows':>5} {'queries':>8}")
    for row in measure(args.requests):
        print(
            f"{row['who']:<8} {row['page']:<42} {row['median_ms']:>10} {row['p95_ms']:>8} "
            f"{row['rows']:>5} {row['queries']:>8}"
        )


if __name__ == "__main__":
    main()
