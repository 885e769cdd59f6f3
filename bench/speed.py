"""Section 9: speed to lead, with every process real.

Postmark inbound webhooks are posted to gunicorn at a steady rate (10 a second; 60 s, or
10 s with --quick) while a real qcluster works them against the simulated Messages API
(tier 1 answers after 400 ms, tier 2 after 1,500 ms). One rep works every queue (each
queue hands its leads to them by rotation), their notifications go by mail to an SMTP sink
(aiosmtpd) and every queue has a Slack channel (an HTTP sink here, at a minimum score of 0),
both in this process and recording when each arrived. From each webhook's 2xx:

(a) the decision committed: the triage's `decided_at`, read from the database afterwards,
    apart for leads tier 1 decided and leads that escalated to tier 2;
(b) the lead on an open queue page: a client signed in as the rep asks what the page asks
    (read from the page it is served: the change stamp every WORKSPACE_LIVE_SECONDS and,
    when it moved, the rows; the rows' own poll every WORKSPACE_POLL_SECONDS) and notes when
    each lead first comes back in the rows;
(c) the owner's mail accepted by the SMTP sink, and the queue's Slack post received.

Each figure is given from the 2xx and after the decision (the targets are after it). The
webhooks' own rate and p99 during the run stand beside section 1's figure.
"""

import base64
import http.client
import json
import logging
import re
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import psycopg

from bench import scratch
from bench.intake import percentile, postmark_payload
from bench.report import Row, at_most, ms, rate
from bench.simulator.process import running
from bench.triage import FROM, lead_sources

