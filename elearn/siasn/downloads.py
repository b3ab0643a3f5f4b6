"""The year's records in SIASN's two shapes as CSV and XLSX, for instansi that upload by hand.

The columns are SIASN's field names (elearn/siasn/mapping.py), preceded by the NIP (SIASN's
upload screens look the person up by it) and followed by our own record reference. Every
cell is text passed through the one neutraliser, so no spreadsheet runs a formula.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import select

from elearn.exports.cells import neutralise
from elearn.extensions import db
from elearn.models import PushShape, SiasnPerson
from elearn.siasn.mapping import DIKLAT_FIELDS, KURSUS_FIELDS, Codes, map_record
from elearn.siasn.records import PushRecord

LEADING = ("nipBaru",)
TRAILING = ("namaPeserta", "referensi")
TEXT_FORMAT = "@"


def columns(shape: PushShape) -> tuple[str, ...]:
    fields = DIKLAT_FIELDS if shape is PushShape.DIKLAT else KURSUS_FIELDS
    return LEADING + fields + TRAILING


def table(records: list[PushRecord], shape: PushShape) -> list[list[str]]:
    """The rows of ``shape`` (header first), every cell neutralised text."""
    chosen = [r for r in records if r.shape is shape]
    people = {
        user_id: pns_orang_id
        for user_id, pns_orang_id in db.session.execute(
            select(SiasnPerson.user_id, SiasnPerson.pns_orang_id).where(
                SiasnPerson.user_id.in_({r.user_id for r in chosen})
            )
        )
    }
    codes: dict[int, Codes] = {}
    header = columns(shape)
    rows = [list(header)]
    for record in chosen:
        if record.instansi_id not in codes:
            codes[record.instansi_id] = Codes.of(record.instansi_id)
        instansi_codes = codes[record.instansi_id]
        body = map_record(record, instansi_codes, people.get(record.user_id, "")).body
        values = {
            **body,
            "nipBaru": record.nip,
            "namaPeserta": record.learner_name,
            "referensi": f"{record.source}:{record.source_id}",
        }
        rows.append([neutralise(values.get(column, "")) for column in header])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    """CSV with a BOM (Excel reads UTF-8 then), every cell quoted."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list[str]], title: str) -> bytes:
    """An XLSX workbook of text cells (an 18-digit NIP stays 18 digits)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # text even when it looks like a number or a formula
            cell.number_format = TEXT_FORMAT
            if number == 0:
                cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
