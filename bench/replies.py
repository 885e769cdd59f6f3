"""Section 8: replies and drafts.

- Send → accepted: a rep's reply stored and queued the way the composer does it
  (`workspace.compose.send_reply`), sent by a real qcluster through Django's SMTP backend to
  a local SMTP sink (aiosmtpd, in the benchmark's own process), one every 200 ms so the
  figure is the path, not a queue: from just before the reply is stored to the sink's
  acceptance of the mail (matched by its Message-ID). p50 and p95.
- Draft CPU per lead: `routing.drafts.write_draft` in one process, the simulated API
  answering at once, so the figure is ours (thread, facts, prompt, SDK, the draft check,
  the row), not model wait.
- Cost per lead with drafts: the same leads triaged and then drafted through the cascade
  (tier 1 for leads it decided with confidence, tier 2 for escalated ones), priced from the
  simulation's token counts: triage alone, drafts for every lead, and drafts only for the
  leads tier 1 decided.
"""

import re
import socket
import time
from contextlib import contextmanager

from bench import scratch
from bench.report import Row, ms
from bench.simulator.process import running
from bench.triage import make_leads

MESSAGE_ID = re.compile(rb"^Message-ID:\s*<?([^>\r\n]+)>?", re.MULTILINE | re.IGNORECASE)
SEND_INTERVAL = 0.2


class Sink:
    """aiosmtpd handler: when each Message-ID arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope) -> str:
        found = MESSAGE_ID.search(envelope.content or b"")
        if found:
            self.arrived[found.group(1).decode().strip()] = time.time()
        return "250 OK"


@contextmanager
def smtp_sink():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def _quiet_leads(count: int, tag: str) -> list[int]:
    """New leads with their triage tasks dropped from the (database) queue: the section
    measures replies, and the worker should not spend the run triaging."""
    from django_q.models import OrmQ

    ids = make_leads(count, tag)
    OrmQ.objects.all().delete()
    return ids


def send_replies(count: int) -> dict:
    """In bench.child: `count` replies sent as a rep sends them; when each was sent."""
    from django.contrib.auth.models import User

    from intake.models import Lead
    from workspace import compose

    rep = User.objects.create_user("bench-rep", first_name="Bench", last_name="Rep")
    sent = {}
    for lead_id in _quiet_leads(count, "reply"):
        lead = Lead.objects.select_related("contact").get(pk=lead_id)
        started = time.time()
        outbox = compose.send_reply(
            lead=lead,
            user=rep,
            to=[lead.contact.email],
            cc=[],
            subject=compose.reply_subject(lead),
            body="Thank you for your message: here is what we can do.",
            files=[],
        )
        sent[outbox.message.message_id] = started
        time.sleep(SEND_INTERVAL)
    return {"sent": sent}


def draft_figures(count: int) -> dict:
    """In bench.child: triage `count` leads, then draft each; CPU per draft and the costs."""
    from django.db.models import Sum

    from routing import drafts, services
    from routing.models import ModelCall, Triage

    ids = _quiet_leads(count, "draft")
    for lead_id in ids:
        services.triage_lead(lead_id)
    cpu, refused = [], 0
    for lead_id in ids:
        started = time.process_time()
        try:
            drafts.write_draft(lead_id, trigger="bench")
        except drafts.DraftUnavailable:
            refused += 1
            continue
        cpu.append((time.process_time() - started) * 1000)
    cpu.sort()

    def cost(purposes, leads) -> float:
        total = (
            ModelCall.objects.filter(lead_id__in=leads, purpose__in=purposes).aggregate(
                total=Sum("cost_usd")
            )["total"]
            or 0
        )
        return float(total)

    triage_purposes = [
        ModelCall.Purpose.TRIAGE,
        ModelCall.Purpose.ESCALATION,
        ModelCall.Purpose.RETRY,
    ]
    confident = list(
        Triage.objects.filter(lead_id__in=ids, escalated=False).values_list("lead_id", flat=True)
    )
    triage_cost = cost(triage_purposes, ids)
    return {
        "leads": len(ids),
        "drafted": len(cpu),
        "refused": refused,
        "confident": len(confident),
        "cpu_ms_median": cpu[len(cpu) // 2] if cpu else None,
        "cpu_ms_p95": cpu[max(int(len(cpu) * 0.95) - 1, 0)] if cpu else None,
        "triage_per_lead": triage_cost / len(ids),
        "all_drafts_per_lead": (triage_cost + cost([ModelCall.Purpose.DRAFT], ids)) / len(ids),
        "confident_drafts_per_lead": (triage_cost + cost([ModelCall.Purpose.DRAFT], confident))
        / len(ids),
    }


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(int(len(values) * share), len(values) - 1)]


def replies_section(ctx) -> list[Row]:
    db = ctx.scratch
    name = "8 replies"
    count = 10 if ctx.quick else 100
    db.fresh()
    with smtp_sink() as (sink, port):
        env = db.env(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            EMAIL_USE_TLS="0",
            SALES_FROM_EMAIL="sales@bench.example",
        )
        with scratch.qcluster(env) as cluster:
            sent = scratch.run_child(env, "bench.replies:send_replies", count=count)["sent"]
            deadline = time.monotonic() + 60
            while len(set(sent) & set(sink.arrived)) < len(sent):
                if time.monotonic() > deadline or cluster.poll() is not None:
                    break
                time.sleep(0.1)
    latencies = [(sink.arrived[m] - t) * 1000 for m, t in sent.items() if m in sink.arrived]
    rows = [
        Row(
            name,
            f"Send to accepted by the SMTP sink, {len(latencies)}/{len(sent)} replies "
            f"(one every {SEND_INTERVAL * 1000:.0f} ms, database broker), p50 / p95",
            f"{ms(percentile(latencies, 0.5))} / {ms(percentile(latencies, 0.95))}"
            if latencies
            else "none arrived",
            "",
            None,
            {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}
            if latencies
            else None,
        )
    ]
    db.fresh()
    with running(0.0, 0.0) as base_url:
        env = db.env(ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=base_url)
        found = scratch.run_child(env, "bench.replies:draft_figures", count=count)
    rows.append(
        Row(
            name,
            f"draft CPU per lead, median / p95 of {found['drafted']} (simulated API at once; "
            f"{found['refused']} not offered)",
            f"{ms(found['cpu_ms_median'])} / {ms(found['cpu_ms_p95'])}"
            if found["drafted"]
            else "no draft",
            "",
            None,
            {"median": found["cpu_ms_median"], "p95": found["cpu_ms_p95"]},
        )
    )
    for label, key in (
        ("cost per lead, triage only (simulated model)", "triage_per_lead"),
        (
            f"cost per lead, drafts for every lead ({found['leads']})",
            "all_drafts_per_lead",
        ),
        (
            f"cost per lead, drafts only for tier-1-confident leads ({found['confident']})",
            "confident_drafts_per_lead",
        ),
    ):
        rows.append(Row(name, label, f"${found[key]:.6f}", "", None, round(found[key], 8)))
    return rows