RATE = 10  # webhooks a second
PASSWORD = "bench-speed-password-1"
REP = "bench-rep"
FIRST = 700_000  # the run's webhook numbers (Message-ID <bench-N@bench.example>)
WARM = 600_000
LEAD_NUMBER = re.compile(r"#(\d+)")
BENCH_NUMBER = re.compile(r"bench-(\d+)@")
ROW = re.compile(r'id="lead-(\d+)"')
POLL_SINCE = re.compile(r'id="poll"[^>]*hx-vals=\'\{"since": "([^"]+)"\}\'')
POLL_EVERY = re.compile(r'id="poll"[^>]*hx-trigger="every (\d+)s')
CHANGES = re.compile(
    r'id="changes"[^>]*data-url="([^"]+)" data-stamp="([^"]*)" data-seconds="(\d+)"'
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- Sinks ------------------------------------------------------------------------------


class MailSink:
    """aiosmtpd handler: when each lead's mail arrived (by the lead number in its subject)."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}

    async def handle_DATA(self, server, session, envelope) -> str:
        when = time.time()
        head = (envelope.content or b"").split(b"\r\n\r\n", 1)[0].decode(errors="replace")
        subject = next((ln for ln in head.splitlines() if ln.lower().startswith("subject:")), "")
        found = LEAD_NUMBER.search(subject)
        if found:
            self.arrived.setdefault(int(found.group(1)), when)
        return "250 OK"


@contextmanager
def mail_sink():
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    port = free_port()
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink.arrived, port
    finally:
        controller.stop()


class _SlackHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        when = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            text = json.loads(body).get("text", "")
        except ValueError:
            text = ""
        found = LEAD_NUMBER.search(text)
        if found:
            with self.server.lock:
                self.server.arrived.setdefault(int(found.group(1)), when)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@contextmanager
def slack_sink():
    """An incoming-webhook stand-in: when each lead's post arrived."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlackHandler)
    server.arrived, server.lock = {}, threading.Lock()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield server.arrived, f"http://127.0.0.1:{server.server_address[1]}/services/bench"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Set-up (in bench.child) ------------------------------------------------------------


def set_up(slack_url: str, digest_after: int) -> dict:
    """The rep: a member of every queue with room for the whole run, each queue handing its
    leads out by rotation, a Slack channel on each queue for every score."""
    from django.contrib.auth.models import Group, User

    from handoff.models import Channel, Preference, QueueChannel
    from routing.models import Queue, QueueMembership

    rep = User.objects.create_user(REP, email="rep@bench.example", password=PASSWORD)
    rep.groups.add(Group.objects.get_or_create(name="sales")[0])
    Preference.objects.create(user=rep)
    queues = list(Queue.objects.all())
    Queue.objects.update(strategy=Queue.Strategy.ROUND_ROBIN)
    for queue in queues:
        QueueMembership.objects.create(queue=queue, user=rep, capacity=100_000)
        QueueChannel.objects.create(queue=queue, kind=Channel.SLACK, url=slack_url, min_score=0)
    return {"queues": len(queues), "digest_after": digest_after}


# --- The page, as the rep's browser asks ------------------------------------------------


class Browser:
    """Cookies and one kept-alive connection, like a browser tab (no redirects followed)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content.decode(errors="replace")

    def sign_in(self, username: str, password: str) -> None:
        _, page = self.request("GET", "/login/")
        token = CSRF.search(page)
        if token is None:
            raise scratch.BenchError("the sign-in page has no CSRF token")
        form = urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        status, _ = self.request(
            "POST",
            "/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            raise scratch.BenchError(f"the rep could not sign in ({status})")


class OpenPage(threading.Thread):
    """The queue page open in the rep's browser: what workspace.js and htmx ask, at their
    intervals, read from the page itself. `seen`: lead id -> when it first came back."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(port)
        self.browser.sign_in(REP, PASSWORD)
        status, page = self.browser.request("GET", "/")
        if status != 200:
            raise scratch.BenchError(f"the queue page answered {status}")
        self.seen: dict[int, float] = {}
        self.shown: list[str] = []
        self.take_rows(page, time.time())
        self.since = POLL_SINCE.search(page).group(1)
        self.poll_every = int(POLL_EVERY.search(page).group(1))
        changes = CHANGES.search(page)
        self.changes_url, self.stamp, self.live_every = (
            (changes.group(1), changes.group(2), int(changes.group(3))) if changes else (None,) * 3
        )
        self.stop = threading.Event()
        self.questions = self.fetches = 0

    def take_rows(self, html: str, when: float) -> None:
        for found in ROW.finditer(html):
            lead_id = int(found.group(1))
            if lead_id not in self.seen:
                self.seen[lead_id] = when
                self.shown.append(str(lead_id))

    def fetch_rows(self) -> None:
        query = urlencode({"since": self.since, "shown": ",".join(self.shown)})
        status, html = self.browser.request("GET", f"/queue/updates/?{query}", None, HTMX)
        self.fetches += 1
        if status == 200:
            self.take_rows(html, time.time())
            found = POLL_SINCE.search(html)
            if found:
                self.since = found.group(1)

    def run(self) -> None:
        next_poll = time.monotonic() + self.poll_every
        next_question = time.monotonic() + (self.live_every or 0)
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= next_poll:
                self.fetch_rows()
                # htmx's `every` restarts with the element each swap brings
                next_poll = time.monotonic() + self.poll_every
            elif self.changes_url and now >= next_question:
                path = f"{self.changes_url}?{urlencode({'stamp': self.stamp})}"
                status, body = self.browser.request("GET", path, None, ACCEPT_JSON)
                self.questions += 1
                if status == 200:
                    answer = json.loads(body)
                    self.stamp = answer["stamp"]
                    if answer["changed"]:
                        self.fetch_rows()
                        next_poll = time.monotonic() + self.poll_every
                # workspace.js asks again this long after the answer
                next_question = time.monotonic() + self.live_every
            wake = min(next_poll, next_question if self.changes_url else next_poll)
            self.stop.wait(max(0.0, min(0.05, wake - time.monotonic())))


HTMX = {"HX-Request": "true", "HX-Current-URL": "/"}
ACCEPT_JSON = {"Accept": "application/json"}


# --- The load -----------------------------------------------------------------------------


def webhook_bodies(count: int, first: int) -> list[bytes]:
    """New leads from people (the labelled set's), each from its own sender."""
    sources = lead_sources()
    bodies = []
    for n in range(first, first + count):
        raw, domain = sources[n % len(sources)]
        raw = FROM.sub(f"From: <buyer{n}.speed@{domain}>".encode(), raw, count=1)
        bodies.append(postmark_payload(raw, n))
    return bodies


def post_steadily(port: int, bodies: list[bytes], per_second: float) -> dict:
    """Each post at its own moment (open loop: a slow answer does not delay the next post).
    Returns, per webhook number, when its 2xx arrived, and the latencies and statuses."""
    auth = "Basic " + base64.b64encode(scratch.WEBHOOK_SECRET.encode()).decode()
    local = threading.local()
    answered: dict[int, float] = {}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def post(n: int, body: bytes) -> None:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        try:
            local.conn.request(
                "POST",
                "/webhooks/anymail/postmark/inbound/",
                body=body,
                headers={"Content-Type": "application/json", "Authorization": auth},
            )
            response = local.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.conn.close()
            del local.conn
            status = 0
        done = time.time()
        with lock:
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if 200 <= status < 300:
                answered[n] = done

    numbers = [int(BENCH_NUMBER.search(body.decode()).group(1)) for body in bodies]
    threads = []
    started = time.monotonic()
    for i, (n, body) in enumerate(zip(numbers, bodies, strict=True)):
        delay = started + i / per_second - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=post, args=(n, body), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=60)
    wall = time.monotonic() - started
    return {"answered": answered, "latencies": latencies, "statuses": statuses, "wall": wall}


