"""Section 3: triage overhead and throughput against the simulated Messages API.

- Worker CPU per lead: `routing.services.triage_lead` called in one process with the
  simulated API (bench/simulator) answering at once, so the figure is our code (prompt, SDK,
  validation, rules, recording), not model wait. The simulation runs in its own process.
  The process's first lead, which also pays for loading what a worker keeps, is triaged
  first and shown apart.
- Throughput: the leads' triage tasks, enqueued by intake as usual, drained by a real
  qcluster (default worker count) with the simulation answering tier 1 after 400 ms and
  tier 2 after 1,500 ms; what escalates is what the simulated model's confidence puts below
  the default threshold (the leads' senders are rewritten, so the simulation reads them by
  keywords, bench/simulator/reading.py). Leads per minute is measured
  between the first and the last decision, so cluster start-up is not counted.
- Peak RSS of one worker process, and of one web worker (from section 1's load).

The leads are the labelled set's messages from people, each with its own sender and
Message-ID, so they are new leads and not threads of one another.
"""

import re
import time

from bench import scratch
from bench.labelled import MAIL_DIR, read_labels
from bench.report import Row, at_least, at_most, mb, ms, pct, rate
from bench.simulator.process import running

# The From field with its folded lines, not the line ending.
FROM = re.compile(rb"^From:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*", re.MULTILINE)
MESSAGE_ID = re.compile(rb"^Message-ID: [^\r\n]*", re.MULTILINE | re.IGNORECASE)


def lead_sources() -> list[tuple[bytes, str]]:
    """(raw, sender's domain) of mail from people that the gate lets through."""
    sources = []
    for row in read_labels():
        raw = (MAIL_DIR / row["file"]).read_bytes()
        if row["kind"] == "person" and b"\nList-Unsubscribe:" not in raw:
            sources.append((raw, row["sender"].rpartition("@")[2]))
    return sources


def make_leads(count: int, tag: str) -> list[int]:
    """In bench.child: `count` new leads awaiting triage, through the real intake services
    (which enqueue each lead's triage task on commit)."""
    from intake import services

    sources = lead_sources()
    ids = []
    for n in range(count):
        raw, domain = sources[n % len(sources)]
        sender = f"From: <buyer{n}.{tag}@{domain}>".encode()
        raw, found = FROM.subn(sender, raw, count=1)  # no backslashes in a domain
        assert found, "every labelled message has a From header"
        raw = MESSAGE_ID.sub(b"Message-ID: <%s-%d@bench.example>" % (tag.encode(), n), raw, 1)
        message = services.ingest_email(raw=raw, provider="bench").message
        processed = services.process_message(message.pk)
        ids.append(processed.lead_id)
    return ids


