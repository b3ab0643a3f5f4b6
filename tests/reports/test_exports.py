"""Enrolment exports: CSV and XLSX writers, formula neutralising, scoping, audit, streaming."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, insert, select, update

from elearn.extensions import db
from elearn.models import AuditEntry, Course, CourseVersion, Enrollment, Role, Unit, User
from elearn.models.course import VersionStatus
from elearn.reports import rows as rows_module
from elearn.reports.exports import HEADERS, csv_chunks, xlsx_chunks, xlsx_file
from elearn.reports.filters import ReportFilter
from elearn.reports.rows import (
    EnrollmentRow,
    UnitNames,
    enrollment_statement,
    paged_rows,
    stream_rows,
)
from tests.conftest import SHARED_TESTDATA, AuthActions
from tests.factories import make_unit, make_user
from tests.testdata import require_shared

WITA = ZoneInfo("Asia/Makassar")
NIP = "198609262015051001"
HYPERLINK = '=HYPERLINK("http://x","y")'
# What Excel, LibreOffice and Google Sheets start a formula with (written out
# here on purpose, not imported from the code under test).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_sequence = itertools.count(1)


# --- helpers -----------------------------------------------------------------------------


def row(**changes: object) -> EnrollmentRow:
    """An export row with sensible values; ``changes`` override fields."""
    values: dict[str, object] = {
        "enrollment_id": 1,
        "nip": NIP,
        "name": "Andi Pratama",
        "instansi": "Pemerintah Kota Palu",
        "unit": "Pemerintah Kota Palu › Dinas Kesehatan",
        "course": "dasar-proyek",
        "course_title": "Dasar Manajemen Proyek",
        "version": 1,
        "category": "manajemen",
        "competency": "teknis",
        "jp": 2,
        "status": "completed",
        "enrolled_at": datetime(2026, 2, 28, 17, 0, tzinfo=UTC),
        "completed_at": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        "certificate_number": "800/1/BKPSDM/2026",
        "updated_at": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    }
    values.update(changes)
    return EnrollmentRow(**values)  # type: ignore[arg-type]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def looks_like_formula(cell: str) -> bool:
    return cell.startswith(TRIGGERS)


def make_course(
    slug: str = "dasar-proyek",
    title: str = "Dasar Manajemen Proyek",
    *,
    competency: str = "teknis",
    category: str = "manajemen",
) -> CourseVersion:
    course = Course(slug=slug)
    version = CourseVersion(
        course=course,
        number=1,
        content_hash=f"{next(_sequence):064x}",
        status=VersionStatus.PUBLISHED,
        title=title,
        summary="",
        category=category,
        competency=competency,
        jp=2,
        level="dasar",
        language="id",
        overview_html="",
    )
    db.session.add_all([course, version])
    db.session.commit()
    return version


def enroll(
    user: User,
    version: CourseVersion,
    enrolled_at: datetime = datetime(2026, 2, 1, tzinfo=UTC),
    completed_at: datetime | None = None,
) -> Enrollment:
    enrollment = Enrollment(
        user_id=user.id,
        course_id=version.course_id,
        version_id=version.id,
        enrolled_at=enrolled_at,
        completed_at=completed_at,
    )
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def staff_client(app: Flask, unit: Unit, role: Role = Role.EVALUATOR) -> FlaskClient:
    user = make_user(role, unit=unit, scope=[unit], name=f"Staf {unit.code}")
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def csv_names(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(f"/reports/export/enrollments.csv{query}")
    assert response.status_code == 200
    return sorted(line[HEADERS.index("Nama")] for line in read_csv(response.data)[1:])


def audits() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def payloads() -> list[object]:
    """Every formula payload and prefix from the shared test data (see its NOTICE.md)."""
    folder = SHARED_TESTDATA / "xss"
    files = [folder / "csv_injection.txt", folder / "csv_injection_prefixes.txt"]
    if not all(path.is_file() for path in files):
        return [pytest.param(None, id="absent")]
    lines = [line for path in files for line in path.read_text("utf-8").splitlines() if line]
    # The prefix list has U+2013 EN DASH where spreadsheets trigger on ASCII "-": cover both.
    lines += [line.replace("\u2013", "-") for line in lines if "\u2013" in line]
    # A bare prefix, and the prefix leading a real formula.
    return [*lines, *(f"{line}1+1" for line in lines if len(line) == 1)]


# --- writers, without a database -----------------------------------------------------------


def test_csv_has_bom_header_text_nip_and_local_iso_dates():
    data = b"".join(csv_chunks([row()], zone=WITA))
    header, line = read_csv(data)
    assert tuple(header) == HEADERS
    cell = dict(zip(HEADERS, line, strict=True))
    assert cell["NIP"] == NIP  # all 18 digits, no exponent, no grouping
    assert cell["Tanggal daftar"] == "2026-03-01T01:00:00+08:00"  # 17:00 UTC = 01:00 WITA
    assert cell["Tanggal selesai"] == "2026-03-02T16:00:00+08:00"
    assert cell["Sertifikat dicabut"] == ""
    assert cell["Status"] == "Selesai"


def test_csv_neutralises_formulas_and_drops_control_characters():
    data = b"".join(csv_chunks([row(name=HYPERLINK, course_title="\x01=cmd|'/c calc'!A0")]))
    line = read_csv(data)[1]
    assert line[HEADERS.index("Nama")] == "'" + HYPERLINK
    # Dropping \x01 must not uncover the "=" behind it.
    assert line[HEADERS.index("Judul kursus")] == "'=cmd|'/c calc'!A0"


def test_csv_comes_in_bounded_chunks():
    many = (row(enrollment_id=i) for i in range(3000))
    chunks = list(csv_chunks(many, chunk_size=8 * 1024))
    assert len(chunks) > 10
    assert max(len(chunk) for chunk in chunks) < 8 * 1024 + 1024  # a chunk overshoots by a row
    assert len(read_csv(b"".join(chunks))) == 3001


def test_xlsx_keeps_nip_as_text_and_dates_as_dates(tmp_path: Path):
    path = tmp_path / "out.xlsx"
    xlsx_file([row(name=HYPERLINK, certificate_number="")], path, zone=WITA)
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[HEADERS.index("Tanggal daftar")] == "Tanggal daftar (WITA)"
    assert all(c.font.b for c in sheet[1])
    cells = dict(zip(HEADERS, sheet[2], strict=True))
    assert (cells["NIP"].value, cells["NIP"].data_type) == (NIP, "s")
    assert cells["NIP"].number_format == "@"
    assert cells["Nama"].data_type == "s"  # a string, never a formula
    assert cells["Nama"].value == "'" + HYPERLINK
    assert cells["Tanggal daftar"].value == datetime(2026, 3, 1, 1, 0)  # naive WITA
    assert cells["Tanggal daftar"].is_date
    assert cells["JP"].value == 2
    assert cells["Nomor sertifikat"].value is None
    assert sheet.column_dimensions["C"].width == 30


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("elearn.reports.exports.SHEET_ROWS", 4)  # header + 3 rows a sheet
    path = tmp_path / "out.xlsx"
    xlsx_file([row(enrollment_id=i) for i in range(7)], path)
    book = load_workbook(path)
    assert book.sheetnames == ["Pendaftaran", "Pendaftaran (2)", "Pendaftaran (3)"]
    ids = [c.value for sheet in book for c in sheet["A"][1:]]
    assert ids == list(range(7))
    assert book["Pendaftaran (3)"]["B1"].value == "NIP"


def test_xlsx_chunks_delete_their_temporary_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    stream = xlsx_chunks([row()], chunk_size=512)
    first = next(stream)
    assert first.startswith(b"PK") and list(tmp_path.iterdir())
    stream.close()  # the client went away
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("payload", payloads())
def test_every_formula_payload_is_neutralised(payload: str | None, tmp_path: Path):
    if payload is None:
        require_shared(SHARED_TESTDATA / "xss" / "csv_injection.txt")
        return
    record = row(name=payload, course_title=payload)
    line = read_csv(b"".join(csv_chunks([record])))[1]
    path = tmp_path / "out.xlsx"
    xlsx_file([record], path)
    cells = load_workbook(path).active[2]
    for column in ("Nama", "Judul kursus"):
        index = HEADERS.index(column)
        for text in (line[index], cells[index].value):
            assert not looks_like_formula(text), (column, text)
            assert text.removeprefix("'") == payload  # nothing else lost
        assert cells[index].data_type == "s"


def test_every_column_is_documented():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text("utf-8")
    for number, header in enumerate(HEADERS, 1):
        assert f"| {number} | {header} |" in docs


# --- the views ----------------------------------------------------------------------------


def test_export_is_scoped_to_the_viewers_units(app: Flask, clock):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    dinas = make_unit("Dinas Kesehatan", parent=palu, code="palu-dinkes")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    version = make_course()
    for unit, name in ((palu, "Rina Palu"), (dinas, "Budi Dinkes"), (mamuju, "Sari Mamuju")):
        enroll(make_user(unit=unit, name=name), version)

    client = staff_client(app, palu)
    assert csv_names(client) == ["Budi Dinkes", "Rina Palu"]
    assert csv_names(client, "?unit=mamuju") == []  # asking for another unit yields nothing
    assert csv_names(client, "?unit=palu-dinkes") == ["Budi Dinkes"]
    xlsx = client.get("/reports/export/enrollments.xlsx?unit=mamuju")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 1  # the header only
    admin = staff_client(app, palu, Role.ADMIN)
    assert csv_names(admin) == ["Budi Dinkes", "Rina Palu", "Sari Mamuju"]


def test_filters_status_competency_and_period(app: Flask, clock):
    palu = make_unit(code="palu")
    teknis = make_course("teknis-1", "Teknis", competency="teknis")
    manajerial = make_course("manajerial-1", "Manajerial", competency="manajerial")
    march = datetime(2026, 3, 1, 0, 30, tzinfo=WITA)  # 28 February 16:30 UTC
    enroll(make_user(unit=palu, name="Selesai Teknis"), teknis, march, completed_at=march)
    enroll(make_user(unit=palu, name="Belajar Teknis"), teknis, datetime(2026, 1, 5, tzinfo=UTC))
    enroll(make_user(unit=palu, name="Belajar Manajerial"), manajerial, march)

    client = staff_client(app, palu)
    assert csv_names(client, "?status=completed") == ["Selesai Teknis"]
    assert csv_names(client, "?status=in_progress&competency=manajerial") == ["Belajar Manajerial"]
    # Local days: the March enrolment/completion at 00:30 WITA falls on 1 March, not 28 Feb.
    assert csv_names(client, "?since=2026-03-01&until=2026-03-01") == [
        "Belajar Manajerial",
        "Selesai Teknis",
    ]
    assert csv_names(client, "?until=2026-02-28") == ["Belajar Teknis"]  # 28 Feb in UTC only
    assert csv_names(client, "?course=manajerial-1") == ["Belajar Manajerial"]


def test_bad_filter_is_a_400_page_in_indonesian(app: Flask):
    client = staff_client(app, make_unit(code="palu"))
    for url in ("/reports/export/enrollments.csv", "/reports/export/enrollments.xlsx"):
        response = client.get(f"{url}?status=lulus")
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "Saringan tidak valid" in page and "status: expected one of" in page
    assert audits() == []


def test_exports_are_for_staff_only(app: Flask):
    learner = staff_client(app, make_unit(code="palu"), Role.LEARNER)
    assert learner.get("/reports/export/enrollments.csv").status_code == 403
    assert learner.get("/reports/export/").status_code == 403
    anonymous = app.test_client().get("/reports/export/enrollments.xlsx")
    assert anonymous.status_code == 302


def test_each_export_is_audited_with_its_row_count(app: Flask, clock):
    palu = make_unit(code="palu")
    version = make_course()
    for index in range(3):
        enroll(make_user(unit=palu, name=f"Peserta {index}"), version)
    client = staff_client(app, palu)

    response = client.get("/reports/export/enrollments.csv?competency=teknis")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="enrollments-20260302.csv"'
    )
    assert audits() == []  # nothing is audited before the stream has run
    assert len(read_csv(response.data)) == 4
    xlsx = client.get("/reports/export/enrollments.xlsx")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    load_workbook(io.BytesIO(xlsx.data))

    entries = audits()
    assert [(e.action, e.row_count, e.filters) for e in entries] == [
        ("export.csv", 3, {"competency": "teknis"}),
        ("export.xlsx", 3, {}),
    ]
    assert entries[0].user is not None and entries[0].user.full_name == "Staf palu"


def bulk_enrollments(unit: Unit, version: CourseVersion, count: int) -> None:
    """Insert ``count`` learners, each enrolled once, with two statements."""
    start = next(_sequence) * 100_000
    db.session.execute(
        insert(User),
        [
            {
                "nip": f"{199001012015011000 + start + i}",
                "full_name": f"Peserta {i:05d}",
                "unit_id": unit.id,
                "password_hash": "-",
                "session_token": f"token-{start + i}",
            }
            for i in range(count)
        ],
    )
    ids = db.session.scalars(select(User.id).where(User.full_name.like("Peserta %"))).all()
    moment = datetime(2026, 2, 1, tzinfo=UTC)
    db.session.execute(
        insert(Enrollment),
        [
            {
                "user_id": user_id,
                "unit_id": unit.id,
                "course_id": version.course_id,
                "version_id": version.id,
                "enrolled_at": moment,
                "updated_at": moment + timedelta(seconds=user_id),
            }
            for user_id in ids
        ],
    )
    db.session.commit()


def test_stream_rows_keeps_a_limit_and_paged_rows_reads_everything(app: Flask):
    palu = make_unit(code="palu")
    version = make_course()
    for index in range(5):
        enroll(make_user(unit=palu, name=f"Peserta {index}"), version)
    names = UnitNames()
    statement = enrollment_statement(ReportFilter(), None, names, WITA)
    limited = [r.name for r in stream_rows(statement.limit(2), names)]  # as the API pages
    assert limited == ["Peserta 0", "Peserta 1"]
    every = [r.name for r in paged_rows(statement, names, page=2)]
    assert every == [f"Peserta {index}" for index in range(5)]


def test_the_downloaded_csv_dates_a_completion_in_the_evaluators_zone(app: Flask, clock):
    # On PostgreSQL the file is written by COPY with the zone set for its transaction, on the
    # page's connection, which reads in autocommit: the COPY must run in that transaction.
    palu = make_unit(code="palu")  # Asia/Makassar, UTC+8
    learner = make_user(unit=palu, name="Budi Santoso")
    at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 1 January in Palu
    enroll(learner, make_course(), enrolled_at=at - timedelta(days=1), completed_at=at)

    response = staff_client(app, palu).get("/reports/export/enrollments.csv")
    (line,) = [cells for cells in read_csv(response.data)[1:] if "Budi Santoso" in cells]
    assert line[HEADERS.index("Tanggal selesai")] == "2027-01-01T07:30:00+08:00"
    assert line[HEADERS.index("Tanggal daftar")] == "2026-12-31T07:30:00+08:00"


def test_a_large_export_streams_in_many_chunks(app: Flask, clock):
    palu = make_unit(code="palu")
    bulk_enrollments(palu, make_course(), 4500)  # more than two pages of paged_rows
    client = staff_client(app, palu)

    response = client.get("/reports/export/enrollments.csv")
    assert response.is_streamed and "Content-Length" not in response.headers
    chunks = list(response.response)
    assert len(chunks) > 5
    lines = read_csv(b"".join(chunks))
    ids = [int(line[0]) for line in lines[1:]]
    assert len(ids) == 4500 and ids == sorted(set(ids))  # keyset paging: no gap, no repeat
    xlsx = client.get("/reports/export/enrollments.xlsx")
    assert xlsx.is_streamed
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 4501
    assert [e.row_count for e in audits()] == [4500, 4500]


def can_write() -> None:
    """Write on a connection of its own; on SQLite that needs the write lock, free."""
    with db.engine.begin() as connection:
        connection.execute(update(Unit).where(Unit.code == "palu").values(name="Kota Palu"))


def test_a_client_leaving_mid_stream_is_audited_and_leaves_no_transaction(
    app: Flask, clock, monkeypatch
):
    monkeypatch.setattr(rows_module, "PAGE", 100)
    palu = make_unit(code="palu")
    bulk_enrollments(palu, make_course(), 2500)
    client = staff_client(app, palu)

    response = client.get("/reports/export/enrollments.csv")
    chunks = iter(response.response)
    next(chunks)  # the header
    can_write()
    next(chunks)  # about 64 KB of rows
    can_write()
    response.close()  # the browser's download was cancelled

    (entry,) = audits()
    assert entry.action == "export.csv" and entry.filters == {"interrupted": "true"}
    assert 0 < entry.row_count < 2500
    # The database is usable at once, by the test and by the next request.
    assert db.session.scalar(select(func.count(Enrollment.id))) == 2500
    assert client.get("/reports/export/enrollments.csv?status=completed").status_code == 200


def test_export_page_offers_the_filters_in_scope(app: Flask):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    make_course(category="kepemimpinan")
    page = staff_client(app, palu).get("/reports/export/?status=completed")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Unduh CSV" in html and "Unduh Excel (XLSX)" in html
    assert 'action="/reports/export/enrollments.csv"' in html
    assert 'formaction="/reports/export/enrollments.xlsx"' in html
    assert "Pemerintah Kota Palu" in html and "Pemerintah Kabupaten Mamuju" not in html
    assert '<option value="kepemimpinan"' in html
    assert '<option value="completed" selected' in html