def decisions(db) -> dict[int, dict]:
    """Per webhook number: its lead, when it was decided, by which tier, into which queue, and
    when each step on the way happened (Unix seconds)."""
    with psycopg.connect(db.url) as conn:
        found = conn.execute(
            "SELECT m.message_id, m.lead_id, t.decided_at, t.tier, t.escalated, t.queue_id, "
            "m.parsed_at, t.created_at, "
            "(SELECT min(e.dispatched_at) FROM intake_event e WHERE e.lead_id = m.lead_id "
            " AND e.kind = 'lead.assigned'), "
            "(SELECT min(n.sent_at) FROM handoff_notification n JOIN intake_event e "
            " ON e.id = n.event_id WHERE e.lead_id = m.lead_id AND n.channel = 'email') "
            "FROM intake_message m LEFT JOIN routing_triage t ON t.lead_id = m.lead_id "
            "WHERE m.message_id LIKE %s",
            ["%@bench.example%"],
        ).fetchall()
    result = {}
    for message_id, lead_id, decided_at, tier, escalated, queue_id, *steps in found:
        number = BENCH_NUMBER.search(message_id)
        if number:
            parsed, claimed, dispatched, mailed = (s.timestamp() if s else None for s in steps)
            result[int(number.group(1))] = {
                "lead": lead_id,
                "decided": decided_at.timestamp() if decided_at else None,
                "tier": tier,
                "escalated": escalated,
                "queue": queue_id,
                "steps": {
                    "parsed": parsed,
                    "claimed": claimed,
                    "dispatched": dispatched,
                    "mailed": mailed,
                },
            }
    return result


def undecided(db) -> int:
    (count,) = db.count(
        "SELECT count(*) FROM intake_message m LEFT JOIN routing_triage t ON t.lead_id = m.lead_id "
        "WHERE m.message_id LIKE %s AND t.decided_at IS NULL",
        ["%@bench.example%"],
    )
    return count


def queued_leads(db) -> list[int]:
    with psycopg.connect(db.url) as conn:
        found = conn.execute(
            "SELECT m.lead_id FROM intake_message m JOIN routing_triage t ON t.lead_id = m.lead_id "
            "WHERE m.message_id LIKE %s AND t.queue_id IS NOT NULL",
            ["%@bench.example%"],
        ).fetchall()
    return [lead_id for (lead_id,) in found]


def wait_until(done, deadline: float, cluster) -> None:
    """Poll `done` once a second: the drain is measured, so the poll must cost it little."""
    while time.monotonic() < deadline and not done():
        if cluster.poll() is not None:
            raise scratch.BenchError(f"qcluster exited with {cluster.returncode}")
        time.sleep(1.0)


# --- The section ------------------------------------------------------------------------


