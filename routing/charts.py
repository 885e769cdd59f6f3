"""Charts for the admin pages as server-rendered SVG: no script, no chart library."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join

CHART_HEIGHT = 120


def bar_chart(items: list[tuple[str, Decimal | int]], *, title: str, width: int = 640):
    """A bar chart as server-rendered SVG; each bar carries its exact value in a tooltip."""
    top = max((value for _, value in items), default=0) or 1
    slot = width / max(len(items), 1)
    bars = []
    for i, (label, value) in enumerate(items):
        height = float(Decimal(value) / Decimal(top)) * CHART_HEIGHT  # geometry only
        bars.append(
            (
                label,
                value,
                f"{i * slot + slot * 0.1:.1f}",
                f"{CHART_HEIGHT - height:.1f}",
                f"{slot * 0.8:.1f}",
                f"{height:.1f}",
                f"{i * slot + slot / 2:.1f}",
                CHART_HEIGHT + 16,
            )
        )
    body = format_html_join(
        "\n",
        '<g><title>{}: {}</title><rect class="bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        ((b[0], b[1], *b[2:], b[0]) for b in bars),
    )
    return format_html(
        '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}'
        '<line x1="0" x2="{}" y1="{}" y2="{}" stroke="currentColor"></line></svg>',
        title,
        width,
        CHART_HEIGHT + 24,
        width,
        CHART_HEIGHT + 24,
        title,
        body,
        width,
        CHART_HEIGHT,
        CHART_HEIGHT,
    )
