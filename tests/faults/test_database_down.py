"""The database stopped mid-load: 5xx while it is down, then the providers' retries store
each message once. Runs on a PostgreSQL of its own, never the machine's shared one."""

import itertools
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.faults import stack
from tests.faults.stack import MAILGUN, POSTMARK
from tests.intake.test_mailgun_webhook import raw_mime_fields
from tests.intake.test_mailgun_webhook import signed as mailgun_signed
from tests.processes import (
    REPO_ROOT,
    ScratchPostgres,
    free_port,
    process_env,
    start_web,
    start_worker,
    stop,
    wait_for_http,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def delivery(n: int) -> tuple[str, str, object]:
    """(kind, path, payload) of the n-th distinct message, as its provider would post it."""
    if n % 2 == 0:
        return ("postmark", POSTMARK, stack.postmark_raw(n, tag="down"))
    email = {
        "subject": f"Seats for team down-{n}",
        "sender": f"Buyer {n} <buyer{n}@company{n % 41}.example>",
        "message_id": f"<down-{n}@company{n % 41}.example>",
    }
    return (
        "mailgun",
        MAILGUN,
        mailgun_signed(raw_mime_fields(**email), key=stack.MAILGUN_SIGNING_KEY),
    )


def deliver(web: stack.Http, post) -> int:
    kind, path, payload = post
    if kind == "mailgun":
        return stack.post_form(web, path, payload).status
    return stack.post_json(web, path, payload).status


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=process_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            """
            SELECT
              (SELECT count(*) FROM intake_message),
              (SELECT count(DISTINCT dedupe_key) FROM intake_message),
              (SELECT count(*) FROM intake_message WHERE parse_state = 'pending'),
              (SELECT count(*) FROM intake_lead),
              (SELECT count(*) FROM intake_lead l
                 WHERE NOT EXISTS (SELECT 1 FROM intake_message m WHERE m.lead_id = l.id)),
              (SELECT count(*) FROM intake_webhooknonce),
              (SELECT count(*) FROM intake_webhooknonce n WHERE NOT EXISTS (
                 SELECT 1 FROM intake_message m
                 WHERE m.provider = 'mailgun' AND m.provider_payload->>'token' = n.token))
            """
        ).fetchone()
    names = ("messages", "distinct", "pending", "leads", "empty_leads", "tokens", "lone_tokens")
    return dict(zip(names, row, strict=True))


@pytest.mark.reliability(8)
def test_it_answers_5xx_while_the_database_is_down_and_retries_store_each_message_once(
    stack_root, tmp_path
):
    """PostgreSQL stopped in the middle of a stream of Postmark and Mailgun posts: every answer
    is a 200 or a 5xx (never 3xx/4xx), no partial rows (a Mailgun token never outlives its
    message), 200s again once it is back, and the retries store each message once, one lead
    each."""
    pg = ScratchPostgres(tmp_path / "pg", free_port())
    pg.start()
    web_log, worker_log = tmp_path / "gunicorn.log", tmp_path / "worker.log"
    env = stack.production_env(stack_root, DATABASE_URL=pg.url)
    processes = []
    try:
        manage(env, "migrate", "-v0")
        port = free_port()
        processes.append(start_web(port, log=web_log, **env))
        processes.append(start_worker(log=worker_log, Q_WORKERS="2", **env))
        wait_for_http(port)
        web = stack.Http(port)
        # Four provider connections post distinct messages in a steady stream until told to
        # stop: before the outage, through it, and after it.
        posts: dict[int, tuple] = {}
        answers: dict[int, int] = {}
        timings: list[tuple[float, float, int]] = []  # (started, finished, status)
        numbers, enough = itertools.count(), threading.Event()

        def provider() -> None:
            while not enough.is_set():
                n = next(numbers)
                posts[n] = delivery(n)
                started = time.monotonic()
                answers[n] = deliver(web, posts[n])
                timings.append((started, time.monotonic(), answers[n]))
                time.sleep(0.05)

        def answered_since(moment: float) -> list[int]:
            return [status for started, _, status in list(timings) if started >= moment]

        with ThreadPoolExecutor(4) as pool:
            running = [pool.submit(provider) for _ in range(4)]
            stack.poll(lambda: len(timings) >= 80, timeout=120, interval=0.05)
            pg.stop()  # mid-load: requests in flight lose their connection
            stopped = time.monotonic()
            stack.poll(lambda: len(answered_since(stopped)) >= 20, timeout=60, interval=0.05)
            restarting = time.monotonic()
            pg.start()
            back = time.monotonic()
            stack.poll(lambda: len(answered_since(back)) >= 40, timeout=60, interval=0.05)
            enough.set()
            for future in running:
                future.result()

        down = [
            status
            for started, finished, status in timings
            if stopped <= started and finished <= restarting
        ]
        after = answered_since(back)
        first = Counter(answers.values())
        print(f"first tries {dict(first)}, down {Counter(down)}, after {Counter(after)}")
        assert set(first) <= {200, 500, 502, 503, 504}, (first, stack.tail(web_log))
        assert len(down) >= 20 and all(500 <= status < 600 for status in down), Counter(down)
        assert len(after) >= 40 and set(after) == {200}, Counter(after)  # back once it is
        assert counts(pg.url)["lone_tokens"] == 0  # a Mailgun token never outlives its message

        # The providers retry what was not answered 200 (Mailgun with the same token).
        retried = Counter()
        for index, status in answers.items():
            while status != 200 and retried[index] < 5:
                retried[index] += 1
                status = deliver(web, posts[index])
            answers[index] = status
        assert Counter(answers.values()) == {200: len(posts)}, stack.tail(web_log)

        # Processing tasks that met the outage failed in the worker: the reconciler (every
        # 5 minutes in production) re-enqueues what is still pending; run it now.
        def drained() -> bool:
            return counts(pg.url)["pending"] == 0

        if not stack.poll(drained, timeout=30):
            print("pending after the outage:", counts(pg.url)["pending"])
            manage(
                env,
                "shell",
                "-c",
                # Both thresholds at zero: with the broker's queue empty the reconciler
                # waits GONE_AFTER (a minute) for a message's task, which is not "now".
                "from datetime import timedelta; from intake import services; "
                "print(services.requeue_stuck_messages("
                "older_than=timedelta(0), gone_after=timedelta(0)))",
            )
        assert stack.poll(drained, timeout=120), stack.tail(worker_log)
        final = counts(pg.url)
    finally:
        for process in processes:
            stop(process)
        if pg.running():
            pg.stop()

    assert final["messages"] == final["distinct"] == len(posts), final
    assert final["leads"] == len(posts) and final["empty_leads"] == 0, final
    mailgun_posts = sum(1 for kind, _, _ in posts.values() if kind == "mailgun")
    assert final["tokens"] == mailgun_posts and final["lone_tokens"] == 0, final
