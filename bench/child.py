"""Run one measurement in a fresh process against the scratch database.

    python -m bench.child bench.triage:cpu_per_lead '{"count": 300}'

The parent (the benchmark command) keeps its own Django set up on the default
database; measurements that need the ORM run here, with DATABASE_URL pointing at
the scratch database, so their CPU and memory are theirs alone. The result is
printed as JSON on the last line, after MARKER.
"""

import importlib
import json
import sys

MARKER = "BENCH-RESULT "


def main() -> None:
    target, kwargs = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    import django

    django.setup()
    module, _, name = target.partition(":")
    result = getattr(importlib.import_module(module), name)(**kwargs)
    print(MARKER + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
