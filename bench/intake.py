"""Sections 1 and 2: Postmark webhooks through gunicorn, and `import_mail` on a corpus.

1. Postmark inbound webhooks (built from the labelled set) posted by 16 threads to
   gunicorn (2 workers) on PostgreSQL, 10% of them a repeat of an earlier post as a
   provider retry would send: messages per second, p50 and p99 latency, stored
   against unique sent, non-2xx answers, and the web workers' peak RSS.
2. `import_mail` on the real-world corpus the tests use (tests/fixtures/corpus/eml)
   repeated N times with fresh Message-IDs: messages stored per second and peak
   memory; then the worker's
   processing of what was stored (parse, hygiene, contact, threading) per second.
"""

import base64
import gc
import http.client
import json
import re
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesParser
from pathlib import Path

from bench import scratch
from bench.labelled import mail_files
from bench.report import Row, at_least, at_most, mb, ms, pct, rate

# The real-world corpus the tests use (tests/fixtures/corpus/README.md names its origins).
MAIL_CORPUS = scratch.REPO / "tests" / "fixtures" / "corpus" / "eml"
MESSAGE_ID = re.compile(rb"^(message-id:[ \t]*<?)", re.IGNORECASE | re.MULTILINE)


# --- 1. Webhooks ------------------------------------------------------------------------


def postmark_payload(raw: bytes, n: int) -> bytes:
    """The JSON Postmark posts for one inbound message, with its own MessageID."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    sender = msg["From"].addresses[0]
    message_id = f"<bench-{n}@bench.example>"
    headers = [
        {"Name": name, "Value": str(value)}
        for name, value in msg.items()
        if name.lower() not in ("from", "to", "subject", "date", "message-id")
    ] + [{"Name": "Message-ID", "Value": message_id}]
    payload = {
        "FromName": sender.display_name,
        "MessageStream": "inbound",
        "From": sender.addr_spec,
        "FromFull": {"Email": sender.addr_spec, "Name": sender.display_name, "MailboxHash": ""},
        "To": str(msg["To"]),
        "ToFull": [{"Email": str(msg["To"]), "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "OriginalRecipient": str(msg["To"]),
        "Subject": str(msg["Subject"]),
        "MessageID": str(uuid.UUID(int=n)),
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": str(msg["Date"]),
        "TextBody": text.get_content() if text else "",
        "HtmlBody": html.get_content() if html else "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": headers,
        "Attachments": [],
    }
    return json.dumps(payload).encode()


def webhook_posts(count: int, duplicate_share: float = 0.10) -> list[bytes]:
    """`count` posts, every tenth a repeat of an earlier one (a provider retry)."""
    sources = [path.read_bytes() for path in mail_files()]
    unique = round(count * (1 - duplicate_share))
    bodies = [postmark_payload(sources[n % len(sources)], n) for n in range(unique)]
    posts = []
    for n, body in enumerate(bodies):
        posts.append(body)
        if len(posts) < count and n % 9 == 8:
            posts.append(bodies[n - 4])
    while len(posts) < count:
        posts.append(bodies[len(posts) % unique])
    return posts[:count]


def post_all(port: int, bodies: list[bytes], concurrency: int) -> tuple[list[float], dict, float]:
    auth = "Basic " + base64.b64encode(scratch.WEBHOOK_SECRET.encode()).decode()
    local = threading.local()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def post(body: bytes) -> None:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        local.conn.request(
            "POST",
            "/webhooks/anymail/postmark/inbound/",
            body=body,
            headers={"Content-Type": "application/json", "Authorization": auth},
        )
        response = local.conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses[response.status] = statuses.get(response.status, 0) + 1

    # The client is this process, which holds the whole benchmark's heap: a full garbage
    # collection here stalls every client thread, and its pause would be measured as the
    # server's latency. The load is short and allocates little that is not kept anyway.
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(post, bodies))
        return latencies, statuses, time.perf_counter() - started
    finally:
        gc.enable()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def webhooks_section(ctx) -> list[Row]:
    db = ctx.scratch
    db.fresh()
    bodies = webhook_posts(ctx.sizes.posts)
    # A first few posts, repeats among them, warm both workers (imports, connections, the
    # duplicate path's first query) before the clock starts.
    warm = [postmark_payload(mail_files()[0].read_bytes(), 10**9 + n) for n in range(24)]
    with scratch.gunicorn(db.env(), ctx.port) as web:
        post_all(ctx.port, warm + warm[:8], ctx.sizes.concurrency)
        latencies, statuses, wall = post_all(ctx.port, bodies, ctx.sizes.concurrency)
        ctx.web_rss_mb = scratch.peak_rss_mb(web.pid)
    unique = len(set(bodies))
    (total,) = db.count("SELECT count(*) FROM intake_message")
    stored = total - len(warm)
    errors = sum(n for status, n in statuses.items() if status >= 500)
    not_ok = sum(n for status, n in statuses.items() if status != 200)
    p50, p99 = statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000
    per_second = len(bodies) / wall
    ctx.intake_figures = {"per_second": per_second, "p99": p99}
    name = "1 intake"
    return [
        Row(
            name,
            f"Postmark webhooks, {len(bodies):,} posts, concurrency {ctx.sizes.concurrency}",
            rate(per_second),
            ">= 500/s",
            at_least(per_second, 500),
            round(per_second, 1),
        ),
        Row(name, "latency p50", ms(p50), "", None, round(p50, 1)),
        Row(name, "latency p99", ms(p99), "<= 100 ms", at_most(p99, 100), round(p99, 1)),
        Row(
            name,
            "stored / unique sent (10% repeats)",
            f"{stored:,} / {unique:,}",
            "equal",
            stored == unique,
            {"stored": stored, "unique": unique},
        ),
        Row(name, "5xx answers", f"{errors:,}", "0", errors == 0, errors),
        Row(name, "non-200 answers", f"{not_ok:,}", "", None, dict(sorted(statuses.items()))),
    ]


# --- 2. import_mail ------------------------------------------------------------------------


def corpus_source() -> tuple[str, list[Path]]:
    """The real-world corpus in the repository, without its READMEs and licences."""
    files = [
        p
        for p in sorted(MAIL_CORPUS.rglob("*"))
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(MAIL_CORPUS).parts)
        and not p.name.startswith(("README", "LICENSE"))
        and p.suffix != ".md"
    ]
    return "real-world corpus", files


def write_copies(files: list[Path], target: Path, copies: int) -> int:
    """Each copy with its own Message-IDs, so none is skipped as a duplicate of another copy.

    One flat directory: django-helpdesk's local mailbox does not look into subdirectories.
    """
    written = 0
    for copy in range(copies):
        for n, path in enumerate(files):
            raw = path.read_bytes()
            if raw.startswith(b"From "):
                continue  # mbox files: their messages are in the corpus as single files too
            raw = MESSAGE_ID.sub(rb"\1copy%d." % copy, raw, count=1)
            name = f"c{copy:02d}-{n:04d}.eml"
            (target / name).write_bytes(b"X-Bench-Copy: %d\r\n" % copy + raw)
            written += 1
    return written


def run_import(path: str, process: int | None = 0) -> dict:
    """In bench.child: the real command in this process, timed around the call; then the
    worker's processing of `process` of the stored messages (None: all of them)."""
    import io
    import resource

    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_mail", path, "--no-progress", stdout=out)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "summary": out.getvalue().strip().splitlines()[0],
        # Before processing: the figure is import_mail's own.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "processed": process_pending(process) if process != 0 else None,
    }


