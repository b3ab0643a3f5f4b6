"""Write enrolment rows as CSV chunks or as an XLSX file, in flat memory.

Column meanings are documented in docs/exports.md; keep the two in step.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from elearn.exports.cells import neutralise
from elearn.i18n import ZONE_NAMES
from elearn.reports.rows import EnrollmentRow

CHUNK = 64 * 1024
BOM = "\ufeff"
# Excel's hard limit is 1,048,576 rows a sheet; the rest go on further sheets.
SHEET_ROWS = 1_048_576
SHEET_TITLE = "Pendaftaran"
TEXT_FORMAT = "@"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
STATUS_LABELS = {"in_progress": "Sedang belajar", "completed": "Selesai"}

# (header, width in characters); the order is the order of row_values().
COLUMNS: tuple[tuple[str, float], ...] = (
    ("ID pendaftaran", 14),
    ("NIP", 21),
    ("Nama", 30),
    ("Instansi", 30),
    ("Unit kerja", 45),
    ("Kode kursus", 22),
    ("Judul kursus", 40),
    ("Versi", 7),
    ("Kategori", 18),
    ("Jenis kompetensi", 17),
    ("JP", 6),
    ("Status", 15),
    ("Tanggal daftar", 17),
    ("Tanggal selesai", 17),
    ("Nomor sertifikat", 26),
    ("Sertifikat dicabut", 17),
    ("Terakhir diperbarui", 17),
)
HEADERS = tuple(header for header, _ in COLUMNS)
NIP_COLUMN = HEADERS.index("NIP")
DATE_COLUMNS = tuple(
    HEADERS.index(h)
    for h in ("Tanggal daftar", "Tanggal selesai", "Sertifikat dicabut", "Terakhir diperbarui")
)


def row_values(row: EnrollmentRow) -> list[object]:
    """One row's cells in column order; datetimes stay aware (UTC) here."""
    return [
        row.enrollment_id,
        row.nip,
        row.name,
        row.instansi,
        row.unit,
        row.course,
        row.course_title,
        row.version,
        row.category,
        row.competency,
        row.jp,
        STATUS_LABELS.get(row.status, row.status),
        row.enrolled_at,
        row.completed_at,
        row.certificate_number,
        row.certificate_revoked_at,
        row.updated_at,
    ]


def csv_chunks(
    rows: Iterable[EnrollmentRow], *, zone: tzinfo = UTC, chunk_size: int = CHUNK
) -> Iterator[bytes]:
    """Yield a UTF-8 CSV (with BOM, for Excel) in chunks of about ``chunk_size`` bytes.

    Dates are ISO 8601 in ``zone`` with their offset (``2026-03-02T16:00:00+08:00``);
    every cell goes through ``neutralise`` so no spreadsheet evaluates it.
    """
    cells = ([_csv_cell(value, zone) for value in row_values(row)] for row in rows)
    yield from chunked_csv(HEADERS, cells, chunk_size=chunk_size)


