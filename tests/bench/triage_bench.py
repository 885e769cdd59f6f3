"""Triage figures for the issue notes (printed, never asserted).

    .venv/bin/python -m tests.bench.triage_bench [--leads 300]

The fake Messages API runs in its own process (so its CPU is not counted as
ours) and answers with valid contract JSON; 15% of tier-1 answers have low
confidence, so they escalate.

1. Worker CPU per lead, excluding model wait: `triage_lead` called in-process
   with the fake answering at once (process CPU time per lead).
2. Throughput with a real qcluster at default worker settings, the fake
   answering after 400 ms (tier 1) and 1,500 ms (tier 2): leads per minute,
   and the workers' peak RSS; timed from the cluster's start (cold, its start-up
   included) and with the cluster already running (warm).
3. Cost per lead on the demo mail against pricing the same tokens at tier 2.

Scratch database: BENCH_DATABASE_URL (default leadrouter_bench), re-created.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/leadrouter_bench"

FAKE = """
import json, sys, time, zlib
from tests.fakes.anthropic import FakeAnthropic, FakeMessage
tier1_delay, tier2_delay = float(sys.argv[1]), float(sys.argv[2])
FACT = {"value": None, "evidence": ""}
def default(request):
    text = json.dumps(request.get("messages"))
    haiku = "haiku" in request.get("model", "")
    # 15% of leads: a low-confidence first answer, so code escalates them.
    low = haiku and zlib.crc32(text.encode()) % 100 < 15
    body = {
        "category": "demo_request", "is_lead": True,
        "qualification": {"budget": {**FACT, "amount_usd": None}, "authority": FACT,
                          "need": FACT, "timeline": FACT,
                          "company_size": {**FACT, "employees": None}},
        "urgency": "normal", "language": "en", "summary": "Asks about the product.",
        "next_action": "book_demo", "confidence": 0.4 if low else 0.93,
        "needs_escalation": False, "escalation_reason": "", "injection_suspected": False,
    }
    usage = {"input_tokens": 1500, "output_tokens": 160, "cache_read_input_tokens": 1300}
    return FakeMessage(json.dumps(body), usage=usage, delay=tier1_delay if haiku else tier2_delay)
fake = FakeAnthropic()
fake.default = default
fake.start()
print(fake.base_url, flush=True)
time.sleep(3600)
"""


def start_fake(tier1: float, tier2: float) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-c", FAKE, str(tier1), str(tier2)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"},
    )
    return process, process.stdout.readline().strip()


def setup_django(url: str, base_url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        ANTHROPIC_API_KEY="sk-bench",
        ANTHROPIC_BASE_URL=base_url,
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def make_leads(count: int, tag: str) -> list[int]:
    from intake import services
    from tests.helpers import make_email

    ids = []
    for n in range(count):
        raw = make_email(
            subject=f"Inquiry {tag}-{n}: seats for our team",
            message_id=f"<bench-{tag}-{n}@bench.example>",
            sender=f"buyer{n}@company{n % 37}.example",
            body=f"Hello, we are looking at your product for team {n}. Can we talk next week?",
        )
        message = services.ingest_email(raw=raw, provider="bench").message
        ids.append(services.process_message(message.pk).lead_id)
    return ids


def cpu_per_lead(count: int) -> dict:
    from routing import services

    ids = make_leads(count, "cpu")
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
        "cpu_ms_median": round(statistics.median(per_lead), 2),
        "cpu_ms_p95": round(per_lead[int(len(per_lead) * 0.95) - 1], 2),
        "wall_ms_per_lead": round(wall / count * 1000, 2),
    }


def descendants(root_pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc): qcluster -> sentinel -> workers."""
    pids, i = [root_pid], 0
    while i < len(pids):
        for children in Path(f"/proc/{pids[i]}/task").glob("*/children"):
            try:
                pids += [int(p) for p in children.read_text().split()]
            except OSError:
                continue
        i += 1
    return pids


