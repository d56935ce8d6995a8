"""Server-rendered SVG charts for the admin pages (no JavaScript library to vendor or keep patched).

Every label goes through ``escape``; numbers are formatted by us. Charts carry ``role="img"`` and a
``<title>`` so screen readers and the browser tests can find them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#2f6fb0", "#d9822b", "#3a9a5b", "#b23b3b", "#7b5ea7", "#8c8c8c")
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 36


def _number(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _float(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _frame(title: str, body: list[str], legend: list[tuple[str, str]]) -> SafeString:
    items = "".join(
        f'<g transform="translate({LEFT + 130 * index},{HEIGHT - 6})">'
        f'<rect width="10" height="10" y="-9" fill="{color}"/>'
        f'<text x="14" font-size="11">{escape(label)}</text></g>'
        for index, (label, color) in enumerate(legend)
    )
    svg = (
        f'<svg class="lakay-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT + 14}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif"><title>{escape(title)}</title>'
        f"{''.join(body)}{items}</svg>"
    )
    return mark_safe(svg)  # nosec B308 B703  # SVG built from escaped parts


def _axes(maximum: float) -> list[str]:
    parts = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#999"/>']
    parts.append(
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#999"/>'
    )
    for step in range(5):
        value = maximum * step / 4
        y = HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * step / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{_number(value)}</text>')
    return parts


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[object]]) -> SafeString:
    """One line per series over the x labels (dates)."""
    values = {name: [_float(v) for v in points] for name, points in series.items()}
    maximum = max([max(points, default=0.0) for points in values.values()] + [1.0])
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)
    step = plot_width / max(count - 1, 1)
    body = _axes(maximum)
    every = max(1, count // 8)
    for index, label in enumerate(labels):
        if index % every == 0:
            x = LEFT + step * index
            body.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" text-anchor="middle">'
                f"{escape(str(label)[5:] if len(str(label)) == 10 else str(label))}</text>"
            )
    legend = []
    for index, (name, points) in enumerate(values.items()):
        color = PALETTE[index % len(PALETTE)]
        legend.append((name, color))
        coordinates = " ".join(
            f"{LEFT + step * i:.1f},{HEIGHT - BOTTOM - plot_height * value / maximum:.1f}"
            for i, value in enumerate(points)
        )
        body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coordinates}"/>')
        for i, value in enumerate(points):
            x, y = LEFT + step * i, HEIGHT - BOTTOM - plot_height * value / maximum
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"><title>{escape(name)} '
                f"{escape(str(labels[i]) if i < len(labels) else '')}: {_number(value)}</title></circle>"
            )
    return _frame(title, body, legend)


def bar_chart(title: str, bars: Mapping[str, object]) -> SafeString:
    """Horizontal-axis bars, one per category."""
    values = {str(name): _float(value) for name, value in bars.items()}
    maximum = max([*values.values(), 1.0])
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    body = _axes(maximum)
    count = max(len(values), 1)
    slot = plot_width / count
    for index, (name, value) in enumerate(values.items()):
        height = plot_height * value / maximum
        x = LEFT + slot * index + slot * 0.15
        color = PALETTE[index % len(PALETTE)]
        body.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
            f'fill="{color}"><title>{escape(name)}: {_number(value)}</title></rect>'
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" text-anchor="middle">'
            f"{escape(name[:18])}</text>"
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM - height - 3:.1f}" font-size="10" '
            f'text-anchor="middle">{_number(value)}</text>'
        )
    return _frame(title, body, [])