def cpu_per_lead(count: int) -> dict:
    """In bench.child: process CPU time of each triage_lead call.

    A first lead is triaged before the measured ones and reported apart: a new worker process
    pays once for what it keeps (the routing configuration, the API client, what the SDK
    imports and builds on its first call: about 75 ms), and that is not a lead's cost."""
    from routing import services
    from routing.models import ModelCall

    first = make_leads(1, "warm")[0]
    ids = make_leads(count, "cpu")
    started = time.process_time()
    services.triage_lead(first)
    first_ms = (time.process_time() - started) * 1000
    per_lead = []
    wall = time.perf_counter()
    for lead_id in ids:
        started = time.process_time()
        services.triage_lead(lead_id)
        per_lead.append((time.process_time() - started) * 1000)
    wall = time.perf_counter() - wall
    per_lead.sort()
    return {
        "leads": count,
        "calls": ModelCall.objects.for_leads().exclude(lead_id=first).count(),
        "first_lead_cpu_ms": first_ms,
        "cpu_ms_median": per_lead[len(per_lead) // 2],
        "cpu_ms_mean": sum(per_lead) / count,
        "cpu_ms_p95": per_lead[int(len(per_lead) * 0.95) - 1],
        "wall_ms_per_lead": wall / count * 1000,
    }


def throughput(ctx, count: int, workers: int | None = None) -> dict:
    db = ctx.scratch
    db.fresh()
    with running(0.4, 1.5) as base_url:
        env = db.env(ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=base_url)
        if workers:
            env["Q_WORKERS"] = str(workers)
        scratch.run_child(env, "bench.triage:make_leads", count=count, tag="tp")
        deadline = time.monotonic() + max(120, count * 2)
        with scratch.qcluster(env) as cluster:
            while time.monotonic() < deadline:
                (decided,) = db.count(
                    "SELECT count(*) FROM routing_triage WHERE decided_at IS NOT NULL"
                )
                if decided >= count:
                    break
                if cluster.poll() is not None:
                    raise scratch.BenchError(f"qcluster exited with {cluster.returncode}")
                time.sleep(0.25)
            rss = scratch.peak_rss_mb(cluster.pid)
    decided, escalated, first, last = db.count(
        "SELECT count(*), count(*) FILTER (WHERE escalated), min(decided_at), max(decided_at) "
        "FROM routing_triage WHERE decided_at IS NOT NULL"
    )
    span = (last - first).total_seconds() if decided > 1 else 0
    return {
        "leads": count,
        "decided": decided,
        "workers": workers or 8,  # config/settings.py's default
        "escalated_share": escalated / max(decided, 1),
        "leads_per_minute": (decided - 1) / span * 60 if span else 0.0,
        "worker_peak_rss_mb": rss,
    }


def triage_section(ctx) -> list[Row]:
    db = ctx.scratch
    name = "3 triage"
    db.fresh()
    with running(0.0, 0.0) as base_url:
        env = db.env(ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=base_url)
        cpu = scratch.run_child(env, "bench.triage:cpu_per_lead", count=ctx.sizes.cpu_leads)
    rows = [
        Row(
            name,
            f"worker CPU per lead, median of {cpu['leads']} (simulated API answers at once)",
            ms(cpu["cpu_ms_median"]),
            "<= 10 ms",
            at_most(cpu["cpu_ms_median"], 10),
            round(cpu["cpu_ms_median"], 2),
        ),
        Row(
            name,
            "worker CPU per lead, mean / p95",
            f"{cpu['cpu_ms_mean']:.1f} / {cpu['cpu_ms_p95']:.1f} ms",
            "",
            None,
            {"mean": round(cpu["cpu_ms_mean"], 2), "p95": round(cpu["cpu_ms_p95"], 2)},
        ),
        Row(
            name,
            "worker CPU of a new process's first lead (not in the figures above)",
            ms(cpu["first_lead_cpu_ms"]),
            "",
            None,
            round(cpu["first_lead_cpu_ms"], 2),
        ),
    ]
    runs = [throughput(ctx, ctx.sizes.throughput_leads)]
    if ctx.sizes.more_workers:
        runs.append(throughput(ctx, ctx.sizes.throughput_leads, ctx.sizes.more_workers))
    for run in runs:
        per_minute = run["leads_per_minute"]
        rows.append(
            Row(
                name,
                f"leads/min, {run['decided']}/{run['leads']} decided, {run['workers']} workers, "
                f"simulated 400 ms / 1,500 ms, {pct(run['escalated_share'])} escalated",
                rate(per_minute, "/min"),
                ">= 1,000/min",
                at_least(per_minute, 1000),
                round(per_minute, 1),
            )
        )
    worker_rss = max(run["worker_peak_rss_mb"] for run in runs)
    rows.append(Row(name, "worker process peak RSS", mb(worker_rss), "", None, round(worker_rss)))
    web = getattr(ctx, "web_rss_mb", None)
    rows.append(
        Row(
            name,
            "web worker peak RSS (gunicorn, under section 1's load)",
            mb(web) if web else "not measured (section 1 not run)",
            "<= 150 MB",
            at_most(web, 150) if web else None,
            round(web) if web else None,
        )
    )
    return rows
