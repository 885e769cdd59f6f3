"""One row per figure, printed as one table or as JSON. Targets are shown, never enforced."""

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Row:
    section: str
    figure: str
    value: str  # as printed
    target: str = ""
    met: bool | None = None  # None: no target, or not measured
    number: Any = None  # the raw figure, for --json

    def mark(self) -> str:
        return {True: "yes", False: "NO", None: ""}[self.met]


def rate(value: float, unit: str = "/s") -> str:
    return f"{value:,.1f}{unit}"


def ms(value: float) -> str:
    return f"{value:,.1f} ms"


def mb(value: float) -> str:
    return f"{value:,.0f} MB"


def usd(value) -> str:
    return f"${value:.6f}"


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def at_least(value: float, target: float) -> bool:
    return value >= target


def at_most(value: float, target: float) -> bool:
    return value <= target


def table(rows: list[Row], header: list[str]) -> str:
    cells = [["section", "figure", "value", "target", "met"]]
    cells += [[r.section, r.figure, r.value, r.target, r.mark()] for r in rows]
    widths = [max(len(str(row[i])) for row in cells) for i in range(5)]
    lines = list(header)
    rule = "  ".join("-" * w for w in widths)
    for n, row in enumerate(cells):
        lines.append("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append(rule)
    return "\n".join(line.rstrip() for line in lines)


def markdown(rows: list[Row]) -> str:
    """The README form of the table."""
    lines = ["| section | figure | value | target | met |", "|---|---|---|---|---|"]
    for r in rows:
        cells = [r.section, r.figure, r.value, r.target, r.mark()]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def as_json(rows: list[Row], meta: dict) -> str:
    return json.dumps({**meta, "rows": [asdict(r) for r in rows]}, indent=2, default=str)
