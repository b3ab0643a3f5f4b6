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


# Bars under their labels, for pages read on phones. In a 360 px viewport a card leaves
# 286 px for the chart (main's 1rem and the card's 1.25rem padding each side, borders), so a
# 300-unit viewBox draws its 13-unit text at 12.4 px; app.css caps the chart at 24rem wide.
STACKED_WIDTH = 300
STACKED_FONT = 13
LINE_HEIGHT = 16
LINE_CHARS = 38  # what fits on one label line at STACKED_FONT in the stylesheet's sans-serif
LABEL_LINES = 2


def stacked_bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str = "",
    maximum: float | None = None,
) -> Markup:
    """Horizontal bars, each under its label, which wraps rather than being cut.

    A label longer than two lines keeps its end (a unit path's last part names the unit)
    behind an ellipsis; every row carries the full label in a ``<title>``.
    """
    top = maximum if maximum is not None else max(values, default=0) or 1
    width = STACKED_WIDTH - 64
    rows = [(label, wrap_label(label), value) for label, value in zip(labels, values, strict=True)]
    height = GAP + sum(len(lines) * LINE_HEIGHT + BAR_HEIGHT + GAP for _, lines, _ in rows)
    parts = [
        f'<svg class="chart stacked" viewBox="0 0 {STACKED_WIDTH} {max(height, 30)}" role="img" '
        f'aria-label="{escape(title)}" font-size="{STACKED_FONT}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    y = GAP
    for label, lines, value in rows:
        parts.append(f"<g><title>{escape(label)}</title>")
        for line in lines:
            y += LINE_HEIGHT
            parts.append(f'<text x="0" y="{y - 4}" class="label">{escape(line)}</text>')
        bar = 0 if top <= 0 else max(0.0, value) / top * width
        parts.append(
            f'<rect x="0" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" class="bar"/>'
            f'<text x="{bar + 6:.1f}" y="{y + 16}" class="value">'
            f"{_number(value)}{escape(unit)}</text></g>"
        )
        y += BAR_HEIGHT + GAP
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped


def wrap_label(label: str, chars: int = LINE_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """Break ``label`` at spaces into at most ``lines`` lines of ``chars`` characters."""
    wrapped = _wrap(label.split(), chars)
    if len(wrapped) <= lines:
        return wrapped
    words = label.split()
    while words:  # drop words from the front until the rest fits behind an ellipsis
        words = words[1:]
        wrapped = _wrap(["…", *words], chars)
        if len(wrapped) <= lines:
            return wrapped
    return [label[: chars - 1] + "…"]


def _wrap(words: list[str], chars: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        while len(word) > chars:  # a single word wider than a line is cut across lines
            lines.append(word[:chars])
            word = word[chars:]
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _number(value: float) -> str:
    # Babel, in the page's language: "33,3" on an Indonesian page, as in the table beside it.
    return format_decimal(value, "#,##0.#")
