"""What each resource returns: scoped to the token owner's units, filtered, audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from elearn.api.pagination import encode_cursor
from elearn.extensions import db
from elearn.models import AuditEntry, CourseVersion, ExternalTraining, Role, Unit
from tests.api.conftest import Agencies, api_get, enrol, issue_token, pull_all
from tests.certificates.helpers import complete_course
from tests.conftest import FrozenClock
from tests.content.course_fixtures import COURSE_MD
from tests.factories import make_unit, make_user
from tests.learning.helpers import publish_course


@dataclass
class Executed:
    """The SQL run in an ``executed()`` block, and which of it went through a cursor."""

    statements: list[str] = field(default_factory=list)
    streamed: list[str] = field(default_factory=list)


@contextmanager
def executed() -> Iterator[Executed]:
    seen = Executed()

    def listener(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        seen.statements.append(statement)
        if context.execution_options.get("stream_results"):
            seen.streamed.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


JAN = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)
RESOURCES = ["enrollments", "completions", "certificates", "jp-totals"]


def _second_course(tmp_path: Path) -> CourseVersion:
    course_md = (
        COURSE_MD.replace("Dasar Manajemen Proyek", "Etika Pelayanan")
        .replace("manajemen-proyek", "pelayanan")
        .replace("competency: teknis", "competency: manajerial")
        .replace("jp: 2", "jp: 3")
    )
    return publish_course(tmp_path, "etika", **{"course.md": course_md})


@pytest.fixture
def populated(
    app: Flask, tmp_path: Path, agencies: Agencies, version: CourseVersion, clock: FrozenClock
) -> Unit:
    """Learners with enrolments and certificates in both agencies; returns Palu's Dinkes."""
    dinas = make_unit("Dinas Kesehatan", parent=agencies.palu, code="palu-dinkes")
    for unit, prefix in ((agencies.palu, "Palu"), (dinas, "Dinkes"), (agencies.mamuju, "Mamuju")):
        learner = make_user(unit=unit, name=f"{prefix} Berjalan")
        enrol(learner, version, at=JAN)
        complete_course(app, tmp_path, unit=unit)
    return dinas


def _palu_only(rows: list[dict[str, object]]) -> None:
    assert rows
    for row in rows:
        assert str(row["instansi"]) == "Pemerintah Kota Palu"
        assert "Mamuju" not in str(row["name"]) and "Mamuju" not in str(row["unit"])


@pytest.mark.parametrize("resource", RESOURCES)
def test_palu_evaluator_never_sees_mamuju(
    app: Flask, client: FlaskClient, agencies: Agencies, populated: Unit, resource: str
) -> None:
    _palu_only(pull_all(client, resource, agencies.token, limit=1))
    asked = api_get(client, resource, agencies.token, unit="mamuju")
    assert asked.status_code == 200 and asked.get_json()["data"] == []


def test_admin_sees_every_agency(
    app: Flask, client: FlaskClient, agencies: Agencies, populated: Unit
) -> None:
    admin_token = issue_token(make_user(Role.ADMIN, unit=agencies.mamuju))
    units = {row["instansi"] for row in pull_all(client, "enrollments", admin_token)}
    assert units == {"Pemerintah Kota Palu", "Pemerintah Kabupaten Mamuju"}
    mamuju = pull_all(client, "certificates", admin_token, unit="mamuju")
    assert len(mamuju) == 1


def test_enrollments_and_completions(
    app: Flask, client: FlaskClient, agencies: Agencies, populated: Unit, clock: FrozenClock
) -> None:
    rows = pull_all(client, "enrollments", agencies.token)
    assert len(rows) == 4  # two in Palu itself, two in its Dinas Kesehatan
    assert {row["status"] for row in rows} == {"in_progress", "completed"}
    running = next(row for row in rows if row["name"] == "Palu Berjalan")
    assert running["completed_at"] is None and running["certificate_number"] is None
    assert running["enrolled_at"] == "2026-01-10T02:00:00.000000Z"
    assert running["course"] == "dasar-proyek" and running["jp"] == 2
    done = [row for row in rows if row["status"] == "completed"]
    assert all(str(row["certificate_number"]).startswith("800/BKPSDM/2026/") for row in done)
    assert all(str(row["completed_at"]).endswith("Z") for row in done)

    completions = pull_all(client, "completions", agencies.token)
    assert [row["id"] for row in completions] == [row["id"] for row in done]
    assert pull_all(client, "completions", agencies.token, status="completed") == completions
    refused = api_get(client, "completions", agencies.token, status="in_progress")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"].startswith("status:")


