"""The AKPK files: the seven items in Indonesian columns, formula-safe, totals that add up."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Flask
from openpyxl import load_workbook

from elearn.models import Role, VersionStatus
from elearn.reports.akpk_files import HEADERS
from tests.akpk.conftest import FORMULA_TITLE, World, staff
from tests.akpk.factories import make_assignment, make_course


def _csv(app: Flask, world: World, query: str = "") -> list[dict[str, str]]:
    client = world.client(app, staff(Role.EVALUATOR, world.palu))
    # Read before the request: a lazy load during the stream would hold SQLite's write lock.
    name = f'attachment; filename="akpk-{world.palu.id}-2026.csv"'
    response = client.get(f"/reports/akpk/akpk.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == name
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert tuple(lines[0]) == HEADERS
    return [dict(zip(HEADERS, line, strict=True)) for line in lines[1:]]


def test_the_csv_has_one_row_per_person_and_need_with_the_seven_items(app: Flask, world: World):
    rows = _csv(app, world)
    assert len(rows) == 5
    assert sum(int(r["JP"]) for r in rows) == 52
    assert sum(int(r["Anggaran (Rp)"]) for r in rows) == 4_500_000
    bimtek = next(r for r in rows if r["Nama"] == "Ani Lestari" and r["JP"] == "24")
    assert bimtek == {
        "Sumber": "IDP",
        "Status": "Disetujui atasan",
        "Kode kompetensi": "T.01",
        "Nama kompetensi": "Analisis Data",
        "Jenis kompetensi": "Teknis",
        "Level target": "3",
        "NIP": world.ani.nip,
        "Nama": "Ani Lestari",
        "Jabatan": "Pranata Komputer Ahli Pertama",
        "Jenis pegawai": "PNS",
        "Unit kerja": "Pemerintah Kota Palu › Dinas Kominfo",
        "Kegiatan": "Bimbingan teknis analisis data",
        "Jalur pengembangan": "Bimbingan teknis",
        "Penyelenggara": "BPSDM Provinsi Sulawesi Tengah",
        "Mulai": "2026-04-01",
        "Selesai": "2026-04-03",
        "JP": "24",
        "Kesesuaian dengan kurikulum": "Kurikulum bimtek LAN 2025",
        "Anggaran (Rp)": "3500000",
    }
    course = next(r for r in rows if r["Nama"] == "Eko Prasetyo")
    assert course == {
        "Sumber": "Penugasan",
        "Status": "Ditugaskan",
        "Kode kompetensi": "M.01; T.01",
        "Nama kompetensi": "Integritas; Analisis Data",
        "Jenis kompetensi": "Manajerial; Teknis",
        "Level target": "1; 2",
        "NIP": world.eko.nip,
        "Nama": "Eko Prasetyo",
        "Jabatan": "Statistisi",
        "Jenis pegawai": "PNS",
        "Unit kerja": "Pemerintah Kota Palu › Dinas Kominfo",
        "Kegiatan": "Keamanan Informasi (Wajib: Keamanan Informasi 2026)",
        "Jalur pengembangan": "E-learning",
        "Penyelenggara": "Pemerintah Kota Palu › BKPSDM",
        "Mulai": "2026-03-02",
        "Selesai": "2026-03-10",
        "JP": "5",  # the published version's, not the newer draft's 40
        "Kesesuaian dengan kurikulum": "Kurikulum kursus keamanan-informasi: M.01 level 1, "
        "T.01 level 2",
        "Anggaran (Rp)": "0",
    }
    # Units by path (BKPSDM before Dinas Kominfo though created later), then people by
    # name, a person's own plan before their assigned course.
    assert [(r["Nama"], r["Sumber"], r["JP"]) for r in rows] == [
        ("Budi Santoso", "IDP", "8"),
        ("Ani Lestari", "IDP", "24"),
        ("Ani Lestari", "IDP", "10"),
        ("Ani Lestari", "Penugasan", "5"),
        ("Eko Prasetyo", "Penugasan", "5"),
    ]


def test_submitted_plans_are_marked_in_the_status_column(app: Flask, world: World):
    rows = _csv(app, world, "?submitted=1")
    waiting = [r for r in rows if r["Status"] == "Diajukan, belum disetujui"]
    assert [(r["Nama"], r["JP"], r["Anggaran (Rp)"]) for r in waiting] == [
        ("Eko Prasetyo", "6", "500000")
    ]


def test_cells_that_look_like_formulas_are_neutralised(app: Flask, world: World):
    budi = next(r for r in _csv(app, world) if r["Nama"] == "Budi Santoso")
    assert budi["Kegiatan"] == "'" + FORMULA_TITLE
    assert budi["Penyelenggara"] == "'+cmd|' /C calc'!A0"
    assert budi["Kode kompetensi"] == "" and budi["Level target"] == ""
    client = world.client(app, staff(Role.EVALUATOR, world.palu))
    book = load_workbook(io.BytesIO(client.get("/reports/akpk/akpk.xlsx").get_data()))
    sheet = book["AKPK"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    kegiatan = HEADERS.index("Kegiatan")
    assert "'" + FORMULA_TITLE in [row[kegiatan].value for row in sheet.iter_rows(min_row=2)]


def test_the_workbook_has_typed_cells_and_a_summary(app: Flask, world: World):
    client = world.client(app, staff(Role.EVALUATOR, world.palu))
    response = client.get("/reports/akpk/akpk.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book["AKPK"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS and len(rows) == 6
    nip = HEADERS.index("NIP")
    eko = next(row for row in sheet.iter_rows(min_row=2) if row[nip].value == world.eko.nip)
    assert eko[nip].data_type == "s" and eko[nip].number_format == "@"
    assert eko[HEADERS.index("Selesai")].value == datetime(2026, 3, 10)
    assert eko[HEADERS.index("JP")].value == 5
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row}
    assert summary["AKPK"] == "Pemerintah Kota Palu"
    assert summary["Jumlah kebutuhan"] == 5
    assert summary["Jumlah pegawai"] == 3
    assert summary["Total JP"] == 52
    assert summary["Total anggaran (Rp)"] == 4_500_000
    by_code = {row[0]: row[3:] for row in book["Ringkasan"].iter_rows(values_only=True) if row}
    assert by_code["T.01"] == (3, 2, 34, 3_500_000)
    assert by_code["(tanpa kode kompetensi)"] == (1, 1, 8, 1_000_000)
    assert by_code["Pemerintah Kota Palu › Dinas Kominfo"] == (4, 2, 44, 3_500_000)


def test_a_course_with_no_published_version_counts_its_latest(app: Flask, world: World):
    withdrawn = make_course("etika-asn", title="Etika ASN", jp=3, competencies=(("M.01", 1),),
                            status=VersionStatus.ARCHIVED)  # fmt: skip
    make_course("etika-asn", course=withdrawn, number=2, title="Etika ASN (revisi)", jp=4,
                competencies=(("T.01", 2), ("M.01", 3)), status=VersionStatus.ARCHIVED)  # fmt: skip
    make_assignment(withdrawn, [world.budi], reason="")
    course = next(
        r for r in _csv(app, world) if r["Sumber"] == "Penugasan" and r["Nama"] == "Budi Santoso"
    )
    assert (course["Kegiatan"], course["JP"]) == ("Etika ASN (revisi)", "4")
    assert (course["Kode kompetensi"], course["Level target"]) == ("M.01; T.01", "3; 2")
    assert course["Kesesuaian dengan kurikulum"] == (
        "Kurikulum kursus etika-asn: M.01 level 3, T.01 level 2"
    )