def chunked_csv(
    headers: Sequence[str], rows: Iterable[Iterable[object]], *, chunk_size: int = CHUNK
) -> Iterator[bytes]:
    """Yield the BOM and ``headers`` at once, then ``rows`` (cells ready to write) in chunks
    of about ``chunk_size`` bytes of UTF-8, lines ending in CRLF."""
    # The header goes out at once, so the browser starts the download before the query ends.
    yield csv_header(headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= chunk_size:
            yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


def csv_header(headers: Sequence[str] = HEADERS) -> bytes:
    """The byte-order mark (for Excel) and the header row."""
    buffer = io.StringIO()
    buffer.write(BOM)
    csv.writer(buffer).writerow(headers)
    return _drain(buffer)


def _csv_cell(value: object, zone: tzinfo) -> str:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    return safe_text(value)


def safe_text(value: object) -> str:
    """``value`` as text without XML-illegal control characters, then neutralised.

    Control characters go first: removing them later could uncover a formula
    prefix (``"\x01=cmd"``). They are removed in CSV too, so both files agree.
    """
    text = "" if value is None else str(value)
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def xlsx_file(rows: Iterable[EnrollmentRow], path: Path | str, *, zone: tzinfo = UTC) -> None:
    """Write an XLSX workbook to ``path`` with openpyxl's write-only (streaming) mode.

    NIP is a text cell (format ``@``) so Excel keeps all 18 digits; dates are
    real date cells in ``zone`` (Excel has no time zones: the header names it);
    text goes through ``neutralise`` and is stored as a string, never a formula.
    """
    workbook = Workbook(write_only=True)
    sheet: _Sheet | None = None
    for row in rows:
        if sheet is None or sheet.full:
            if sheet is not None:
                sheet.finish()
            sheet = _Sheet(workbook, len(workbook.worksheets) + 1, zone)
        sheet.append(row)
    if sheet is None:
        sheet = _Sheet(workbook, 1, zone)
    sheet.finish()
    workbook.save(path)


def xlsx_chunks(
    rows: Iterable[EnrollmentRow], *, zone: tzinfo = UTC, chunk_size: int = CHUNK
) -> Iterator[bytes]:
    """Build the XLSX in a temporary file, then yield it in chunks; the file is always deleted.

    A zip archive cannot be streamed while it is written (its directory comes
    last), so the first byte leaves only once every row is in the file.
    """
    handle, name = tempfile.mkstemp(prefix="elearn-export-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        xlsx_file(rows, path, zone=zone)
        with path.open("rb") as file:
            while chunk := file.read(chunk_size):
                yield chunk
    finally:
        path.unlink(missing_ok=True)


class _Sheet:
    """One write-only sheet: header, widths, frozen header row, reused styled cells."""

    def __init__(self, workbook: Workbook, number: int, zone: tzinfo) -> None:
        title = SHEET_TITLE if number == 1 else f"{SHEET_TITLE} ({number})"
        headers = [
            f"{header} ({_zone_label(zone)})" if index in DATE_COLUMNS else header
            for index, header in enumerate(HEADERS)
        ]
        self.ws: WriteOnlyWorksheet = start_sheet(workbook, title, COLUMNS, headers)
        self.zone = zone
        self.rows = 0
        self.nip = styled_cell(self.ws, TEXT_FORMAT)
        self.dates = {index: styled_cell(self.ws, DATETIME_FORMAT) for index in DATE_COLUMNS}

    @property
    def full(self) -> bool:
        return self.rows + 1 >= SHEET_ROWS

    def append(self, row: EnrollmentRow) -> None:
        values = row_values(row)
        cells: list[object] = [None] * len(values)
        for index, value in enumerate(values):
            if index == NIP_COLUMN:
                self.nip.value = safe_text(value)
                cells[index] = self.nip
            elif isinstance(value, datetime):
                cell = self.dates[index]
                cell.value = value.astimezone(self.zone).replace(tzinfo=None)
                cells[index] = cell
            elif isinstance(value, int):
                cells[index] = value
            elif value is not None and value != "":
                cells[index] = safe_text(value)
        self.ws.append(cells)
        self.rows += 1

    def finish(self) -> None:
        last = get_column_letter(len(COLUMNS))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def start_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[tuple[str, float]],
    headers: Iterable[object] | None = None,
) -> WriteOnlyWorksheet:
    """A write-only sheet with the widths of ``columns`` and a bold header row, frozen.

    The header is the columns' names unless ``headers`` says otherwise.
    """
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
    # Widths and panes are written with the sheet's head, so before any row.
    for index, (_, width) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(bold_cells(sheet, [name for name, _ in columns] if headers is None else headers))
    return sheet


def bold_cells(sheet: WriteOnlyWorksheet, values: Iterable[object]) -> list[WriteOnlyCell]:
    """A row of bold cells holding ``values`` (headers, titles)."""
    bold = Font(bold=True)
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        cells.append(cell)
    return cells


def styled_cell(sheet: WriteOnlyWorksheet, number_format: str) -> WriteOnlyCell:
    """An empty cell with ``number_format``, to reuse for every row of one column.

    openpyxl writes a row's cells as soon as they are appended, so one styled cell
    per column serves every row instead of a new one per cell.
    """
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell


def _zone_label(zone: tzinfo) -> str:
    name = str(zone)
    return ZONE_NAMES.get(name, name)