def peak_rss_mb(root_pid: int) -> float:
    """Largest VmHWM among a process and its descendants (Linux /proc)."""
    peak = 0
    for pid in descendants(root_pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return round(peak / 1024, 1)


def throughput(count: int, url: str, *, warm: bool) -> dict:
    """Leads per minute through a real qcluster. Cold: timed from starting the cluster, as a
    deploy with a backlog sees it (its start-up, a few seconds, is in the figure). Warm: the
    cluster has run a task first, as a running system sees a burst of leads."""
    from django.conf import settings
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import Task
    from django_q.tasks import async_task

    from routing.models import Triage

    Conf.SYNC = False
    ids = make_leads(count, f"tp-{'warm' if warm else 'cold'}")
    # Intake enqueued each lead's triage as it made it: enqueued again below, once, when timed.
    get_broker().purge_queue()
    env = {**os.environ, "Q_SYNC": "0"}
    workers = Conf.WORKERS
    if warm:
        # Each loads routing.tasks in a worker (the first import takes a second or two, so
        # they spread over the workers) and finds nothing stuck: no lead is touched.
        for n in range(workers):
            async_task("routing.tasks.requeue_stuck_triage", task_name=f"bench-warm-up-{n}")
    else:
        for lead_id in ids:
            async_task("routing.tasks.triage_lead", lead_id)
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=REPO, env=env)
    started = time.perf_counter()
    peak = 0.0
    try:
        if warm:
            while Task.objects.filter(name__startswith="bench-warm-up").count() < workers:
                time.sleep(0.1)
            started = time.perf_counter()
            for lead_id in ids:
                async_task("routing.tasks.triage_lead", lead_id)
        while Triage.objects.filter(lead_id__in=ids, decided_at__isnull=False).count() < count:
            peak = max(peak, peak_rss_mb(worker.pid))
            if time.perf_counter() - started > 900:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    decided = Triage.objects.filter(lead_id__in=ids, decided_at__isnull=False)
    return {
        "leads": count,
        "decided": decided.count(),
        "escalated_share": round(decided.filter(escalated=True).count() / max(count, 1), 3),
        "seconds": round(elapsed, 1),
        "leads_per_minute": round(decided.count() / elapsed * 60, 1),
        "worker_peak_rss_mb": peak,
        "workers": workers,
        "triage_threads": settings.TRIAGE_THREADS,
    }


def demo_cost() -> dict:
    from decimal import Decimal

    from intake import services as intake_services
    from intake.management.commands.demo import DEMO_DIR
    from routing import prices, services
    from routing.models import ModelCall, ModelPrice

    ids = []
    for path in sorted(DEMO_DIR.glob("*.eml")):
        message = intake_services.ingest_email(raw=path.read_bytes(), provider="bench-demo")
        processed = intake_services.process_message(message.message.pk)
        if processed and processed.lead.status == "awaiting_triage":
            ids.append(processed.lead_id)
    for lead_id in ids:
        services.triage_lead(lead_id)
    calls = ModelCall.objects.filter(lead_id__in=set(ids))
    actual = sum((c.cost_usd or Decimal(0)) for c in calls)
    tier2 = ModelPrice.objects.filter(model="claude-sonnet-5-5").order_by("-effective_from")[0]
    baseline = sum(
        prices.cost(
            prices.Usage(
                input_tokens=c.input_tokens,
                output_tokens=c.output_tokens,
                cache_read_input_tokens=c.cache_read_input_tokens,
            ),
            tier2,
        )
        or Decimal(0)
        for c in calls
    )
    return {
        "leads": len(ids),
        "calls": calls.count(),
        "cost_per_lead_usd": str(round(actual / max(len(ids), 1), 8)),
        "all_tier2_per_lead_usd": str(round(baseline / max(len(ids), 1), 8)),
        "share_of_all_tier2": round(float(actual / baseline), 3) if baseline else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    from tests.bench.intake_bench import bench_env, manage, reset_database

    reset_database(url)
    manage(bench_env(url), "migrate", "--verbosity=0")
    results = {}
    fake, base_url = start_fake(0.0, 0.0)
    try:
        setup_django(url, base_url)
        results["cpu_per_lead"] = cpu_per_lead(args.leads)
        results["demo_cost"] = demo_cost()
    finally:
        fake.terminate()
    fake, base_url = start_fake(0.4, 1.5)
    try:
        os.environ["ANTHROPIC_BASE_URL"] = base_url
        from django.conf import settings

        settings.ANTHROPIC_BASE_URL = base_url
        results["throughput_cold"] = throughput(args.leads, url, warm=False)
        results["throughput_warm"] = throughput(args.leads, url, warm=True)
    finally:
        fake.terminate()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
