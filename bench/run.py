"""Which sections run, at what size, and what happens when one cannot run.

A figure that misses its target is printed beside the target and nothing more. A section
that cannot run (a process that does not start, a command that fails) is reported as a
failure row, the other sections still run, and the command exits nonzero.
"""

import platform
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    cost,
    evaluation,
    helpdesk,
    intake,
    local_model,
    pages,
    replies,
    scratch,
    speed,
    triage,
)
from bench.report import Row


@dataclass(frozen=True)
class Sizes:
    posts: int
    concurrency: int
    copies: int  # of the import corpus
    cpu_leads: int
    throughput_leads: int
    more_workers: int | None  # a second throughput run with this many workers
    helpdesk_copies: int
    cost_messages: int | None  # None: the whole labelled set
    cost_copies: int  # independent simulated readings of each labelled message (section 5)
    process_messages: int | None  # how many imported messages the worker figure processes


QUICK = Sizes(
    posts=200,
    concurrency=16,
    copies=1,
    cpu_leads=20,
    throughput_leads=20,
    more_workers=None,
    helpdesk_copies=1,
    cost_messages=None,
    cost_copies=2,
    process_messages=100,
)
FULL = Sizes(
    posts=3000,
    concurrency=16,
    copies=10,
    cpu_leads=300,
    throughput_leads=300,
    more_workers=16,
    helpdesk_copies=3,
    cost_messages=None,
    cost_copies=10,
    process_messages=None,
)


@dataclass
class Context:
    quick: bool
    sizes: Sizes
    scratch: scratch.Scratch
    port: int
    options: dict
    web_rss_mb: float | None = None
    import_rate: float | None = None
    intake_figures: dict | None = None  # section 1's posts/s and p99, beside section 9's
    failures: list[str] = field(default_factory=list)


SECTIONS = {
    "intake": intake.webhooks_section,
    "import": intake.import_section,
    "triage": triage.triage_section,
    "pages": lambda ctx: pages.pages_section(
        {**ctx.options, "scratch": ctx.scratch, "port": ctx.port}
    ),
    "cost": cost.cost_section,
    "helpdesk": helpdesk.helpdesk_section,
    "evaluation": evaluation.evaluation_section,
    "local_model": local_model.local_model_section,
    "replies": replies.replies_section,
    "speed": speed.speed_section,
}


def run(options: dict, progress) -> tuple[list[Row], Context]:
    quick = options["quick"]
    ctx = Context(
        quick=quick,
        sizes=QUICK if quick else FULL,
        scratch=scratch.Scratch(),
        port=options["port"],
        options=options,
    )
    only = options.get("only") or list(SECTIONS)
    rows: list[Row] = []
    progress(f"scratch database {ctx.scratch.name}: migrating the template")
    ctx.scratch.prepare()
    try:
        for name in only:
            progress(f"section {name} ...")
            started = datetime.now(UTC)
            try:
                rows += SECTIONS[name](ctx)
            except Exception as exc:
                detail = "".join(traceback.format_exception_only(exc)).strip()
                ctx.failures.append(f"{name}: {detail}")
                progress(traceback.format_exc())
                rows.append(Row(name, "FAILED to run", detail.splitlines()[0][:120]))
            seconds = (datetime.now(UTC) - started).total_seconds()
            progress(f"section {name} done in {seconds:.1f} s")
    finally:
        ctx.scratch.drop()
    return rows, ctx


def machine() -> str:
    cpus = (
        Path("/proc/cpuinfo").read_text().count("processor\t:")
        if Path("/proc/cpuinfo").exists()
        else 0
    )
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    return f"{cpus} cores{memory}, {platform.system()} {platform.machine()}, Python " + (
        platform.python_version()
    )
