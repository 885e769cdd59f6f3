"""Section 4: the sales pages at 1,000,000 leads. NOT MEASURED YET: the hook for issue 4.

The benchmark command calls `pages_section(options)` between sections 3 and 5 and prints the
rows it returns. `options` is the command's options (`quick`, `json`, `only`, `port`, ...)
plus:

- `scratch`: the `bench.scratch.Scratch` (`.fresh()` gives an empty migrated database and
  returns its URL, `.env(**extra)` the environment for processes against it, `.count(sql)`),
- `port`: a free port for a gunicorn (`bench.scratch.gunicorn(env, port)`).

What belongs here once the queue, search and lead pages exist: load 1,000,000 leads (a full
run only; `--quick` says "skipped"), then p50 / p95 of the queue, search and lead page through
gunicorn, with targets p95 <= 100 ms and search p95 <= 200 ms.
"""

from bench.report import Row

NOT_YET = "not measured yet: sales pages land with issue 4"


def pages_section(options: dict) -> list[Row]:
    return [
        Row("4 pages", "queue page p50 / p95 at 1M leads", NOT_YET, "p95 <= 100 ms"),
        Row("4 pages", "search p50 / p95 at 1M leads", NOT_YET, "p95 <= 200 ms"),
        Row("4 pages", "lead page p50 / p95 at 1M leads", NOT_YET, "p95 <= 100 ms"),
    ]
