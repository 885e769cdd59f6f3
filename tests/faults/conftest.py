"""The fault suite: the real stack as processes, faults injected, RELIABILITY.md's checks shown.

One gunicorn serving config.wsgi (production settings) runs for the whole
session against the test database; each test starts the qcluster workers it
needs, with the environment it needs (the fake Messages API's address and key,
timeouts), and stops them before the database is reset. The fake Messages API
is a real HTTP server on loopback (tests/fakes/anthropic.py), reached by the
workers through ANTHROPIC_BASE_URL. Tests that stop the database bring their
own PostgreSQL (tests.processes.ScratchPostgres).

Each test names the RELIABILITY.md checks it shows (`@pytest.mark.reliability(n)`)
and says what it proves in its docstring; the suite prints which held.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django_q.brokers import get_broker
from django_q.conf import Conf

from routing.models import RoutingPolicy
from tests.fakes.anthropic import FakeAnthropic
from tests.faults import stack
from tests.processes import (
    REPO_ROOT,
    free_port,
    process_env,
    start_web,
    start_worker,
    stop,
    wait_for_http,
)

# RELIABILITY.md checks, or parts of them, this suite does not show against processes
# (number → where they are shown instead).
NOT_HERE: dict[int, str] = {
    30: "(the reply mail's part: sent at most once, an interrupted send failed for a person "
    "to retry, never re-sent) in tests/workspace/test_replies.py",
    31: "in tests/handoff/test_webhook_delivery.py, test_webhook_failures.py and test_ssrf.py",
    32: "in tests/routing/test_drafts.py and tests/browser/test_replies.py",
    33: "in tests/intake/test_acknowledgements.py",
}
CHECKS = [*range(1, 34)]  # RELIABILITY.md, "The checks" shown here


# --- The stack --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def stack_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def web(django_db_setup, stack_root) -> stack.Http:
    """gunicorn with config/gunicorn.py (2 gthread workers x 8 threads) on the test database."""
    env = stack.production_env(stack_root)
    # DEBUG off serves static files from the manifest, as in production.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO_ROOT,
        env=process_env(**env),
        check=True,
    )
    log = stack_root / "gunicorn.log"
    port = free_port()
    process = start_web(port, log=log, **env)
    try:
        status = wait_for_http(port)
        assert status == 200, stack.tail(log)
        yield stack.Http(port)
    finally:
        stop(process)


@pytest.fixture
def workers(stack_root, request):
    """Start a qcluster with extra environment: `workers(Q_WORKERS="2", ...)`; all stopped
    (SIGTERM) at the end of the test, before the database is reset."""
    started = []

    def start(**env: str):
        log = stack_root / f"worker-{request.node.name}-{len(started)}.log"
        process = start_worker(log=log, **stack.production_env(stack_root, **env))
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            stop(process)


@pytest.fixture
def fake_api():
    """The fake Messages API on a loopback port, requiring the key the workers are given."""
    with FakeAnthropic(api_key=stack.ANTHROPIC_KEY, port=free_port()) as fake:
        fake.default = lambda request: stack.triage_answer()
        yield fake


@pytest.fixture
def model_env(fake_api) -> dict[str, str]:
    """Worker environment that points triage at the fake API."""
    return {
        "ANTHROPIC_API_KEY": stack.ANTHROPIC_KEY,
        "ANTHROPIC_BASE_URL": fake_api.base_url,
        "ANTHROPIC_TIMEOUT": "20",
    }


@pytest.fixture
def policy() -> RoutingPolicy:
    """The seeded routing policy, with shadow audits off so call counts are exact."""
    policy = RoutingPolicy.objects.get(is_active=True)
    policy.shadow_audit_rate = 0
    policy.save()
    return policy


@pytest.fixture(autouse=True)
def _speak_as_the_stack(settings, monkeypatch):
    """Tasks enqueued here (a reconciler run) go to the real broker, signed with the stack's
    key so its workers take them; sessions made here are valid on its web server."""
    settings.SECRET_KEY = stack.SECRET_KEY
    monkeypatch.setattr(Conf, "SECRET_KEY", stack.SECRET_KEY)
    monkeypatch.setattr(Conf, "SYNC", False)
    get_broker().purge_queue()
    # The stack's processes commit, so the database cache (used without REDIS_URL) keeps
    # one test's rate-limit counters for the next: every test starts from an empty cache,
    # as tests/conftest.py's _empty_cache gives them with Redis.
    caches["default"].clear()


# --- What held ---------------------------------------------------------------------------

_outcomes: dict[str, dict] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("reliability")
    if marker is None:
        return
    # One line per test function: parametrized cases hold together or not at all.
    nodeid = item.nodeid.split("[")[0]
    doc = (item.obj.__doc__ or item.name).strip().split("\n\n")[0]
    entry = _outcomes.setdefault(
        nodeid,
        {"checks": marker.args, "doc": " ".join(doc.split()), "status": "held", "cases": set()},
    )
    entry["cases"].add(item.nodeid)
    if report.failed:
        entry["status"] = "FAILED"
    elif report.skipped and entry["status"] == "held":
        entry["status"] = "skipped"


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    write = terminalreporter.write_line
    terminalreporter.section("RELIABILITY.md against the running stack")
    shown: set[int] = set()
    for nodeid, entry in _outcomes.items():
        checks = ", ".join(f"#{n}" for n in entry["checks"])
        cases = len(entry["cases"])
        where = nodeid.split("tests/faults/")[-1] + (f" ({cases} cases)" if cases > 1 else "")
        write(f"{entry['status']:<8} {checks:<8} {entry['doc']}")
        write(f"{'':<17} {where}")
        if entry["status"] == "held":
            shown.update(entry["checks"])
    failed = sorted(
        {n for entry in _outcomes.values() if entry["status"] != "held" for n in entry["checks"]}
    )
    write("")
    write(f"held: {', '.join(f'#{n}' for n in sorted(shown - set(failed))) or 'none'}")
    if failed:
        write(f"did NOT hold (or not run): {', '.join(f'#{n}' for n in failed)}")
    for n, why in NOT_HERE.items():
        write(f"not shown here: #{n} {why}")
    unrun = sorted(set(CHECKS) - shown - set(failed) - set(NOT_HERE))
    if unrun:
        write(f"not run this time: {', '.join(f'#{n}' for n in unrun)}")