def stages(answered: dict[int, float], found: dict[int, dict]) -> dict[str, list[float]]:
    """Each step after the one before it: 2xx, processed (parse, hygiene, contact, lead),
    triage started, decided, the assignment's event dispatched, the owner's mail sent."""
    steps = {
        "2xx to processed": ("answered", "parsed"),
        "to triage started": ("parsed", "claimed"),
        "to decided": ("claimed", "decided"),
        "to event dispatched": ("decided", "dispatched"),
        "to mail sent": ("dispatched", "mailed"),
    }
    result = {label: [] for label in steps}
    for n, answered_at in answered.items():
        d = found.get(n)
        if d is None:
            continue
        times = {"answered": answered_at, "decided": d["decided"], **d["steps"]}
        for label, (start, end) in steps.items():
            if times[start] is not None and times[end] is not None:
                result[label].append(times[end] - times[start])
    return result


def seconds(values: list[float]) -> str:
    if not values:
        return "none"
    return f"{percentile(values, 0.5):.2f} s / {percentile(values, 0.95):.2f} s"


def figures(values: list[float]) -> dict | None:
    if not values:
        return None
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.5), 3),
        "p95": round(percentile(values, 0.95), 3),
    }


def speed_section(ctx) -> list[Row]:
    db = ctx.scratch
    name = "9 speed"
    duration = 10 if ctx.quick else 60
    count = RATE * duration
    digest_after = count * 10  # every owner's mail goes at once (the digest is a hold)
    db.fresh()
    bodies = webhook_bodies(count, FIRST)
    warm = webhook_bodies(8, WARM)
    with running(0.4, 1.5) as base_url, mail_sink() as (mail, smtp_port):
        with slack_sink() as (slack, slack_url):
            env = db.env(
                ANTHROPIC_API_KEY="sk-bench",
                ANTHROPIC_BASE_URL=base_url,
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(smtp_port),
                EMAIL_USE_TLS="0",
                OUTBOUND_ALLOW_PRIVATE_ADDRESSES="1",
                NOTIFY_DIGEST_AFTER=str(digest_after),
                SITE_URL=f"http://127.0.0.1:{ctx.port}",
            )
            scratch.manage(env, "collectstatic", "--noinput", "--verbosity=0")
            scratch.run_child(
                env, "bench.speed:set_up", slack_url=slack_url, digest_after=digest_after
            )
            with scratch.gunicorn(env, ctx.port), scratch.qcluster(env) as cluster:
                # Warm both web workers, the worker's processes and the SDK before the clock.
                post_steadily(ctx.port, warm, RATE)
                wait_until(lambda: undecided(db) == 0, time.monotonic() + 60, cluster)
                page = OpenPage(ctx.port)
                page.start()
                try:
                    load = post_steadily(ctx.port, bodies, RATE)

                    queued: set[int] = set()

                    def settled() -> bool:
                        # Cheap while the worker drains: one count until every lead is decided.
                        if not queued:
                            if undecided(db) > 0:
                                return False
                            queued.update(queued_leads(db))
                        return (
                            queued <= set(page.seen)
                            and queued <= set(mail)
                            and queued <= set(slack)
                        )

                    wait_until(settled, time.monotonic() + 90, cluster)
                finally:
                    page.stop.set()
                    page.join(timeout=10)
            found = decisions(db)
            mail_arrived, slack_arrived = dict(mail), dict(slack)
    return rows_for(name, ctx, load, found, page, mail_arrived, slack_arrived, duration)


