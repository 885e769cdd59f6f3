"""Section 7: the trained local model against the keyword heuristics, on the held-out split.

`measure()` trains the default model (and the alternative algorithm) from the shipped data
exactly as a fresh install does, and returns, for both and for the heuristics: lead-vs-not
accuracy, category macro-F1 and lead-vs-not accuracy per language on the held-out split (the
composed messages made of held-out sentences, and the labelled set, never trained on), with
the CPU per message, the artifact's load time, the RSS a process gains by loading it, and the
CPU to train on 10,000 messages. Both classifiers read the text only: the hygiene gate, which
catches most machine mail before either runs, is not in these figures.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Row, at_least, at_most, ms, pct

CATEGORIES = [
    "sales_inquiry",
    "demo_request",
    "pricing_request",
    "partnership",
    "support",
    "job_application",
    "vendor_pitch",
    "spam",
    "auto_reply",
    "other",
]
RSS_CHILD = """
import sys, time
from pathlib import Path
def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import django  # a worker has Django loaded before any model
before = rss()
started = time.perf_counter()
from routing.local_model import artifact  # numpy, and nothing of scikit-learn
imports_seconds = time.perf_counter() - started
middle = rss()
started = time.perf_counter()
loaded = artifact.loads(Path(sys.argv[1]).read_bytes())
loaded.predict("warm up")
loaded.language("Guten Tag, wir hätten gern ein Angebot für zwanzig Plätze")
seconds = time.perf_counter() - started
assert "sklearn" not in sys.modules and "py3langid" not in sys.modules
print(middle - before, rss() - middle, imports_seconds, seconds)
"""


def heuristic_category(subject: str, body: str) -> str:
    from routing import local_heuristics

    intent = local_heuristics.score_intents(subject=subject, body=body, hygiene="").intent
    return local_heuristics.pick_category(intent, CATEGORIES)


def measure(*, quick: bool = False) -> dict:
    from routing import local
    from routing.local_model import artifact, data, train

    examples = data.shipped()
    training = [e for e in examples if e.split == "train"]
    held = [e for e in examples if e.split == "heldout"]
    leads = {"sales_inquiry", "demo_request", "pricing_request"}
    results: dict = {"train_n": len(training), "heldout_n": len(held)}

    for algorithm in train.ALGORITHMS:
        trained = train.fit(training, algorithm)
        predicted = list(trained.pipeline.predict([e.text for e in held]))
        results[algorithm] = _by_source(predicted, held, leads)
        results[algorithm]["train_cpu_seconds"] = trained.metrics["train_cpu_seconds"]
        if algorithm == train.DEFAULT_ALGORITHM:
            blob = artifact.dumps(trained.pipeline, trained.lead_labels, trained.language_model)
    heuristics = [heuristic_category(e.subject, e.body) for e in held]
    results["heuristics"] = _by_source(heuristics, held, leads)

    loaded = artifact.loads(blob)
    local.detect_language("warm up the language model with some text", loaded)
    started = time.process_time()
    for e in held:
        loaded.predict(e.text)
    model_cpu = time.process_time() - started
    started = time.process_time()
    for e in held:
        local.detect_language(e.text, loaded)
    language_cpu = time.process_time() - started
    results["model_ms_per_message"] = model_cpu * 1000 / len(held)
    results["language_ms_per_message"] = language_cpu * 1000 / len(held)
    results["cpu_ms_per_message"] = (model_cpu + language_cpu) * 1000 / len(held)
    results["artifact_mb"] = len(blob) / 1e6

    with tempfile.NamedTemporaryFile(suffix=".model") as handle:
        Path(handle.name).write_bytes(blob)
        out = subprocess.run(
            [sys.executable, "-c", RSS_CHILD, handle.name],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.split()
    imports_mb, model_mb, imports_seconds, load_seconds = (float(v) for v in out)
    results.update(
        rss_imports_mb=imports_mb,
        rss_model_mb=model_mb,
        rss_growth_mb=imports_mb + model_mb,
        imports_seconds=imports_seconds,
        load_seconds=load_seconds,
    )

    if not quick:
        ten_thousand = [e for e in examples if e.source == "shipped:composed"][:10000]
        started = time.process_time()
        train.fit(ten_thousand)
        results["train_10k_cpu_seconds"] = time.process_time() - started
    return results


def _by_source(predicted: list[str], held: list, leads: set[str]) -> dict:
    from routing.local_model import train

    out = {"all": train.score(predicted, held, leads)}
    for source in sorted({e.source for e in held}):
        pairs = [(p, e) for p, e in zip(predicted, held, strict=True) if e.source == source]
        out[source] = train.score([p for p, _ in pairs], [e for _, e in pairs], leads)
    return out


def local_model_section(ctx) -> list[Row]:
    r = measure(quick=ctx.quick)
    name = "local model"
    rows = [Row(name, f"training set: {r['train_n']} messages; held out {r['heldout_n']}", "")]
    for key, label in (
        ("tfidf-logreg", "TF-IDF + logistic regression (used)"),
        ("tfidf-complement-nb", "TF-IDF + complement naive Bayes"),
        ("heuristics", "keyword heuristics"),
    ):
        scores = r[key]["all"]
        worst = min(scores["lead_accuracy_by_language"].items(), key=lambda kv: kv[1])
        used = key == "tfidf-logreg"
        rows += [
            Row(
                name,
                f"{label}: held-out lead-vs-not",
                pct(scores["lead_accuracy"]),
                "≥ 95%" if used else "",
                at_least(scores["lead_accuracy"], 0.95) if used else None,
                r[key],
            ),
            Row(
                name,
                f"{label}: held-out category macro-F1",
                f"{scores['macro_f1']:.3f}",
                "≥ 0.85" if used else "",
                at_least(scores["macro_f1"], 0.85) if used else None,
            ),
            Row(
                name,
                f"{label}: weakest language, lead-vs-not",
                f"{worst[0]} {pct(worst[1])}",
                "≥ 90%" if used else "",
                at_least(worst[1], 0.90) if used else None,
            ),
        ]
        for source in ("shipped:composed", "shipped:labelled"):
            part = r[key][source]
            rows.append(
                Row(
                    name,
                    f"{label}: {source.split(':')[1]} held-out part, lead-vs-not / macro-F1",
                    f"{pct(part['lead_accuracy'])} / {part['macro_f1']:.3f}",
                )
            )
    rows += [
        Row(
            name,
            "CPU per message: model + language id",
            f"{ms(r['cpu_ms_per_message'])} ({ms(r['model_ms_per_message'])} + "
            f"{ms(r['language_ms_per_message'])})",
            "≤ 2 ms",
            at_most(r["cpu_ms_per_message"], 2.0),
            r["cpu_ms_per_message"],
        ),
        Row(
            name,
            "model load (after the imports below)",
            ms(r["load_seconds"] * 1000),
            "≤ 200 ms",
            at_most(r["load_seconds"], 0.2),
            r["load_seconds"],
        ),
        Row(
            name,
            "importing the predictor (numpy; no scikit-learn), once per worker",
            ms(r["imports_seconds"] * 1000),
        ),
        Row(
            name,
            "RSS growth of a worker: imports + model",
            f"{r['rss_growth_mb']:.0f} MB ({r['rss_imports_mb']:.0f} + {r['rss_model_mb']:.0f})",
            "≤ 60 MB",
            at_most(r["rss_growth_mb"], 60),
            r["rss_growth_mb"],
        ),
    ]
    if "train_10k_cpu_seconds" in r:
        rows.append(
            Row(
                name,
                "training on 10,000 messages (CPU)",
                f"{r['train_10k_cpu_seconds']:.1f} s",
                "≤ 60 s",
                at_most(r["train_10k_cpu_seconds"], 60),
            )
        )
    return rows
