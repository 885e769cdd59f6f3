"""The replay report as a text table, Markdown, or an SVG of the cost-quality curve."""

import math
from xml.sax.saxutils import escape

BASELINE_ORDER = ("all_tier1", "all_tier2", "random", "oracle", "policy")
CURVE_STEP = 5  # the table shows every fifth threshold (0.00, 0.05, …); JSON has all 101


def pct(value, places: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{places}f}%"


def ci(interval) -> str:
    if not interval:
        return ""
    return f" [{interval[0] * 100:.1f}, {interval[1] * 100:.1f}]"


def table(headers: list[str], rows: list[list[str]], *, markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), "  ".join("-" * w for w in widths)]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(lines)


def point_row(label: str, point: dict) -> list[str]:
    interval = point.get("interval") or {}
    return [
        label,
        pct(point.get("escalation_rate")),
        pct(point.get("cost_share")),
        pct(point.get("accuracy")) + ci(interval.get("accuracy")),
        pct(point.get("macro_f1")) + ci(interval.get("macro_f1")),
        pct(point.get("lead_precision")),
        pct(point.get("lead_recall")),
        pct(point.get("high_value_recall")),
        pct(point.get("miss_rate")),
    ]


POINT_HEADERS = [
    "router",
    "escalated",
    "cost / all-tier-2",
    "accuracy [95% CI]",
    "macro-F1 [95% CI]",
    "lead precision",
    "lead recall",
    "high-value recall",
    "miss rate",
]


def text(report: dict, *, markdown: bool = False) -> str:
    head = "## " if markdown else ""
    info = report["set"]
    skipped = ", ".join(f"{n} {why}" for why, n in info["skipped"].items()) or "none"
    parts = [
        f"{head}Router evaluation: {info['messages']} messages replayed (left out: {skipped}); "
        f"tier 1 accuracy {pct(info['tier1_accuracy'])}, tier 2 {pct(info['tier2_accuracy'])}",
    ]
    rows = [
        point_row(report["baselines"][key]["name"], report["baselines"][key])
        for key in BASELINE_ORDER
        if key in report["baselines"]
    ]
    chosen = report["chosen"]
    if chosen.get("point"):
        rows.append(point_row("chosen (whole set)", chosen["point"]))
    parts += [
        f"{head}Baselines and the chosen thresholds",
        table(POINT_HEADERS, rows, markdown=markdown),
    ]
    router = report["router"]
    parts.append(
        f"APGR {fmt(router['apgr'])}; CPT(90%) {pct(router['cpt90'])}, "
        f"CPT(95%) {pct(router['cpt95'])} of messages sent to tier 2"
        + ("" if router["apgr"] is not None else " (tier 2 is no better than tier 1 here)")
    )
    parts += [
        f"{head}Calibration (alpha {chosen['alpha']}, seed {chosen['seed']})",
        calibration(report, markdown),
    ]
    curve_rows = [
        [
            f"{p['threshold']:.2f}",
            pct(p["escalation_rate"]),
            pct(p["cost_share"]),
            pct(p["accuracy"]) + ci(p["accuracy_interval"]),
            pct(p["accuracy_vs_tier2"]) + ci(p["accuracy_vs_tier2_interval"]),
            pct(p["macro_f1"]),
            pct(p["miss_rate"]),
            fmt(p["pgr"]),
        ]
        for i, p in enumerate(report["curve"])
        if i % CURVE_STEP == 0
    ]
    parts += [
        f"{head}Thresholds (every {CURVE_STEP / 100:.2f}; --json has all 101)",
        table(
            [
                "threshold",
                "escalated",
                "cost / all-tier-2",
                "accuracy [95% CI]",
                "vs all-tier-2 [paired 95% CI]",
                "macro-F1",
                "miss rate",
                "PGR",
            ],
            curve_rows,
            markdown=markdown,
        ),
    ]
    category_rows = [
        [
            slug,
            str(c["n"]),
            pct(c["tier1_accuracy"]),
            pct(c["tier2_accuracy"]),
            "-" if c["threshold"] is None else f"{c['threshold']:.2f}",
            pct(c["escalation_rate"]),
            pct(c["accuracy"]),
            pct(c["cost_share"]),
        ]
        for slug, c in report["per_category"].items()
    ]
    parts += [
        f"{head}By label category, at the chosen thresholds",
        table(
            ["category", "n", "tier 1", "tier 2", "threshold", "escalated", "router", "cost share"],
            category_rows,
            markdown=markdown,
        ),
    ]
    parts += second_opinion(report, head, markdown)
    return "\n\n".join(parts) + "\n"


