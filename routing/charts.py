"""Charts for the admin pages as server-rendered SVG: no script, no chart library.

Each chart is a <figure> with its title as a visible caption; a chart with nothing to show
says so in words ("No spend yet") instead of drawing an empty frame. Exact values are in
each bar's tooltip, formatted by the caller (the same filter the tables use).
"""

import math
from collections.abc import Callable
from decimal import Decimal

from django.utils.html import format_html, format_html_join

CHART_HEIGHT = 120
PAD_TOP = 16  # room for the scale's label above the tallest bar
LABEL_SPACE = 44  # pixels a date label needs; closer labels are thinned out
LABEL_HALF = 15  # half a label's width: a label centred closer to an edge would be cut


def bar_chart(
    items: list[tuple[str, Decimal | int | None]],
    *,
    title: str,
    width: int = 640,
    fmt: Callable = str,
    empty: str = "Nothing to show yet",
    top: Decimal | int | None = None,
    zero_is_empty: bool = True,
):
    """Bars for (label, value) pairs; None is a gap (no data that day), not a zero.

    `top` fixes the scale (100 for a percentage); otherwise the largest value is the top.
    With nothing but gaps, or only zeros when `zero_is_empty` (no spend), the chart is the
    `empty` sentence; a rate of 0% every day is still drawn."""
    values = [value for _, value in items if value is not None]
    if not values or (zero_is_empty and not any(values)):
        return format_html(
            '<figure class="chart chart-empty"><figcaption>{}</figcaption>'
            '<p class="chart-empty-text">{}</p></figure>',
            title,
            empty,
        )
    scale = top or max(values) or 1
    slot = width / max(len(items), 1)
    every = max(1, math.ceil(LABEL_SPACE / slot))
    last = len(items) - 1
    bars = []
    for i, (label, value) in enumerate(items):
        height = 0.0 if value is None else float(Decimal(value) / Decimal(scale)) * CHART_HEIGHT
        if value is not None and height < 1.5:
            height = 1.5  # a zero is a figure: a sliver on the axis, unlike a gap
        centre = i * slot + slot / 2
        # Every `every`-th label counted back from the newest, none cut off at an edge.
        shown = (last - i) % every == 0 and LABEL_HALF <= centre <= width - LABEL_HALF
        tip = f"{label}: {'no data' if value is None else fmt(value)}"
        bars.append(
            (
                tip,
                f"{i * slot + slot * 0.1:.1f}",
                f"{PAD_TOP + CHART_HEIGHT - height:.1f}",
                f"{slot * 0.8:.1f}",
                f"{height:.1f}",
                f"{centre:.1f}",
                PAD_TOP + CHART_HEIGHT + 16,
                label if shown else "",
            )
        )
    body = format_html_join(
        "\n",
        '<g><title>{}</title><rect class="bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        bars,
    )
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption>'
        '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<text class="axis" x="2" y="10">{}</text>{}'
        '<line x1="0" x2="{}" y1="{}" y2="{}" stroke="currentColor"></line></svg></figure>',
        title,
        title,
        width,
        PAD_TOP + CHART_HEIGHT + 24,
        width,
        PAD_TOP + CHART_HEIGHT + 24,
        title,
        f"scale: 0 to {fmt(scale)}",
        body,
        width,
        PAD_TOP + CHART_HEIGHT,
        PAD_TOP + CHART_HEIGHT,
    )
