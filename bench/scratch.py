"""The benchmark's scratch database and the real processes it starts.

The scratch database is BENCH_DATABASE_URL, or `<default database>_bench` on the
server the app itself uses (the embedded PostgreSQL when DATABASE_URL is unset:
the command's own process keeps that server running). It is migrated once into a
template, and every section starts from a fresh copy of the template, so no
section sees another's rows.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlparse

import psycopg

from bench.child import MARKER

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WEBHOOK_SECRET = "bench:bench-secret"


class BenchError(Exception):
    """The benchmark could not run (as opposed to a figure that misses its target)."""


def default_scratch_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    host = quote(str(db["HOST"] or "127.0.0.1"), safe="")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    name = "leadrouter" if db["NAME"] == "postgres" else db["NAME"]
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{name}_bench"


class Scratch:
    def __init__(self, url: str | None = None):
        self.url = url or os.environ.get("BENCH_DATABASE_URL") or default_scratch_url()
        parsed = urlparse(self.url)
        self.name = parsed.path.lstrip("/")
        self.template = f"{self.name}_tpl"
        self.admin_url = parsed._replace(path="/postgres").geturl()
        self.static_root = Path(tempfile.mkdtemp(prefix="leadrouter-bench-static-"))

    def _admin(self, *statements: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def prepare(self) -> None:
        """Migrate once into the template database."""
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
            f'CREATE DATABASE "{self.template}"',
        )
        template_url = urlparse(self.url)._replace(path=f"/{self.template}").geturl()
        manage(self.env(DATABASE_URL=template_url), "migrate", "--verbosity=0")

    def fresh(self) -> str:
        """A new copy of the migrated template; returns its URL."""
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
            f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"',
        )
        return self.url

    def drop(self) -> None:
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
            f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
        )

    def count(self, sql: str, params: list | None = None):
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchone()

    def env(self, **extra: str) -> dict[str, str]:
        """Production-like settings for every process the benchmark starts."""
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "INBOUND_PROVIDERS": "postmark",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": str(self.static_root),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(REPO),
        }
        # The database broker: one less moving part, and what a default install runs.
        for name in ("REDIS_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "Q_WORKERS"):
            env.pop(name, None)
        env.update(extra)
        return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def run_child(env: dict[str, str], target: str, **kwargs) -> dict:
    """bench.child in a new process; its JSON result."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.child", target, json.dumps(kwargs)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARKER)]
    if result.returncode or not lines:
        raise BenchError(f"{target} failed:\n{(result.stderr or result.stdout)[-3000:]}")
    return json.loads(lines[-1][len(MARKER) :])


# --- Processes -------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """The process and all its children, recursively (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def peak_rss_mb(pid: int) -> float:
    """The largest peak resident set (VmHWM) of one process in the tree under `pid`."""
    peak = 0
    for child in descendants(pid):
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the server on port {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"nothing answered on port {port} within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int = 2):
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config=config/gunicorn.py",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--log-level=warning",
        ],
        cwd=REPO,
        env=env,
    )
    try:
        wait_until_up(port, process)
        yield process
    finally:
        stop(process)


@contextmanager
def qcluster(env: dict[str, str]):
    """A django-q2 cluster in its own process group. It is killed, not stopped: a graceful
    stop waits for its poll cycles, and the scratch database is thrown away anyway."""
    # Its log goes to a file: a pipe nobody reads would fill up and stall the cluster.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
