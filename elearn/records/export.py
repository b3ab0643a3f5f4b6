"""The career record as CSV in the shape of SIASN's training history ("riwayat kursus")."""

from __future__ import annotations

import csv
import io

from elearn.exports.cells import neutralise
from elearn.records.document import CareerRecordDocument
from elearn.records.routes import ROUTES, siasn_diklat_id

# SIASN field names (from community integrations, unconfirmed; see docs/career-record.md),
# then our own columns.
COLUMNS = (
    "nipBaru",
    "namaKursus",
    "institusiPenyelenggara",
    "jenisDiklatId",
    "jenisKursusSertipikat",
    "jumlahJam",
    "nomorSertipikat",
    "tahunKursus",
    "tanggalKursus",
    "tanggalSelesaiKursus",
    "jalurPengembangan",
    "jenisKompetensi",
    "sumber",
    "status",
    "dihitung",
)
_ROUTE_VALUES = {label: value for value, label, _, _ in ROUTES}


def record_csv(document: CareerRecordDocument) -> str:
    """Return the CSV text, with a BOM so Excel reads it as UTF-8.

    Every cell is text and quoted; any cell that a spreadsheet would run as a
    formula is neutralised. (Excel still shows an 18-digit NIP as a number
    when opening a CSV; the XLSX export keeps it as text.)
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for row in document.rows:
        route = _ROUTE_VALUES.get(row.route, row.route)
        cells = [
            document.nip,
            row.name,
            row.organiser,
            siasn_diklat_id(route, row.competency),
            "Sertifikat" if row.certificate_number else "",
            row.jp,
            row.certificate_number,
            row.finished_on.year,
            row.started_on.strftime("%d-%m-%Y"),
            row.finished_on.strftime("%d-%m-%Y"),
            row.route,
            row.competency,
            row.source,
            row.status,
            "ya" if row.counts else "tidak",
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue()
