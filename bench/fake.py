"""The fake Messages API the benchmark triages against, run as its own process.

    python -m bench.fake --tier1-delay 0.4 --tier2-delay 1.5

It is tests/fakes/anthropic.py (a real HTTP server reached by the real SDK) with a
default answer: valid contract JSON whose category comes from the labelled set when the
sender is in it (else a demo request), input tokens estimated from the request and a fixed
output per tier, and 15% of tier-1 answers asking for escalation (every 20 answers, the
same 3 positions). Its CPU is its own process's, not the worker's.
"""

import argparse
import json
import re
import subprocess
import sys
import threading
from contextlib import contextmanager

from bench.labelled import read_labels

# Output tokens per call: the answer, and at tier 2 adaptive thinking too (billed as output).
TIER1_OUTPUT_TOKENS = 220
TIER2_OUTPUT_TOKENS = 600


def input_tokens(request: dict) -> int:
    """What the request bills as input, estimated from what it sends: the system prompt, the
    messages (tier 1's draft included, when there is one) and the output schema, at about four
    characters a token."""
    system = request.get("system") or []
    texts = [system] if isinstance(system, str) else [block.get("text", "") for block in system]
    for message in request.get("messages") or []:
        content = message.get("content")
        texts.append(content if isinstance(content, str) else json.dumps(content))
    schema = ((request.get("output_config") or {}).get("format") or {}).get("schema")
    if schema is not None:
        texts.append(json.dumps(schema, separators=(",", ":")))
    return max(1, sum(len(text) for text in texts) // 4)


def usage_for(request: dict, tier1: bool) -> dict:
    output = TIER1_OUTPUT_TOKENS if tier1 else TIER2_OUTPUT_TOKENS
    return {"input_tokens": input_tokens(request), "output_tokens": output}


NEXT_ACTION = {
    "sales_inquiry": "request_more_info",
    "demo_request": "book_demo",
    "pricing_request": "reply_with_pricing",
    "support": "route_to_support",
    "partnership": "route_to_partnerships",
    "job_application": "route_to_hr",
    "spam": "mark_spam",
}
SENDER = re.compile(r"^From: (\S+)$", re.MULTILINE)
NO_FACT = {"value": None, "evidence": ""}


class Escalations:
    """Exactly 15% of tier-1 answers ask for escalation: 3 in every 20, spread out."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers = 0

    def next(self) -> bool:
        with self.lock:
            self.answers += 1
            return self.answers % 20 in (3, 10, 16)


def answer_for(
    request: dict, labels: dict[str, dict], escalations: Escalations
) -> tuple[dict, bool]:
    """(contract JSON, tier 1?) for one Messages API request."""
    tier1 = "haiku" in request.get("model", "")
    content = request["messages"][0]["content"]
    text = content if isinstance(content, str) else json.dumps(content)
    match = SENDER.search(text)
    sender = match.group(1).lower() if match else ""
    label = labels.get(sender, {})
    category = label.get("category", "demo_request")
    escalate = tier1 and escalations.next()
    body = {
        "category": category,
        "is_lead": label.get("is_lead", "yes") == "yes",
        "qualification": {
            "budget": {**NO_FACT, "amount_usd": None},
            "authority": NO_FACT,
            "need": NO_FACT,
            "timeline": NO_FACT,
            "company_size": {**NO_FACT, "employees": None},
        },
        "urgency": "normal",
        "language": label.get("language", "en"),
        "summary": f"{category.replace('_', ' ').capitalize()} from {sender or 'a sender'}.",
        "next_action": NEXT_ACTION.get(category, "no_action"),
        "confidence": 0.62 if escalate else 0.91,
        "needs_escalation": escalate,
        "escalation_reason": "Unclear what the sender needs." if escalate else "",
        "injection_suspected": False,
    }
    return body, tier1


def main() -> None:
    from tests.fakes.anthropic import FakeAnthropic, FakeMessage

    parser = argparse.ArgumentParser()
    parser.add_argument("--tier1-delay", type=float, default=0.0)
    parser.add_argument("--tier2-delay", type=float, default=0.0)
    args = parser.parse_args()
    labels = {row["sender"].lower(): row for row in read_labels()}
    escalations = Escalations()

    def default(request: dict) -> FakeMessage:
        body, tier1 = answer_for(request, labels, escalations)
        return FakeMessage(
            json.dumps(body),
            usage=usage_for(request, tier1),
            delay=args.tier1_delay if tier1 else args.tier2_delay,
        )

    fake = FakeAnthropic()
    fake.default = default
    # Requests are only recorded for tests; a long run would keep every body in memory.
    fake.requests = _Discard()
    fake.start()
    print(fake.base_url, flush=True)
    try:
        sys.stdin.read()  # until the parent closes the pipe (or exits)
    finally:
        fake.stop()


class _Discard(list):
    def append(self, item) -> None:
        pass


@contextmanager
def running(tier1_delay: float = 0.0, tier2_delay: float = 0.0):
    """The fake in its own process; yields its base URL."""
    from bench.scratch import REPO, BenchError

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.fake",
            f"--tier1-delay={tier1_delay}",
            f"--tier2-delay={tier2_delay}",
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http"):
            raise BenchError("the fake Messages API did not start")
        yield base_url
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    main()