def test_enrollment_filters(
    app: Flask,
    client: FlaskClient,
    agencies: Agencies,
    version: CourseVersion,
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    etika = _second_course(tmp_path)
    a = make_user(unit=agencies.palu, name="A")
    b = make_user(unit=agencies.palu, name="B")
    enrol(a, version, at=JAN, completed_at=FEB)
    enrol(a, etika, at=FEB)
    enrol(b, etika, at=JAN)

    def names(**params: str) -> list[tuple[str, str]]:
        rows = pull_all(client, "enrollments", agencies.token, **params)
        return [(str(row["name"]), str(row["course"])) for row in rows]

    assert names(course="etika") == [("A", "etika"), ("B", "etika")]
    assert names(competency="manajerial") == [("A", "etika"), ("B", "etika")]
    assert names(category="manajemen-proyek") == [("A", "dasar-proyek")]
    assert names(status="in_progress") == [("A", "etika"), ("B", "etika")]
    assert names(status="completed") == [("A", "dasar-proyek")]
    # Enrolled or completed in February (local days, WITA).
    assert names(since="2026-02-01", until="2026-02-28") == [("A", "dasar-proyek"), ("A", "etika")]
    assert names(until="2026-01-31") == [("A", "dasar-proyek"), ("B", "etika")]
    assert names(course="tidak-ada") == []


def test_a_filter_no_course_matches_answers_without_reading_enrolments(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion
) -> None:
    enrol(make_user(unit=agencies.palu, name="A"), version, at=JAN)
    with executed() as seen:
        for params in ({"category": "tidak-ada"}, {"course": "tidak-ada"}, {"unit": "tidak-ada"}):
            response = api_get(client, "enrollments", agencies.token, **params)
            assert response.status_code == 200
            assert response.get_json()["data"] == [] and response.get_json()["next_cursor"] is None
    # At 10M enrolments such a page walked all of them after the cursor (1.9 s).
    assert not [s for s in seen.statements if "FROM enrollment" in s]
    # A filter that matches still reads them.
    assert [
        r["course"]
        for r in pull_all(client, "enrollments", agencies.token, course=version.course.slug)
    ] == [version.course.slug]


def test_certificates(
    app: Flask, client: FlaskClient, agencies: Agencies, tmp_path: Path, clock: FrozenClock
) -> None:
    learner, certificate = complete_course(app, tmp_path, unit=agencies.palu)
    rows = pull_all(client, "certificates", agencies.token)
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == certificate.id and row["enrollment_id"] == certificate.enrollment_id
    assert row["number"] == certificate.number and row["code"] == certificate.code
    assert str(row["verification_url"]).endswith(f"/certificates/{certificate.code}")
    assert row["nip"] == learner.user.nip and row["name"] == learner.user.full_name
    assert row["course"] == "dasar-proyek" and row["jp"] == 2 and row["competency"] == "teknis"
    assert row["issued_at"] == "2026-03-02T08:00:00.000000Z"
    assert row["completed_on"] == "2026-03-02"
    assert row["revoked_at"] is None and row["revoked_reason"] is None
    assert row["updated_at"] == row["issued_at"]
    assert "payload" not in row and "signature" not in row
    assert certificate.signature not in str(rows)

    clock.advance(days=3)
    certificate.revoked_at = clock.current
    certificate.revoked_reason = "Data ganda"
    db.session.commit()
    row = pull_all(client, "certificates", agencies.token)[0]
    assert row["revoked_at"] == "2026-03-05T08:00:00.000000Z"
    assert row["revoked_reason"] == "Data ganda"
    assert row["updated_at"] == row["revoked_at"]
    refused = api_get(client, "certificates", agencies.token, status="completed")
    assert refused.status_code == 422


def test_jp_totals_for_a_year(
    app: Flask,
    client: FlaskClient,
    agencies: Agencies,
    version: CourseVersion,
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    etika = _second_course(tmp_path)
    a = make_user(unit=agencies.palu, name="A")
    enrol(a, version, at=JAN, completed_at=FEB)
    enrol(a, etika, at=JAN, completed_at=datetime(2025, 12, 20, tzinfo=UTC))
    db.session.add(
        ExternalTraining(
            user_id=a.id, name="Diklat", organiser="BPSDM", route="seminar",
            competency="sosial-kultural", started_on=date(2026, 2, 1),
            finished_on=date(2026, 2, 2), jp=5, certificate_number="",
            evidence=b"%PDF", evidence_name="bukti.pdf", evidence_type="application/pdf",
            status="verified",
        )
    )  # fmt: skip
    db.session.commit()
    make_user(unit=agencies.palu, name="Nonaktif").is_active = False
    db.session.commit()

    rows = {row["name"]: row for row in pull_all(client, "jp-totals", agencies.token)}
    assert set(rows) == {"Evaluator Palu", "A"}  # active learners only
    assert rows["A"]["year"] == 2026  # this year by default
    assert rows["A"]["jp_total"] == 7
    assert rows["A"]["jp_by_competency"] == {"teknis": 2, "manajerial": 0, "sosial-kultural": 5}
    assert rows["A"]["nip"] == a.nip and rows["A"]["employee_type"] == "PNS"
    last_year = {r["name"]: r for r in pull_all(client, "jp-totals", agencies.token, year=2025)}
    assert last_year["A"]["jp_total"] == 3
    assert last_year["A"]["jp_by_competency"]["manajerial"] == 3
    assert last_year["Evaluator Palu"]["jp_total"] == 0
    for name, value in (("course", "dasar-proyek"), ("updated_since", "2026-01-01T00:00:00Z")):
        refused = api_get(client, "jp-totals", agencies.token, **{name: value})
        assert refused.status_code == 422
        assert refused.get_json()["error"]["message"] == f"{name}: not supported on /jp-totals"


def test_every_pull_is_audited(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion, clock: FrozenClock
) -> None:
    for index in range(3):
        enrol(make_user(unit=agencies.palu, name=f"P{index}"), version, at=JAN)
    api_get(client, "enrollments", agencies.token, course="dasar-proyek", limit=2)
    api_get(client, "jp-totals", agencies.token, year=2026)
    api_get(client, "enrollments", agencies.token, limit="banyak")  # refused: not a pull
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.row_count, e.user_id) for e in entries] == [
        ("api.enrollments", 2, agencies.evaluator.id),
        ("api.jp-totals", 4, agencies.evaluator.id),
    ]
    prefix = agencies.token[:12]
    assert entries[0].filters == {"course": "dasar-proyek", "limit": "2", "token": prefix}
    assert entries[1].filters == {"limit": "100", "year": "2026", "token": prefix}
    assert entries[0].created_at == clock.current
    assert agencies.token not in str([e.filters for e in entries])


