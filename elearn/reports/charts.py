"""Small server-rendered SVG charts; every chart also has a table beside it in the page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from flask_babel import format_decimal
from markupsafe import Markup

# Every chart is drawn for a phone and scaled up on wider screens. In a 360 px viewport a
# card leaves 286 px for the chart (main's 1rem and the card's 1.25rem padding each side,
# borders), so a 300-unit viewBox draws its 13-unit text at 12.4 px; app.css caps charts at
# 24rem wide. Text is never cut: short labels sit beside their bar in a column as wide as
# the longest one, long labels wrap above it, and every row carries its label in a <title>.
STACKED_WIDTH = 300
STACKED_FONT = 13
BAR_HEIGHT = 22
SERIES_BAR_HEIGHT = 14  # each of a row's bars in a grouped chart
GAP = 8
LINE_HEIGHT = 16
LINE_CHARS = 38  # what fits on one label line at STACKED_FONT in the stylesheet's sans-serif
LABEL_LINES = 2
CHAR_WIDTH = 8.5  # a wide glyph at STACKED_FONT (DejaVu Sans digits are 8.3 units)
SIDE_LABEL_CHARS = 12  # labels up to this long sit beside their bar
VALUE_ROOM = 56  # right of the longest bar, for its value ("100%", "1.234")


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str = "",
    maximum: float | None = None,
) -> Markup:
    """Horizontal bars, accessible (role="img" with a title) and readable on a phone.

    Short labels (score bands, JP bands) sit beside their bar; any longer label sends the
    whole chart to :func:`stacked_bar_chart`, which wraps labels above the bars. No rows,
    no chart: the table beside it says there is no data.
    """
    if not labels:
        return Markup("")
    if any(len(label) > SIDE_LABEL_CHARS for label in labels):
        return stacked_bar_chart(labels, values, title=title, unit=unit, maximum=maximum)
    top = maximum if maximum is not None else max(values, default=0) or 1
    left = _label_column(labels)
    width = STACKED_WIDTH - left - VALUE_ROOM
    height = GAP + len(labels) * (BAR_HEIGHT + GAP)
    parts = [_open_svg(title, height)]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        bar = 0 if top <= 0 else max(0.0, value) / top * width
        parts.append(
            f"<g><title>{escape(label)}</title>"
            f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" class="label">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" class="bar"/>'
            f'<text x="{left + bar + 6:.1f}" y="{y + 16}" class="value">'
            f"{_number(value)}{escape(unit)}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped


def grouped_bar_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str
) -> Markup:
    """One row per label (e.g. a month) with a bar per series, one colour each.

    Rows rather than columns: twelve months of columns leave a phone 22 units per label.
    """
    if not labels:
        return Markup("")
    top = max((v for _, values in series for v in values), default=0) or 1
    left = _label_column(labels)
    width = STACKED_WIDTH - left - VALUE_ROOM
    row = len(series) * (SERIES_BAR_HEIGHT + 2) + GAP
    height = GAP + len(labels) * row
    parts = [_open_svg(title, height)]
    for index, label in enumerate(labels):
        y = GAP + index * row
        names = "; ".join(f"{name}: {_number(values[index])}" for name, values in series)
        parts.append(
            f"<g><title>{escape(label)} · {escape(names)}</title>"
            f'<text x="{left - 6}" y="{y + SERIES_BAR_HEIGHT + 5}" text-anchor="end" '
            f'class="label">{escape(label)}</text>'
        )
        for series_index, (_, values) in enumerate(series):
            bar_y = y + series_index * (SERIES_BAR_HEIGHT + 2)
            bar = max(0.0, values[index]) / top * width
            parts.append(
                f'<rect x="{left}" y="{bar_y}" width="{bar:.1f}" height="{SERIES_BAR_HEIGHT}" '
                f'class="bar s{series_index}"/>'
                f'<text x="{left + bar + 6:.1f}" y="{bar_y + SERIES_BAR_HEIGHT - 2}" '
                f'class="value">{_number(values[index])}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped


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
    if not labels:
        return Markup("")
    top = maximum if maximum is not None else max(values, default=0) or 1
    width = STACKED_WIDTH - VALUE_ROOM
    rows = [(label, wrap_label(label), value) for label, value in zip(labels, values, strict=True)]
    height = GAP + sum(len(lines) * LINE_HEIGHT + BAR_HEIGHT + GAP for _, lines, _ in rows)
    parts = [_open_svg(title, height, "chart stacked")]
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


def _open_svg(title: str, height: float, css_class: str = "chart") -> str:
    return (
        f'<svg class="{css_class}" viewBox="0 0 {STACKED_WIDTH} {max(height, 30)}" '
        f'role="img" aria-label="{escape(title)}" font-size="{STACKED_FONT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )


def _label_column(labels: Sequence[str]) -> int:
    """The width of a column that holds the longest short label, with its margin."""
    return round(max((len(label) for label in labels), default=1) * CHAR_WIDTH) + 8


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
