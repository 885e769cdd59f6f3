"""The threshold advice page's curve as server-rendered SVG (no script, no chart library, in
the style of routing.charts): x is the confidence threshold from 0 to 1, y a rate."""

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 34


def _x(t: float) -> float:
    return round(LEFT + t * (WIDTH - LEFT - RIGHT), 1)


def _y(value: float, top: float) -> float:
    return round(TOP + (1 - min(value, top) / top) * (HEIGHT - TOP - BOTTOM), 1)


def _points(xs, ys, top) -> str:
    return " ".join(f"{_x(float(x))},{_y(float(y), top)}" for x, y in zip(xs, ys, strict=True))


def _nice_top(value: float) -> float:
    for top in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0):
        if value <= top:
            return top
    return 1.0


def curve_chart(
    thresholds,
    lines: list[tuple[str, str, list[float]]],
    *,
    title: str,
    band: tuple[list[float], list[float]] | None = None,
    level: tuple[str, float] | None = None,
    marks: list[tuple[str, str, float]] = (),
    top: float | None = None,
):
    """`lines`: (label, css class, values per threshold); `band`: (low, high) shaded;
    `level`: a labelled horizontal line (alpha); `marks`: labelled vertical lines
    (label, css class, threshold)."""
    highest = max(
        [max(map(float, ys), default=0) for _, _, ys in lines] + [level[1] if level else 0]
    )
    top = top or _nice_top(highest * 1.1 or 0.01)
    parts = []
    for i in range(5):  # y grid and labels
        value = top * i / 4
        y = _y(value, top)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text x="{}" y="{}" text-anchor="end">{}%</text>',
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                LEFT - 6,
                round(y + 3, 1),
                f"{value * 100:.3g}",
            )
        )
    for i in range(11):  # x labels
        t = i / 10
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                _x(t),
                HEIGHT - BOTTOM + 14,
                f"{t:.1f}",
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" text-anchor="middle">confidence threshold</text>',
            _x(0.5),
            HEIGHT - 4,
        )
    )
    if band is not None:
        low, high = band
        outline = _points(thresholds, high, top) + " " + _points(thresholds[::-1], low[::-1], top)
        parts.append(format_html('<polygon class="band" points="{}"></polygon>', outline))
    if level is not None:
        label, value = level
        y = _y(value, top)
        parts.append(
            format_html(
                '<g><title>{}</title><line class="level" x1="{}" x2="{}" y1="{}" '
                'y2="{}"></line><text class="level-label" x="{}" y="{}" '
                'text-anchor="end">{}</text></g>',
                label,
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                WIDTH - RIGHT - 4,
                round(y - 4, 1),
                label,
            )
        )
    for label, css, ys in lines:
        parts.append(
            format_html(
                '<g><title>{}</title><polyline class="{}" points="{}"></polyline></g>',
                label,
                css,
                _points(thresholds, ys, top),
            )
        )
    for i, (label, css, t) in enumerate(marks):
        x = _x(float(t))
        parts.append(
            format_html(
                '<g><title>{}</title><line class="{}" x1="{}" x2="{}" y1="{}" y2="{}">'
                '</line><text class="{}-label" x="{}" y="{}" text-anchor="start">{}</text></g>',
                label,
                css,
                x,
                x,
                TOP,
                HEIGHT - BOTTOM,
                css,
                round(x + 4, 1),
                TOP + 10 + 12 * i,
                label,
            )
        )
    legend = format_html_join(
        "",
        '<span class="legend {}">{}</span>',
        [(css, label) for label, css, _ in lines]
        + ([("band", "95% interval")] if band is not None else []),
    )
    svg = format_html(
        '<svg class="curve" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}'
        '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"></line></svg>',
        title,
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
        LEFT,
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
        HEIGHT - BOTTOM,
    )
    return format_html(
        '<figure class="curve-chart"><figcaption>{}</figcaption>{}<div class="legend-row">{}'
        "</div></figure>",
        title,
        svg,
        legend,
    )
