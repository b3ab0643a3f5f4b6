"""The fast CSV export writes exactly the bytes of the row-by-row writer, hostile data included."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import insert, select

from elearn.extensions import db
from elearn.models import Certificate, Course, CourseVersion, Enrollment, Unit, User
from elearn.reports import csv_stream
from elearn.reports.copy_chunks import CopyChunks
from elearn.reports.csv_stream import EnrollmentCsv
from elearn.reports.exports import csv_chunks
from elearn.reports.filters import ReportFilter
from elearn.reports.rows import UnitNames, enrollment_statement, paged_rows
from tests.conftest import SHARED_TESTDATA
from tests.reports.test_exports import read_csv

# Cells that trip spreadsheets or CSV writers: formula starts, quotes, separators,
# line breaks, control characters (some hiding a formula start), non-ASCII.
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\x01=cmd",
    "\x1f\x0b+x",
    'say "hi", then\nleave',
    "a,b",
    "line\r\nbreak",
    "Lamaluta › Dinas",
    " ",
    "'=already",
    "\x07",
    "",
]


def hostile_text(rng: random.Random, size: int = 40) -> str:
    """Mostly ordinary text, often with a hostile piece in front or inside."""
    corpus = SHARED_TESTDATA / "xss" / "csv_injection.txt"
    pieces = HOSTILE + (corpus.read_text("utf-8").splitlines()[:40] if corpus.is_file() else [])
    word = "".join(rng.choice("abcXYZ é›\"',;\n\r\t-=+@\x02") for _ in range(rng.randint(0, 8)))
    text = rng.choice([word, rng.choice(pieces) + word, word + rng.choice(pieces)])
    return text[:size]


def seed(rng: random.Random, enrolments: int = 300) -> None:
    """Units, courses and learners with hostile names, enrolments at random moments."""
    root = Unit(code="root", name=hostile_text(rng), kind="instansi", timezone="Asia/Makassar")
    db.session.add(root)
    units = [root]
    for index in range(6):
        units.append(Unit(code=f"u{index}", name=hostile_text(rng), kind="perangkat_daerah"))
        units[-1].parent = rng.choice(units[:-1])
        db.session.add(units[-1])
    versions = []
    for index in range(5):
        course = Course(slug=f"{hostile_text(rng, 60)}{index}")
        versions.append(
            CourseVersion(
                course=course,
                number=1 + index % 2,
                content_hash=f"{index:064x}",
                status="published",
                title=hostile_text(rng),
                summary="",
                category=hostile_text(rng, 60) or "x",
                competency=rng.choice(["teknis", "manajerial", "=cmd"]),
                jp=rng.randint(1, 40),
                level="dasar",
                language="id",
                overview_html="",
            )
        )
        db.session.add(versions[-1])
    db.session.commit()
    learners = 60
    db.session.execute(
        insert(User),
        [
            {
                "nip": f"{i:03d}{hostile_text(rng, 15)}",
                "full_name": hostile_text(rng, 200),
                "unit_id": rng.choice(units).id,
                "password_hash": "-",
                "session_token": f"t{i}",
            }
            for i in range(learners)
        ],
    )
    user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    start = datetime(2025, 12, 31, 15, 59, 59, tzinfo=UTC)
    pairs = rng.sample([(u, v) for u in user_ids for v in versions], enrolments)
    for user_id, version in pairs:
        enrolled = start + timedelta(
            seconds=rng.randint(0, 90 * 86400), microseconds=rng.randint(0, 999_999)
        )
        done = enrolled + timedelta(hours=rng.randint(0, 900), microseconds=rng.randint(0, 999_999))
        db.session.add(
            Enrollment(
                user_id=user_id,
                course_id=version.course_id,
                version_id=version.id,
                enrolled_at=enrolled,
                completed_at=done if rng.random() < 0.6 else None,
                updated_at=done,
            )
        )
    db.session.commit()
    completed = db.session.scalars(select(Enrollment).where(Enrollment.completed_at.is_not(None)))
    for number, enrollment in enumerate(completed):
        if rng.random() < 0.2:
            continue  # completed, no certificate yet
        db.session.add(
            Certificate(
                code=f"c{number}",
                number=f"{number}{hostile_text(rng, 100)}",
                year=2026,
                sequence=number,
                user_id=enrollment.user_id,
                enrollment_id=enrollment.id,
                version_id=enrollment.version_id,
                issued_at=enrollment.completed_at,
                payload={},
                signature="-",
                key_id="k",
                revoked_at=enrollment.completed_at + timedelta(days=3) if number % 4 == 0 else None,
            )
        )
    db.session.commit()


def both_files(
    report_filter: ReportFilter, zone: ZoneInfo, units: set[int] | None
) -> tuple[bytes, bytes]:
    """The file of the fast export and that of the row-by-row writer, for the same filter."""
    names = UnitNames()
    statement = enrollment_statement(report_filter, units, names, zone)
    fast = b"".join(EnrollmentCsv(statement, names, zone, chunk_size=4096))
    slow = b"".join(csv_chunks(paged_rows(statement, names), zone=zone))
    return fast, slow


@pytest.mark.parametrize("seed_value", [1, 2])
def test_fast_csv_is_byte_identical_on_hostile_data(app: Flask, seed_value: int):
    seed(random.Random(seed_value))
    rows = 0
    for zone in (ZoneInfo("Asia/Makassar"), ZoneInfo("America/Sao_Paulo"), ZoneInfo("UTC")):
        fast, slow = both_files(ReportFilter(), zone, None)
        assert fast == slow
        rows = fast.count(b"\r\n")
    assert rows > 300  # every enrolment, plus the header and the line breaks inside cells


def test_fast_csv_keeps_every_filter_and_the_scope(app: Flask):
    seed(random.Random(3))
    zone = ZoneInfo("Asia/Makassar")
    scope = {db.session.scalar(select(Unit.id).where(Unit.code == code)) for code in ("u0", "u3")}
    filters = [
        ReportFilter(status="completed"),
        ReportFilter(status="in_progress", competency="teknis"),
        ReportFilter(since=date(2026, 1, 1), until=date(2026, 1, 31)),
        ReportFilter(unit_code="u1"),
        ReportFilter(course=db.session.scalar(select(Course.slug).limit(1)) or ""),
    ]
    sizes = set()
    for report_filter in filters:
        for units in (None, scope):
            fast, slow = both_files(report_filter, zone, units)
            assert fast == slow, report_filter
            sizes.add(len(fast))
    assert len(sizes) > 5  # the filters really narrow the file


def test_fast_csv_counts_its_rows_and_neutralises(app: Flask):
    seed(random.Random(4), enrolments=50)
    zone = ZoneInfo("Asia/Makassar")
    names = UnitNames()
    export = EnrollmentCsv(enrollment_statement(ReportFilter(), None, names, zone), names, zone)
    data = b"".join(export)
    assert export.count == 50
    assert data.startswith(b"\xef\xbb\xbfID pendaftaran,NIP,")
    cells = [cell for line in read_csv(data)[1:] for cell in line]
    assert len(cells) == 50 * 17
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(cell.startswith("'=") for cell in cells)  # the data did hold formulas


def test_postgresql_sends_unit_and_version_cells_as_keys(app: Flask, monkeypatch):
    """The long unit and course cells leave PostgreSQL as ids and come back whole in the file."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL writes the rows with COPY")
    seed(random.Random(5), enrolments=40)
    unit = db.session.scalars(select(Unit).where(Unit.code == "root")).one()
    unit.name = '=Dinas "Kesehatan Qunitq", Bidang › P2P\x07'
    version = db.session.scalars(select(CourseVersion).limit(1)).one()
    version.title = "+Manajemen Proyek, Tingkat «Dasar» Qcourseq\x1f\nlanjut"
    db.session.commit()
    sent: list[bytes] = []

    def recorded(rows, *args, **kwargs):  # type: ignore[no-untyped-def]
        def each():  # type: ignore[no-untyped-def]
            for row in rows:
                sent.append(bytes(row))
                yield row

        return CopyChunks(each(), *args, **kwargs)

    monkeypatch.setattr("elearn.reports.csv_stream.CopyChunks", recorded)
    zone = ZoneInfo("Asia/Makassar")
    fast, slow = both_files(ReportFilter(), zone, None)
    assert fast == slow
    assert '\'=Dinas ""Kesehatan Qunitq"", Bidang › P2P'.encode() in fast
    assert "'+Manajemen Proyek, Tingkat «Dasar» Qcourseq\nlanjut".encode() in fast
    assert len(sent) == 40
    copied = b"".join(sent)
    assert b"Qunitq" not in copied and b"Qcourseq" not in copied
    # Every row names its unit and version by id (hostile names may hold "\x01" too).
    assert all(re.search(rb",\x01\d+\x01\d+\x01,", row) for row in sent)


def test_a_version_published_after_the_cells_were_read_is_read_when_met(app: Flask, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL sends versions as keys")
    seed(random.Random(6), enrolments=30)
    read_up_front = csv_stream.version_cells

    def all_but_one(connection=None):  # type: ignore[no-untyped-def]
        cells = read_up_front(connection)
        cells.pop(min(cells))
        return cells

    zone = ZoneInfo("UTC")
    expected = b"".join(both_files(ReportFilter(), zone, None)[1:])
    looked_up: list[bytes] = []

    def recorded(key: bytes) -> tuple[str, ...]:
        looked_up.append(key)
        return read_later(key)

    read_later = csv_stream._version_published_since
    monkeypatch.setattr(csv_stream, "version_cells", all_but_one)
    monkeypatch.setattr(csv_stream, "_version_published_since", recorded)
    fast, _ = both_files(ReportFilter(), zone, None)
    assert fast == expected
    assert len(looked_up) == 1  # once, however many rows name it
