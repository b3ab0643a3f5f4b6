"""The JP duty table and a unit's learners as CSV or XLSX, every cell formula-safe.

Any report's ``Table`` downloads the same way (``table_download``), e.g. the evaluation's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from elearn.reports.export_jobs import FORMATS
from elearn.reports.exports import BOM, TEXT_FORMAT, bold_cells, safe_text
from elearn.reports.jp_duty import LearnerDuty, LearnerState, Pace, UnitDuty

UNIT_COLUMNS = (
    "tahun",
    "unit_kerja",
    "pegawai_pns",
    "mencapai_target",
    "persen_mencapai",
    "median_jp",
    "di_bawah_laju",
    "jp_diharapkan",
)
LEARNER_COLUMNS = ("tahun", "nip", "nama", "unit_kerja", "jp", "status")
STATE_LABELS = {
    LearnerState.REACHED: "Tercapai",
    LearnerState.ON_PACE: "Sesuai laju",
    LearnerState.BEHIND: "Tertinggal",
}


@dataclass(frozen=True)
class Table:
    """What both file formats write: a header and rows of numbers and text."""

    title: str  # the XLSX sheet's name
    columns: Sequence[str]
    rows: list[Sequence[object]]


def unit_table(pace: Pace, rows: Iterable[UnitDuty]) -> Table:
    """One line per unit, numbers with a decimal point (for spreadsheets, not for reading)."""
    return Table(
        "Kewajiban JP",
        UNIT_COLUMNS,
        [
            (
                pace.year,
                row.unit,
                row.learners,
                row.reached,
                row.rate,
                round(row.median, 1),
                row.behind,
                round(pace.expected, 2),
            )
            for row in rows
        ],
    )


def learner_table(pace: Pace, unit: str, rows: Iterable[LearnerDuty]) -> Table:
    return Table(
        "Pegawai",
        LEARNER_COLUMNS,
        [(pace.year, r.nip, r.name, unit, r.jp, STATE_LABELS[r.state]) for r in rows],
    )


def table_csv(table: Table) -> str:
    """The CSV text with a BOM (Excel reads it as UTF-8), every cell quoted.

    Unit and learner names are typed by people: no cell may run as a formula.
    """
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([safe_text(cell) for cell in row])
    return buffer.getvalue()


def table_xlsx(table: Table) -> bytes:
    """The same table as a one-sheet workbook: numbers stay numbers, text (NIP too) is text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title)
    sheet.append(bold_cells(sheet, table.columns))
    for row in table.rows:
        cells = []
        for value in row:
            if isinstance(value, int | float):
                cells.append(WriteOnlyCell(sheet, value=value))
                continue
            # A string cell, never a formula; "@" keeps an 18-digit NIP from becoming a number.
            cell = WriteOnlyCell(sheet, value=safe_text(value))
            cell.number_format = TEXT_FORMAT
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_download(table: Table, kind: str, name: str) -> Response:
    """The table as an attachment ``name.kind`` (``kind``: csv or xlsx), never cached."""
    body = table_csv(table) if kind == "csv" else table_xlsx(table)
    return Response(
        body,
        mimetype=FORMATS[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{kind}"',
            "Cache-Control": "no-store",
        },
    )