def process_pending(limit: int | None = None) -> dict:
    """In bench.child: what the worker does with the stored messages (the first `limit`),
    called directly so the figure is the processing itself, not queue polling: the body of
    the tasks import_mail enqueues, `process_messages`, on batches of the same size."""
    from intake import services
    from intake.models import Message

    pending = Message.objects.filter(parse_state=Message.ParseState.PENDING).order_by("pk")
    ids = list(pending.values_list("pk", flat=True)[:limit])
    batch = services.PROCESS_BATCH
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(ids), batch):
        services.process_messages(ids[start : start + batch])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"messages": len(ids), "seconds": wall, "cpu_seconds": cpu}


def import_section(ctx) -> list[Row]:
    db = ctx.scratch
    db.fresh()
    source, files = corpus_source()
    workdir = Path(tempfile.mkdtemp(prefix="leadrouter-bench-import-"))
    try:
        written = write_copies(files, workdir, ctx.sizes.copies)
        env = db.env()
        imported = scratch.run_child(
            env,
            "bench.intake:run_import",
            path=str(workdir),
            process=ctx.sizes.process_messages,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    (stored,) = db.count("SELECT count(*) FROM intake_message")
    processed = imported["processed"]
    per_second = stored / imported["seconds"]
    processing_rate = processed["messages"] / processed["seconds"]
    cpu_ms = processed["cpu_seconds"] / max(processed["messages"], 1) * 1000
    ctx.import_rate = per_second
    name = "2 import_mail"
    return [
        Row(
            name,
            f"{source} x{ctx.sizes.copies}: {written:,} files, {stored:,} stored",
            rate(per_second),
            "",
            None,
            round(per_second, 1),
        ),
        Row(
            name,
            "peak RSS of import_mail",
            mb(imported["peak_rss_mb"]),
            "",
            None,
            round(imported["peak_rss_mb"], 1),
        ),
        Row(name, "import_mail summary", imported["summary"], "", None, imported["summary"]),
        Row(
            name,
            f"worker processing of {processed['messages']:,} (parse, hygiene, contact, thread)",
            f"{rate(processing_rate)}, {cpu_ms:.1f} ms CPU/msg",
            "",
            None,
            {"per_second": round(processing_rate, 1), "cpu_ms": round(cpu_ms, 2)},
        ),
        Row(
            name,
            "duplicates skipped within the corpus",
            pct(1 - stored / written) if written else "-",
            "",
            None,
            written - stored,
        ),
    ]