def rows_for(name, ctx, load, found, page, mail, slack, duration) -> list[Row]:
    answered = load["answered"]
    tier1, tier2, other, undecided = [], [], [], 0
    visible, visible_2xx, mailed, mailed_2xx, posted, posted_2xx = [], [], [], [], [], []
    queued = missing_page = missing_mail = missing_slack = 0
    for n, answered_at in answered.items():
        d = found.get(n)
        if d is None or d["decided"] is None:
            undecided += 1
            continue
        took = d["decided"] - answered_at
        if d["tier"] == 1 and not d["escalated"]:
            tier1.append(took)
        elif d["escalated"]:
            tier2.append(took)
        else:
            other.append(took)
        if not d["queue"]:
            continue
        queued += 1
        lead = d["lead"]
        for arrived, after, since_2xx in (
            (page.seen, visible, visible_2xx),
            (mail, mailed, mailed_2xx),
            (slack, posted, posted_2xx),
        ):
            if lead in arrived:
                after.append(arrived[lead] - d["decided"])
                since_2xx.append(arrived[lead] - answered_at)
        missing_page += lead not in page.seen
        missing_mail += lead not in mail
        missing_slack += lead not in slack
    latencies = load["latencies"]
    per_second = len(latencies) / load["wall"]
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    intake = ctx.intake_figures
    beside = (
        f"section 1: {rate(intake['per_second'])}, p99 {ms(intake['p99'])}"
        if intake
        else "section 1 not run"
    )
    live = (
        f"its change stamp every {page.live_every} s, rows on a change"
        if page.changes_url
        else "no change stamp"
    )
    p95 = lambda values: percentile(values, 0.95) if values else None  # noqa: E731
    rows = [
        Row(
            name,
            f"Postmark webhooks at a steady {RATE}/s for {duration} s with the worker, the page "
            f"and the sinks running: {len(latencies)} posts, "
            f"{sum(n for s, n in load['statuses'].items() if 200 <= s < 300)} 2xx",
            rate(per_second),
            beside,
            None,
            {"per_second": round(per_second, 1), "statuses": load["statuses"]},
        ),
        Row(
            name,
            "webhook latency p50 / p99 during the run",
            f"{ms(p50)} / {ms(p99)}",
            "p99 <= 100 ms",
            at_most(p99, 100),
            {"p50": round(p50, 1), "p99": round(p99, 1)},
        ),
        Row(
            name,
            f"2xx to decision committed, tier 1 decided ({len(tier1)} leads), p50 / p95",
            seconds(tier1),
            "p95 <= 2 s",
            at_most(p95(tier1), 2) if tier1 else None,
            figures(tier1),
        ),
        Row(
            name,
            f"2xx to decision committed, escalated to tier 2 ({len(tier2)} leads), p50 / p95",
            seconds(tier2),
            "p95 <= 4 s",
            at_most(p95(tier2), 4) if tier2 else None,
            figures(tier2),
        ),
        Row(
            name,
            f"2xx to decision, decided without a model ({len(other)}); undecided: {undecided}",
            seconds(other),
            "",
            None,
            figures(other),
        ),
        Row(
            name,
            f"decision to visible on the rep's open queue page ({live}, rows poll every "
            f"{page.poll_every} s): {queued - missing_page}/{queued} leads in a queue",
            seconds(visible),
            "p95 <= 2 s",
            at_most(p95(visible), 2) if visible and not missing_page else False,
            figures(visible),
        ),
        Row(
            name,
            "2xx to visible on the open page",
            seconds(visible_2xx),
            "",
            None,
            figures(visible_2xx),
        ),
        Row(
            name,
            f"decision to the owner's mail accepted by the SMTP sink: "
            f"{queued - missing_mail}/{queued}",
            seconds(mailed),
            "p95 <= 3 s",
            at_most(p95(mailed), 3) if mailed and not missing_mail else False,
            figures(mailed),
        ),
        Row(name, "2xx to the owner's mail", seconds(mailed_2xx), "", None, figures(mailed_2xx)),
        Row(
            name,
            f"decision to the queue's Slack post received: {queued - missing_slack}/{queued}",
            seconds(posted),
            "p95 <= 3 s",
            at_most(p95(posted), 3) if posted and not missing_slack else False,
            figures(posted),
        ),
        Row(name, "2xx to the Slack post", seconds(posted_2xx), "", None, figures(posted_2xx)),
        Row(
            name,
            "where the time goes, p50 / p95: "
            + "; ".join(
                f"{label} {seconds(values)}" for label, values in stages(answered, found).items()
            ),
            "",
            "",
            None,
            {label: figures(values) for label, values in stages(answered, found).items()},
        ),
        Row(
            name,
            "the open page's requests: change questions / rows fetched",
            f"{page.questions:,} / {page.fetches:,}",
            "",
            None,
            {"questions": page.questions, "fetches": page.fetches},
        ),
    ]
    return rows
