"""The simulated API in its own process, for the benchmark: `with running() as base_url:`."""

import subprocess
import sys
from contextlib import contextmanager


@contextmanager
def running(tier1_delay: float = 0.0, tier2_delay: float = 0.0, seed: int | None = None):
    """Start `python -m bench.simulator`; yield its base URL; stop it on the way out."""
    from bench.scratch import REPO, BenchError

    command = [
        sys.executable,
        "-m",
        "bench.simulator",
        f"--tier1-delay={tier1_delay}",
        f"--tier2-delay={tier2_delay}",
    ]
    if seed is not None:
        command.append(f"--seed={seed}")
    process = subprocess.Popen(
        command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http"):
            raise BenchError("the simulated Messages API did not start")
        yield base_url
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