def test_coordinators_see_their_units(
    app: Flask, client: FlaskClient, agencies: Agencies, populated: Unit
) -> None:
    coordinator = make_user(Role.COORDINATOR, unit=agencies.mamuju, scope=[agencies.mamuju])
    rows = pull_all(client, "enrollments", issue_token(coordinator))
    assert {row["instansi"] for row in rows} == {"Pemerintah Kabupaten Mamuju"}
    sub = pull_all(client, "enrollments", agencies.token, unit="palu-dinkes")
    assert {row["unit"] for row in sub} == {"Pemerintah Kota Palu › Dinas Kesehatan"}


def test_scoped_pages_follow_the_enrolment_unit_in_id_order(
    app: Flask,
    client: FlaskClient,
    tmp_path: Path,
    agencies: Agencies,
    version: CourseVersion,
) -> None:
    """Every page of a scope holds the next enrolments of its units, none skipped or repeated.

    On PostgreSQL each unit's next rows are read on their own and merged (unfiltered and
    incremental pulls); other filters and SQLite walk the ids. All give the same rows.
    """
    dinkes = make_unit("Dinas Kesehatan", parent=agencies.palu, code="palu-dinkes")
    bappeda = make_unit("Bappeda", parent=agencies.palu, code="palu-bappeda")
    second = _second_course(tmp_path)
    expected, completed = [], []
    # Interleaved ids across Palu's three units and Mamuju, unevenly.
    palu, mamuju = agencies.palu, agencies.mamuju
    units = [palu, mamuju, dinkes, dinkes, bappeda, mamuju, mamuju, dinkes, palu]
    for number, unit in enumerate(units):
        learner = make_user(unit=unit, name=f"Peserta {number}")
        for course in (version, second):
            done = FEB if number % 2 else None
            made = enrol(learner, course, at=JAN, completed_at=done)
            if unit is not mamuju:
                expected.append(made.id)
                if done:
                    completed.append(made.id)
    for limit in (1, 2, 3, 100):
        rows = pull_all(client, "enrollments", agencies.token, limit=limit)
        assert [row["id"] for row in rows] == expected, limit
        rows = pull_all(client, "enrollments", agencies.token, limit=limit, status="completed")
        assert [row["id"] for row in rows] == completed, limit
    # Incremental pulls too: every enrolment above was made at JAN or changed at FEB.
    since = FEB.isoformat()
    for limit in (1, 3):
        rows = pull_all(client, "enrollments", agencies.token, limit=limit, updated_since=since)
        assert [row["id"] for row in rows] == completed, limit
    # A unit filter narrows the same way; another instansi's unit gives nothing.
    dinkes_rows = pull_all(client, "enrollments", agencies.token, limit=2, unit="palu-dinkes")
    assert {row["unit"] for row in dinkes_rows} == {"Pemerintah Kota Palu › Dinas Kesehatan"}
    assert len(dinkes_rows) == 6
    assert pull_all(client, "enrollments", agencies.token, unit="mamuju") == []


