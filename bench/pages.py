"""Section 4: the sales pages at 1,000,000 leads (5,000 with --quick).

Loads the leads in bulk with SQL into a fresh scratch database (contacts, leads with their
search text, one message each, a triage each; the database triggers fill the triage's copy
of the lead's status), then times the queue page, searches and the lead page in a child
process: server time (the view, the ORM and the template, no network), p50 and p95 over
50 requests each (10 with --quick), for a rep who works two queues and for a manager.

The mix is what a sales team has after a few years: most leads closed (won, lost,
disqualified, spam, filtered), about 4% open, spread over two years; company names are
shared by about 20 contacts each, so a search for a company finds a realistic handful.
"""

import html
import re
import statistics
import time

from bench import scratch
from bench.report import Row, at_most, ms

NEXT = re.compile(r'<a href="([^"]+)" rel="next"')
FULL_LEADS, QUICK_LEADS = 1_000_000, 5_000

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
            text_new, text_quoted, signature, html, hidden_text, hygiene, direction)
        SELECT b.n + {offset}, 'email', 'bench', '', 'bench-' || b.n || '@bench.example',
               'mid:bench-' || b.n || '@bench.example', convert_to(b.body, 'UTF8'),
               length(b.body), '{{}}', '', b.received_at, 'parsed', '', '[]', b.received_at,
               c.email, c.name, 'sales@leadrouter.test', '', b.subject, '', '', '[]',
               b.body, b.body, '', '', '', '', '', 'inbound'
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


def load_leads(leads: int) -> dict:
    """Child: bulk-load `leads` leads into the (fresh) scratch database."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        load(cursor, leads)
    return {"seconds": time.monotonic() - started}


def timed(client, url: str, n: int) -> tuple[list[float], bytes]:
    client.get(url)  # warm: connection, caches, template loading
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return samples, response.content


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


QUICK_PAGES = ("queue page", "search: a company", "lead page")


def measure_pages(requests: int, quick: bool = False) -> list[dict]:
    """Child: time each page for a rep (two queues) and a manager (every queue); with
    `quick`, three pages for the rep only: the code path, not the figure."""
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from intake.models import Lead
    from routing.models import Queue, QueueMembership

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0: hashed names
    rep = User.objects.create_user("bench-rep")
    rep.groups.add(Group.objects.get_or_create(name="sales")[0])
    for queue in Queue.objects.filter(slug__in=["sales", "enterprise"]):
        QueueMembership.objects.create(queue=queue, user=rep)
    boss = User.objects.create_user("bench-manager")
    boss.groups.add(Group.objects.get_or_create(name="manager")[0])
    lead = Lead.objects.filter(status="working", triage__queue__slug="sales").order_by("pk")[0]
    results = []
    for who, user in (("rep", rep),) if quick else (("rep", rep), ("manager", boss)):
        client = Client(HTTP_HOST="127.0.0.1")  # one of the scratch env's ALLOWED_HOSTS
        client.force_login(user)
        first = client.get("/").content.decode()
        found = NEXT.search(first)
        pages = [
            ("queue", "queue page", "/"),
            (
                "queue",
                "queue page 2 (keyset)",
                "/" + html.unescape(found.group(1)) if found else "/",
            ),
            ("queue", "queue, score >= 70, unassigned", "/?score_min=70&owner=unassigned"),
            ("search", "search: a company", "/?q=hooli42"),
            ("search", "search: a name and a company prefix", "/?q=dana+wonk"),
            ("search", "search: a word in 1 of 5 leads", "/?q=pilot"),
            ("search", "search: a company, any status", "/?q=hooli42&status=all"),
            ("lead", "lead page", f"/leads/{lead.pk}/"),
        ]
        for kind, name, url in pages:
            if quick and name not in QUICK_PAGES:
                continue
            with CaptureQueriesContext(connection) as queries:
                samples, content = timed(client, url, requests)
            results.append(
                {
                    "who": who,
                    "kind": kind,
                    "page": name,
                    "p50_ms": round(statistics.median(samples), 1),
                    "p95_ms": round(percentile(samples, 0.95), 1),
                    "rows": content.count(b'<tr id="lead-') if kind != "lead" else None,
                    "queries": len(queries) // (requests + 1),
                }
            )
    return results


def pages_section(options: dict) -> list[Row]:
    db = options["scratch"]
    quick = options.get("quick")
    leads, requests = (QUICK_LEADS, 5) if quick else (FULL_LEADS, 50)
    db.fresh()
    env = db.env()
    loaded = scratch.run_child(env, "bench.pages:load_leads", leads=leads)
    (open_leads,) = db.count(
        "SELECT count(*) FROM intake_lead WHERE status = ANY(%s)",
        [["awaiting_triage", "new", "working", "contacted", "qualified"]],
    )
    section = "4 pages"
    rows = [
        Row(
            section,
            f"{leads:,} leads ({open_leads:,} open) bulk-loaded",
            f"{loaded['seconds']:.0f} s",
            "",
            None,
            round(loaded["seconds"], 1),
        )
    ]
    for result in scratch.run_child(
        env, "bench.pages:measure_pages", requests=requests, quick=bool(quick)
    ):
        target = 200 if result["kind"] == "search" else 100
        shown = f"{result['rows']} rows, " if result["rows"] is not None else ""
        rows.append(
            Row(
                section,
                f"{result['who']}: {result['page']} p50 / p95 ({shown}{result['queries']} queries)",
                f"{ms(result['p50_ms'])} / {ms(result['p95_ms'])}",
                f"p95 <= {target} ms" if not quick else f"p95 <= {target} ms at 1M",
                at_most(result["p95_ms"], target) if not quick else None,
                result,
            )
        )
    return rows
