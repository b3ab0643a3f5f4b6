"""The AKPK as a streamed CSV or an XLSX workbook, every text cell formula-safe.

The files are in Indonesian whatever the viewer's language: they are sent on to the
instansi's BKPSDM and to BKN/LAN as they are. Column meanings: docs/akpk.md.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import date

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from elearn.catalog.labels import COMPETENCY_LABELS
from elearn.i18n import N_
from elearn.records.routes import ROUTE_LABELS
from elearn.reports.akpk import ASSIGNED, ASSIGNMENT, IDP, AkpkRow, AkpkScope, Summary, Tally
from elearn.reports.exports import (
    CHUNK,
    TEXT_FORMAT,
    bold_cells,
    chunked_csv,
    safe_text,
    start_sheet,
    styled_cell,
)

DATE_FORMAT = "dd/mm/yyyy"
# Indonesian labels kept as data; the page shows them with _() in the reader's language.
SOURCE_LABELS = {IDP: N_("IDP"), ASSIGNMENT: N_("Penugasan")}
STATUS_LABELS = {
    "approved": N_("Disetujui atasan"),
    "submitted": N_("Diajukan, belum disetujui"),
    ASSIGNED: N_("Ditugaskan"),
}
NO_CODE = N_("(tanpa kode kompetensi)")

# (header, width in characters); the order is the order of row_values().
COLUMNS: tuple[tuple[str, float], ...] = (
    ("Sumber", 11),
    ("Status", 24),
    ("Kode kompetensi", 15),
    ("Nama kompetensi", 30),
    ("Jenis kompetensi", 17),
    ("Level target", 8),
    ("NIP", 21),
    ("Nama", 28),
    ("Jabatan", 28),
    ("Jenis pegawai", 10),
    ("Unit kerja", 40),
    ("Kegiatan", 36),
    ("Jalur pengembangan", 24),
    ("Penyelenggara", 28),
    ("Mulai", 12),
    ("Selesai", 12),
    ("JP", 6),
    ("Kesesuaian dengan kurikulum", 40),
    ("Anggaran (Rp)", 14),
)
HEADERS = tuple(header for header, _ in COLUMNS)
NIP_COLUMN = HEADERS.index("NIP")
DATE_COLUMNS = (HEADERS.index("Mulai"), HEADERS.index("Selesai"))


def kind_labels() -> dict[str, str]:
    """The competency kinds' Indonesian labels (the catalog's one list)."""
    with force_locale("id"):
        return {value: str(label) for value, label in COMPETENCY_LABELS.items()}


def row_values(row: AkpkRow, kinds: dict[str, str]) -> list[object]:
    """One row's cells in column order; a course with several competencies joins them."""
    levels = [str(n.level) for n in row.needs if n.level is not None]
    return [
        SOURCE_LABELS.get(row.source, row.source),
        STATUS_LABELS.get(row.status, row.status),
        "; ".join(n.code for n in row.needs if n.code),
        "; ".join(n.name for n in row.needs if n.name),
        "; ".join(dict.fromkeys(kinds.get(n.kind, n.kind) for n in row.needs if n.kind)),
        "; ".join(levels),
        row.nip,
        row.name,
        row.position,
        row.employee_type,
        row.unit,
        row.activity,
        ROUTE_LABELS.get(row.route, row.route),
        row.organiser,
        row.starts_on,
        row.due_on,
        row.jp,
        row.curriculum_fit,
        row.budget,
    ]


def csv_chunks(rows: Iterable[AkpkRow], *, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Yield a UTF-8 CSV (BOM first, for Excel) in chunks of about ``chunk_size`` bytes.

    Dates are ISO (``2026-03-02``); every text cell goes through ``safe_text``.
    """
    kinds = kind_labels()
    cells = ([_csv_cell(value) for value in row_values(row, kinds)] for row in rows)
    yield from chunked_csv(HEADERS, cells, chunk_size=chunk_size)


def _csv_cell(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return safe_text(value)


def xlsx_bytes(rows: Iterable[AkpkRow], scope: AkpkScope) -> bytes:
    """A workbook with the rows (sheet "AKPK") and the summary counts (sheet "Ringkasan")."""
    workbook = Workbook(write_only=True)
    sheet = start_sheet(workbook, "AKPK", COLUMNS)
    nip = styled_cell(sheet, TEXT_FORMAT)
    dates = {index: styled_cell(sheet, DATE_FORMAT) for index in DATE_COLUMNS}
    kinds = kind_labels()
    summary = Summary()
    count = 0
    for row in rows:
        summary.add(row)
        count += 1
        cells: list[object] = []
        for index, value in enumerate(row_values(row, kinds)):
            if index == NIP_COLUMN:
                nip.value = safe_text(value)
                cells.append(nip)
            elif index in dates and value is not None:
                dates[index].value = value
                cells.append(dates[index])
            elif isinstance(value, int) or value is None:
                cells.append(value)
            else:
                cells.append(safe_text(value) or None)
        sheet.append(cells)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    _summary_sheet(workbook, scope, summary, kinds)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _summary_sheet(
    workbook: Workbook, scope: AkpkScope, summary: Summary, kinds: dict[str, str]
) -> None:
    sheet = workbook.create_sheet("Ringkasan")
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 30
    total = summary.total
    sheet.append(bold_cells(sheet, ("AKPK", safe_text(scope.instansi), scope.year)))
    for label, value in (
        ("Jumlah kebutuhan", total.needs),
        ("Jumlah pegawai", len(total.people)),
        ("Total JP", total.jp),
        ("Total anggaran (Rp)", total.budget),
    ):
        sheet.append([label, value])
    sheet.append([])
    sheet.append(bold_cells(sheet, ("Kode kompetensi", "Nama kompetensi", "Jenis", *_TALLY)))
    for (code, name, kind), tally in sorted(summary.by_competency.items()):
        sheet.append([safe_text(code or NO_CODE), safe_text(name), kinds.get(kind, kind),
                      *_tally(tally)])  # fmt: skip
    sheet.append([])
    sheet.append(bold_cells(sheet, ("Unit kerja", "", "", *_TALLY)))
    for unit, tally in sorted(summary.by_unit.items()):
        sheet.append([safe_text(unit), None, None, *_tally(tally)])


_TALLY = ("Kebutuhan", "Pegawai", "JP", "Anggaran (Rp)")


def _tally(tally: Tally) -> tuple[int, int, int, int]:
    return tally.needs, len(tally.people), tally.jp, tally.budget