MAR = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def _pages(client: FlaskClient, token: str, limit: int, **params: str) -> list[object]:
    """Each page's ids and next cursor, following the cursors to the end."""
    found: list[object] = []
    cursor = ""
    while True:
        extra = {"cursor": cursor} if cursor else {}
        body = api_get(client, "enrollments", token, limit=limit, **params, **extra).get_json()
        found.append(([row["id"] for row in body["data"]], body["next_cursor"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return found


def _expected_pages(ids: list[int], limit: int) -> list[object]:
    """The pages ``ids`` make: ``limit`` at a time, a cursor after each page but the last."""
    chunks = [ids[start : start + limit] for start in range(0, len(ids), limit)] or [[]]
    return [
        (chunk, encode_cursor(chunk[-1]) if number < len(chunks) - 1 else None)
        for number, chunk in enumerate(chunks)
    ]


def test_every_filter_pages_a_scope_as_its_rows_say(
    app: Flask,
    client: FlaskClient,
    tmp_path: Path,
    agencies: Agencies,
    version: CourseVersion,
) -> None:
    """An evaluator's pages hold exactly the scope's matching rows in id order, each page
    ``limit`` of them with a cursor after it, for every filter and their combinations.

    On PostgreSQL the status, date and ``updated_since`` filters are read per unit from
    (unit_id, id, dates) and merged, the course filters walk the ids; SQLite walks the
    ids for all. Both must give the rows the filters describe.
    """
    dinkes = make_unit("Dinas Kesehatan", parent=agencies.palu, code="palu-dinkes")
    bappeda = make_unit("Bappeda", parent=agencies.palu, code="palu-bappeda")
    second = _second_course(tmp_path)
    palu, mamuju = agencies.palu, agencies.mamuju
    units = [palu, mamuju, dinkes, dinkes, bappeda, mamuju, mamuju, dinkes, palu, bappeda]
    # (enrolled, completed) per learner and course, cycling: every month filter below has
    # rows matching by enrolment alone, by completion alone, and both.
    times = [(JAN, None), (JAN, FEB), (FEB, None), (FEB, MAR), (MAR, None), (JAN, MAR)]
    made = []  # (id, unit, course slug, enrolled, completed)
    for number, unit in enumerate(units):
        learner = make_user(unit=unit, name=f"Peserta {number}")
        for offset, course in enumerate((version, second)):
            enrolled, completed = times[(number + offset) % len(times)]
            row = enrol(learner, course, at=enrolled, completed_at=completed)
            made.append((row.id, unit.code, course.course.slug, enrolled, completed))
    palu_units = {"palu", "palu-dinkes", "palu-bappeda"}

    def in_feb(at: datetime | None) -> bool:
        return at is not None and at.month == 2

    checks: dict[str, tuple[dict[str, str], object]] = {
        "all": ({}, lambda r: True),
        "completed": ({"status": "completed"}, lambda r: r[4] is not None),
        "in progress": ({"status": "in_progress"}, lambda r: r[4] is None),
        "february": (
            {"since": "2026-02-01", "until": "2026-02-28"},
            lambda r: in_feb(r[3]) or in_feb(r[4]),
        ),
        "since march": (
            {"since": "2026-03-01"},
            lambda r: r[3] >= MAR or (r[4] is not None and r[4] >= MAR),
        ),
        "until january": ({"until": "2026-01-31"}, lambda r: r[3] == JAN),
        "completed in february": (
            {"status": "completed", "since": "2026-02-01", "until": "2026-02-28"},
            lambda r: r[4] is not None and (in_feb(r[3]) or in_feb(r[4])),
        ),
        "changed since february": (
            {"updated_since": FEB.isoformat()},
            lambda r: (r[4] or r[3]) >= FEB,
        ),
        "in progress, changed since february": (
            {"status": "in_progress", "updated_since": FEB.isoformat()},
            lambda r: r[4] is None and r[3] >= FEB,
        ),
        "dinkes in february": (
            {"unit": "palu-dinkes", "since": "2026-02-01", "until": "2026-02-28"},
            lambda r: r[1] == "palu-dinkes" and (in_feb(r[3]) or in_feb(r[4])),
        ),
        "course, completed": (
            {"course": "etika", "status": "completed"},
            lambda r: r[2] == "etika" and r[4] is not None,
        ),
        "category in february": (
            {"category": "manajemen-proyek", "since": "2026-02-01", "until": "2026-02-28"},
            lambda r: r[2] == "dasar-proyek" and (in_feb(r[3]) or in_feb(r[4])),
        ),
        "mamuju in february": (
            {"unit": "mamuju", "since": "2026-02-01", "until": "2026-02-28"},
            lambda r: False,
        ),
    }
    for label, (params, matches) in checks.items():
        ids = [r[0] for r in made if r[1] in palu_units and matches(r)]  # type: ignore[operator]
        assert ids or label == "mamuju in february", label
        for limit in (1, 2, 3, 100):
            got = _pages(client, agencies.token, limit, **params)
            assert got == _expected_pages(ids, limit), (label, limit)


def test_an_evaluators_month_reads_each_unit_from_the_index(
    app: Flask,
    client: FlaskClient,
    database_url: str,
    agencies: Agencies,
    version: CourseVersion,
) -> None:
    """On PostgreSQL a scoped page filtered by status or dates takes each unit's next ids
    (unit_next) instead of walking every enrolment id after the cursor (some 35,000 for
    an instansi's month at 10M enrolments, more where ids cluster by instansi)."""
    enrol(make_user(unit=agencies.palu, name="A"), version, at=FEB, completed_at=FEB)
    with executed() as seen:
        for params in (
            {"since": "2026-02-01", "until": "2026-02-28"},
            {"status": "completed"},
            {"status": "in_progress", "updated_since": FEB.isoformat()},
        ):
            assert api_get(client, "enrollments", agencies.token, **params).status_code == 200
    pages = [s for s in seen.statements if "FROM enrollment" in s and "certificate" in s]
    assert len(pages) == 3
    per_unit = [s for s in pages if "unit_next" in s]
    assert len(per_unit) == (3 if database_url.startswith("postgresql") else 0)


def test_an_evaluators_page_reads_its_token_and_owner_once(
    app: Flask, client: FlaskClient, agencies: Agencies, version: CourseVersion
) -> None:
    """Nine statements: the token, its owner, their roles, their scopes and the unit tree
    below them, their unit (for the time zone), the unit names, the page and the audit
    entry. The token check committed even with nothing to keep (last_used_at is written
    once a minute), which expired the token and its owner: the pull read the token, the
    owner and the roles a second time (12 statements). The page goes through a cursor:
    PostgreSQL plans a plain query of an admin's day as a parallel walk (two workers
    started for 101 rows, twice the time a page under load)."""
    enrol(make_user(unit=agencies.palu, name="A"), version, at=JAN)
    assert api_get(client, "enrollments", agencies.token).status_code == 200  # last_used_at
    with executed() as seen:
        response = api_get(client, "enrollments", agencies.token)
    assert [row["name"] for row in response.get_json()["data"]] == ["A"]
    assert len(seen.statements) == 9, seen.statements
    assert len([s for s in seen.statements if "FROM api_token" in s]) == 1
    assert [s for s in seen.statements if "FROM enrollment" in s] == seen.streamed
