"""Intake figures for the issue notes (printed, never asserted).

    .venv/bin/python -m tests.bench.intake_bench [--posts 1000] [--concurrency 16] [--copies 10]

1. Postmark webhooks through gunicorn (2 workers) on the machine's PostgreSQL:
   messages stored per second, p50/p99 latency, 10% duplicates, duplicates
   stored (must be 0), non-2xx answers.
2. `import_mail` on the shared corpus repeated N times (each copy with its own
   Message-IDs, so nothing is skipped as a duplicate): messages stored per
   second and peak RSS; then the worker's processing of them (parse, hygiene,
   contact, threading) per second and CPU per message.

It uses a scratch database (BENCH_DATABASE_URL, default leadrouter_bench on
127.0.0.1:5432), dropped and re-created on every run.
"""

import argparse
import base64
import http.client
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import psycopg

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/leadrouter_bench"
SECRET = "bench:bench-secret"


def reset_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_env(url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "ANYMAIL_WEBHOOK_SECRET": SECRET,
        "INBOUND_PROVIDERS": "postmark",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True)


def postmark_payloads(count: int, duplicate_share: float) -> list[bytes]:
    template = json.loads(
        (SHARED / "webhooks/postmark/anymail-postmark-inbound-test-payload.json").read_text()
    )
    unique = round(count * (1 - duplicate_share))
    bodies = []
    for n in range(unique):
        payload = dict(template)
        payload["MessageID"] = f"bench-{n:06d}-0000-0000-0000-000000000000"
        payload["Subject"] = f"Bench inquiry {n}"
        payload["Headers"] = [
            h for h in template.get("Headers", []) if h.get("Name", "").lower() != "message-id"
        ] + [{"Name": "Message-ID", "Value": f"<bench-{n}@bench.example>"}]
        bodies.append(json.dumps(payload).encode())
    # Every tenth post repeats an earlier message, as a provider retry would.
    posts = []
    for n, body in enumerate(bodies):
        posts.append(body)
        if len(posts) < count and n % 9 == 8:
            posts.append(bodies[n - 4])
    while len(posts) < count:
        posts.append(bodies[len(posts) % unique])
    return posts[:count]


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def webhook_bench(url: str, posts: int, concurrency: int, port: int) -> dict:
    env = bench_env(url)
    web = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--log-level=warning",
        ],
        cwd=REPO,
        env=env,
    )
    try:
        wait_until_up(port)
        bodies = postmark_payloads(posts, 0.10)
        auth = "Basic " + base64.b64encode(SECRET.encode()).decode()
        local = threading.local()
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def post(body: bytes) -> None:
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(post, bodies))
        wall = time.perf_counter() - started
    finally:
        web.terminate()
        web.wait(timeout=20)

    unique = len(set(bodies))
    with psycopg.connect(url) as conn:
        stored = conn.execute("SELECT count(*) FROM intake_message").fetchone()[0]
    latencies.sort()
    return {
        "posts": posts,
        "concurrency": concurrency,
        "unique_messages": unique,
        "stored": stored,
        "duplicates_stored": stored - unique,
        "statuses": statuses,
        "seconds": round(wall, 2),
        "posts_per_second": round(posts / wall, 1),
        "stored_per_second": round(stored / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


MESSAGE_ID = re.compile(rb"^(message-id:[ \t]*<?)", re.IGNORECASE | re.MULTILINE)


def corpus_copies(target: Path, copies: int) -> int:
    files = [
        p
        for p in sorted((SHARED / "eml").rglob("*"))
        if p.is_file() and not p.name.startswith(("README", "LICENSE", ".")) and p.suffix != ".md"
    ]
    written = 0
    for copy in range(copies):
        folder = target / f"copy{copy}"
        folder.mkdir(parents=True)
        for n, path in enumerate(files):
            raw = path.read_bytes()
            if raw.startswith(b"From "):
                continue  # mbox: measured by the per-message files
            raw = MESSAGE_ID.sub(rb"\1copy%d." % copy, raw, count=1)
            (folder / f"{n:04d}.eml").write_bytes(b"X-Bench-Copy: %d\r\n" % copy + raw)
            written += 1
    return written


def import_bench(url: str, copies: int) -> dict:
    reset_database(url)
    env = bench_env(url)
    manage(env, "migrate", "--verbosity=0")
    workdir = Path(tempfile.mkdtemp(prefix="leadrouter-bench-"))
    try:
        files = corpus_copies(workdir, copies)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "manage.py", "import_mail", str(workdir), "--no-progress"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    with psycopg.connect(url) as conn:
        stored = conn.execute("SELECT count(*) FROM intake_message").fetchone()[0]
    # What the worker then does per message (parse, hygiene, contact, thread),
    # called directly so the figure is the processing itself, not queue polling.
    processing = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROCESS_ALL],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    processed = json.loads(processing.stdout.strip().splitlines()[-1])
    return {
        "files": files,
        "stored": stored,
        "store_seconds": round(wall, 2),
        "stored_per_second": round(stored / wall, 1),
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        "summary": result.stdout.strip().splitlines()[-6:],
        "processing": processed,
    }


PROCESS_ALL = """
import json, resource, time
from intake import services
from intake.models import Message
ids = list(Message.objects.filter(parse_state="pending").values_list("pk", flat=True))
cpu = time.process_time(); wall = time.perf_counter()
for pk in ids:
    services.process_message(pk)
wall = time.perf_counter() - wall; cpu = time.process_time() - cpu
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"messages": len(ids), "per_second": round(len(ids) / wall, 1),
                  "cpu_ms_per_message": round(cpu / len(ids) * 1000, 2),
                  "peak_rss_mb": round(rss / 1024, 1)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    reset_database(url)
    manage(bench_env(url), "migrate", "--verbosity=0")
    results = {"webhooks": webhook_bench(url, args.posts, args.concurrency, args.port)}
    if not args.skip_import:
        results["import_mail"] = import_bench(url, args.copies)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
