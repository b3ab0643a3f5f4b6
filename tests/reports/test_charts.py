"""The report charts: drawn for a phone, nothing cut, nothing drawn without data."""

from __future__ import annotations

import re

from flask import Flask

from elearn.reports import charts

UNITS = [
    "Pemerintah Kota Palu › Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Pemerintah Kabupaten Mamuju › Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
]


def _labels(svg: str) -> list[str]:
    return re.findall(r'class="label">([^<]+)</text>', svg)


def test_long_labels_wrap_above_their_bars_and_stay_apart(app: Flask) -> None:
    with app.test_request_context():
        svg = str(charts.bar_chart(UNITS, [50.0, 25.0], title="Per unit", unit="%", maximum=100))
    assert 'class="chart stacked"' in svg
    assert all(f"<title>{unit}</title>" in svg for unit in UNITS)
    lines = _labels(svg)
    assert all(len(line) <= charts.LINE_CHARS for line in lines), lines
    assert len(set(lines)) == len(lines), lines  # the two units do not read the same


def test_short_labels_sit_beside_bars_within_the_view_box(app: Flask) -> None:
    labels = ["0 JP", "1–9 JP", "10–19 JP", "≥ 20 JP"]
    with app.test_request_context():
        svg = str(charts.bar_chart(labels, [3, 0, 1, 1234], title="JP"))
    assert _labels(svg) == labels
    left = charts._label_column(labels)
    assert left - 6 >= max(map(len, labels)) * charts.CHAR_WIDTH  # room for the longest label
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert max(widths) + left + charts.VALUE_ROOM <= charts.STACKED_WIDTH
    assert ">1.234</text>" in svg  # Babel's grouping in Indonesian


def test_months_are_rows_with_a_bar_per_series(app: Flask) -> None:
    months = [f"{m:02d}/26" for m in range(1, 13)]
    series = [("Pendaftaran", [float(m) for m in range(12)]), ("Penyelesaian", [1.0] * 12)]
    with app.test_request_context():
        svg = str(charts.grouped_bar_chart(months, series, title="Per bulan"))
    assert _labels(svg) == months
    assert svg.count('class="bar s0"') == svg.count('class="bar s1"') == 12
    assert "<title>12/26 · Pendaftaran: 11; Penyelesaian: 1</title>" in svg
    assert f'font-size="{charts.STACKED_FONT}"' in svg and 'viewBox="0 0 300 ' in svg


def test_no_data_draws_no_chart(app: Flask) -> None:
    with app.test_request_context():
        assert str(charts.bar_chart([], [], title="x")) == ""
        assert str(charts.stacked_bar_chart([], [], title="x")) == ""
        assert str(charts.grouped_bar_chart([], [("a", [])], title="x")) == ""