def second_opinion(report: dict, head: str, markdown: bool) -> list[str]:
    found = (report.get("strategies") or {}).get("second_opinion")
    if not found:
        return []
    plain = found["plain"]
    rows = [
        [
            "threshold alone",
            "-",
            "-",
            "-",
            fmt(plain["apgr"]),
            pct(plain["cpt90"]),
            pct(plain["cpt95"]),
        ]
    ] + [
        [
            f"+ local model at >= {row['level']:.2f}",
            pct(row["flagged"]),
            pct(row["wrong_flagged"]),
            pct(row["flagged_wrong"]),
            fmt(row["apgr"]),
            pct(row["cpt90"]),
            pct(row["cpt95"]),
        ]
        for row in found["levels"]
    ]
    headers = [
        "strategy",
        "flagged",
        "of tier 1's errors flagged",
        "flags that were errors",
        "APGR",
        "CPT(90%)",
        "CPT(95%)",
    ]
    return [
        f"{head}Second opinion ({found['model']}, free): escalate also when it disagrees",
        table(headers, rows, markdown=markdown),
        f"Verdict: {found['verdict']}.",
    ]


def calibration(report: dict, markdown: bool) -> str:
    chosen, test = report["chosen"], report["test"]
    if chosen["global"] is None:
        return chosen.get("note", "no threshold chosen")
    lines = [
        f"{chosen['calibration_items']} calibration items, {chosen['test_items']} test items; "
        f"global threshold {chosen['global']['threshold']:.2f} (bound "
        f"{chosen['global']['bound']:.3f} ≤ {chosen['alpha']}); per category (≥ "
        f"{chosen['minimum_items']} items): "
        + (
            ", ".join(f"{s} {c['threshold']:.2f}" for s, c in chosen["per_category"].items())
            or "none, the global one applies"
        )
    ]
    if test.get("chosen"):
        rows = [
            point_row("chosen", test["chosen"]),
            point_row("global only", test["global"]),
            point_row(test["random"]["name"], test["random"]),
            point_row("all tier 2", test["all_tier2"]),
        ]
        lines.append(f"On the {test['items']} held-out messages:")
        lines.append(table(POINT_HEADERS, rows, markdown=markdown))
        lines.append(
            f"miss rate {pct(test['miss_rate'], 2)} against alpha {pct(test['alpha'], 1)} "
            f"({'within' if test['miss_rate_within_alpha'] else 'OVER'}); accuracy loss against "
            f"all-tier-2 {pct(test['accuracy_loss'])}{ci(test['accuracy_loss_interval'])}"
        )
    return "\n\n".join(lines)


def fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


# --- the plot -------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 180, 36, 52
MARKERS = {
    "all_tier1": ("#1f77b4", "all tier 1"),
    "all_tier2": ("#d62728", "all tier 2"),
    "random": ("#7f7f7f", "random, same rate"),
    "oracle": ("#2ca02c", "oracle"),
    "policy": ("#9467bd", "policy now"),
}


