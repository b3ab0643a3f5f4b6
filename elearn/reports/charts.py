"""Small server-rendered SVG charts; every chart also has a table beside it in the page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from flask_babel import format_decimal
from markupsafe import Markup

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
CHART_WIDTH = 560


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str = "",
    maximum: float | None = None,
) -> Markup:
    """A horizontal bar chart, accessible (role="img" with a title) and printable."""
    top = maximum if maximum is not None else max(values, default=0) or 1
    width = CHART_WIDTH - LABEL_WIDTH - 60
    height = len(labels) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg class="chart" viewBox="0 0 {CHART_WIDTH} {max(height, 30)}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        bar = 0 if top <= 0 else max(0.0, value) / top * width
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" class="label">'
            f"{escape(short)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" class="bar"/>'
            f'<text x="{LABEL_WIDTH + bar + 6:.1f}" y="{y + 15}" class="value">'
            f"{_number(value)}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped


def column_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str
) -> Markup:
    """Vertical bars over time, one colour per series (e.g. enrolments and completions)."""
    height, bottom, left = 220, 30, 36
    count = max(len(labels), 1)
    slot = (CHART_WIDTH - left) / count
    width = max(4.0, slot / (len(series) + 1))
    top = max((v for _, values in series for v in values), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="2" y="12" class="value">{_number(top)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{CHART_WIDTH}" y2="{height - bottom}" '
        'class="axis"/>',
    ]
    usable = height - bottom - 16
    for index, label in enumerate(labels):
        x0 = left + index * slot
        for series_index, (_, values) in enumerate(series):
            value = values[index]
            bar = value / top * usable
            x = x0 + width * series_index + width / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{height - bottom - bar:.1f}" width="{width:.1f}" '
                f'height="{bar:.1f}" class="bar s{series_index}"/>'
            )
        parts.append(
            f'<text x="{x0 + slot / 2:.1f}" y="{height - 10}" text-anchor="middle" class="label">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped


def _number(value: float) -> str:
    # Babel, in the page's language: "33,3" on an Indonesian page, as in the table beside it.
    return format_decimal(value, "#,##0.#")