def svg(report: dict, *, title: str = "Router: accuracy against cost") -> str:
    """The cost-quality curve (x: cost as a share of all-tier-2, y: category accuracy), the
    baselines and the chosen point, as a standalone SVG file."""
    points = [p for p in report["curve"] if p["cost_share"] is not None]
    others = [report["baselines"].get(key) for key in MARKERS]
    chosen = report["chosen"].get("point")
    second = ((report.get("strategies") or {}).get("second_opinion") or {}).get("best_curve")
    second = [p for p in second or [] if p["cost_share"] is not None]
    everything = points + second + [p for p in [*others, chosen] if p]
    # Round axes: x in steps of 20% from 0, y in steps of 5 points.
    xmax = math.ceil(max([1.0] + [p["cost_share"] or 0 for p in everything]) / 0.2 - 1e-9) * 0.2
    accuracies = [p["accuracy"] for p in everything if p.get("accuracy") is not None] or [0, 1]
    ymin = max(0.0, math.floor(min(accuracies) / 0.05 - 1e-9) * 0.05)
    ymax = min(1.0, math.ceil(max(accuracies) / 0.05 + 1e-9) * 0.05)
    if ymax <= ymin:
        ymin, ymax = max(0.0, ymax - 0.1), max(ymax, 0.1)
    x_ticks = int(round(xmax / 0.2))
    y_ticks = max(int(round((ymax - ymin) / 0.05)), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value):
        return LEFT + (value or 0) / xmax * plot_w

    def y(value):
        return TOP + (1 - ((value or 0) - ymin) / (ymax - ymin)) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i in range(x_ticks + 1):  # grid and ticks
        xv = 0.2 * i
        out.append(
            f'<line x1="{x(xv):.1f}" y1="{TOP}" x2="{x(xv):.1f}" y2="{TOP + plot_h}" '
            'stroke="#e5e5e5"/>'
            f'<text x="{x(xv):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
            f"{xv * 100:.0f}%</text>"
        )
    for i in range(y_ticks + 1):
        yv = ymin + (ymax - ymin) * i / y_ticks
        out.append(
            f'<line x1="{LEFT}" y1="{y(yv):.1f}" x2="{LEFT + plot_w}" y2="{y(yv):.1f}" '
            'stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 6}" y="{y(yv) + 4:.1f}" text-anchor="end">{yv * 100:.0f}%</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#333"/>'
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
        "cost as a share of all-tier-2</text>"
        f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" '
        'text-anchor="middle">category accuracy</text>'
    )
    ordered = sorted(points, key=lambda p: p["cost_share"])
    path = " ".join(f"{x(p['cost_share']):.1f},{y(p['accuracy']):.1f}" for p in ordered)
    out.append(f'<polyline points="{path}" fill="none" stroke="#ff7f0e" stroke-width="2"/>')
    for p in ordered:
        out.append(
            f'<circle cx="{x(p["cost_share"]):.1f}" cy="{y(p["accuracy"]):.1f}" r="2" '
            f'fill="#ff7f0e"><title>threshold {p["threshold"]:.2f}: cost '
            f"{pct(p['cost_share'])}, accuracy {pct(p['accuracy'])}</title></circle>"
        )
    legend = [("#ff7f0e", "threshold curve", "line")]
    found = (report.get("strategies") or {}).get("second_opinion")
    if found and found.get("best_curve"):
        extra = sorted(
            (p for p in found["best_curve"] if p["cost_share"] is not None),
            key=lambda p: p["cost_share"],
        )
        path = " ".join(f"{x(p['cost_share']):.1f},{y(p['accuracy']):.1f}" for p in extra)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="#2ca02c" stroke-width="2" '
            'stroke-dasharray="5 3"/>'
        )
        legend.append(("#2ca02c", f"+ second opinion (>= {found['best_level']:.2f})", "line"))
    for key, (colour, label) in MARKERS.items():
        p = report["baselines"].get(key)
        if not p or p.get("cost_share") is None:
            continue
        out.append(
            f'<rect x="{x(p["cost_share"]) - 5:.1f}" y="{y(p["accuracy"]) - 5:.1f}" width="10" '
            f'height="10" fill="{colour}"><title>{escape(label)}: cost '
            f"{pct(p['cost_share'])}, accuracy {pct(p['accuracy'])}</title></rect>"
        )
        legend.append((colour, label, "square"))
    if chosen and chosen.get("cost_share") is not None:
        cx, cy = x(chosen["cost_share"]), y(chosen["accuracy"])
        out.append(
            f'<path d="M{cx:.1f},{cy - 8:.1f} L{cx + 8:.1f},{cy:.1f} L{cx:.1f},{cy + 8:.1f} '
            f'L{cx - 8:.1f},{cy:.1f} Z" fill="black"><title>chosen: cost '
            f"{pct(chosen['cost_share'])}, accuracy {pct(chosen['accuracy'])}</title></path>"
        )
        legend.append(("black", "chosen thresholds", "diamond"))
    lx = LEFT + plot_w + 16
    for i, (colour, label, shape) in enumerate(legend):
        ly = TOP + 10 + i * 20
        if shape == "line":
            mark = (
                f'<line x1="{lx}" y1="{ly}" x2="{lx + 14}" y2="{ly}" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        elif shape == "diamond":
            mark = (
                f'<path d="M{lx + 7},{ly - 6} L{lx + 13},{ly} L{lx + 7},{ly + 6} L{lx + 1},{ly} Z"'
                f' fill="{colour}"/>'
            )
        else:
            mark = f'<rect x="{lx + 2}" y="{ly - 5}" width="10" height="10" fill="{colour}"/>'
        out.append(f'{mark}<text x="{lx + 20}" y="{ly + 4}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
