"""The dashboard's rollups agree with a naive count of the rows, and its cost is fixed."""

import importlib.util
import random
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import event, select, text

from elearn.accounts.services import UserData, update_user
from elearn.accounts.units import UnitData, save_unit
from elearn.certificates.issuance import revoke
from elearn.extensions import db
from elearn.models import Certificate, Role, Unit, User
from elearn.privacy.subject import anonymise
from elearn.reports import dashboard, range_counts
from elearn.reports.dashboard import build_dashboard
from elearn.reports.filters import ReportFilter, whole_months
from elearn.reports.span_rollups import recount_nodes
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions, run_in_parallel
from tests.content.course_fixtures import MODULE_MD
from tests.factories import make_unit, make_user
from tests.learning.helpers import Learner, answer_form, publish_course, sign_in
from tests.reports.reference import figures, reference

QUIZ = "/learn/dasar-proyek/kuis-siklus"
FILTERS = [
    ReportFilter(),
    ReportFilter(unit_code="palu"),
    ReportFilter(unit_code="palu-bkpsdm"),
    ReportFilter(course="dasar-proyek"),
    ReportFilter(course="etika"),
    ReportFilter(status="completed"),
    ReportFilter(status="in_progress"),
    ReportFilter(competency="teknis"),
    ReportFilter(since=date(2026, 2, 1)),
    ReportFilter(since=date(2026, 1, 15), until=date(2026, 3, 31), unit_code="mamuju"),
    # Month filters: whole instansi read the span score rollups, a narrower unit its attempts.
    ReportFilter(since=date(2026, 3, 1), until=date(2026, 3, 31)),
    ReportFilter(until=date(2026, 2, 10), status="completed"),
    ReportFilter(since=date(2026, 2, 20), until=date(2026, 4, 2), unit_code="palu"),
    ReportFilter(since=date(2026, 2, 1), until=date(2026, 3, 31), unit_code="palu-bkpsdm"),
    ReportFilter(since=date(2026, 3, 1), course="dasar-proyek", status="in_progress"),
    # A perangkat daerah reads its own span score rows; a unit kerja counts its attempts.
    ReportFilter(since=date(2026, 3, 1), unit_code="palu-dinkes", status="completed"),
    ReportFilter(since=date(2026, 2, 1), until=date(2026, 3, 31), unit_code="palu-bkpsdm-umum"),
]


def _learners(app: Flask, tmp_path: Path, clock, count: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Random learners: some take the quiz with mixed answers, some finish a course."""
    rng = random.Random(seed)
    units = [make_unit(code="palu"), make_unit(code="mamuju")]
    units.append(make_unit(code="palu-bkpsdm", parent=units[0]))
    units.append(make_unit(code="palu-dinkes", parent=units[0]))
    units.append(make_unit(code="palu-bkpsdm-umum", parent=units[2]))  # a unit kerja
    version = publish_course(tmp_path)
    for index in range(count):
        clock.advance(hours=rng.randint(1, 400))
        learner = sign_in(app, unit=rng.choice(units), name=f"Peserta {index}")
        if rng.random() < 0.7:
            learner.enroll()
            for number in range(1, rng.randint(1, 2) + 1):
                learner.post(f"{QUIZ}/attempts")
                right = answer_form(version, "kuis-siklus", correct=True)
                wrong = answer_form(version, "kuis-siklus", correct=False)
                form = {k: right[k] if rng.random() < 0.6 else wrong[k] for k in right}
                learner.post(f"{QUIZ}/attempts/{number}", {**form, "action": "submit"})
            if rng.random() < 0.5:  # completes the course if the quiz was passed
                clock.advance(hours=rng.randint(1, 900))
                learner.post("/learn/dasar-proyek/siklus/complete")
        if rng.random() < 0.5:
            complete_course(app, tmp_path, learner=learner, slug="etika")


def _assert_matches_reference(admin_units: set[int] | None = None) -> None:
    db.session.expire_all()
    for zone in (ZoneInfo("Asia/Makassar"), ZoneInfo("America/Sao_Paulo")):
        for report_filter in FILTERS:
            today = date(2026, 4, 20)
            got = figures(build_dashboard(report_filter, admin_units, zone, today))
            # The dashboard's date filter is whole UTC months.
            months = whole_months(report_filter)
            want = reference(months, admin_units, zone, today, date_zone=ZoneInfo("UTC"))
            assert got == want, (report_filter, zone, admin_units)


def _unit(code: str) -> Unit:
    return db.session.scalars(select(Unit).where(Unit.code == code)).one()


def _assert_evaluators_match_reference() -> None:
    """Evaluators scoped to whole perangkat daerah (span score rows), to a unit kerja and
    to a perangkat daerah without its unit kerja (their attempts counted in SQL)."""
    bkpsdm, umum, dinkes = (_unit(c) for c in ("palu-bkpsdm", "palu-bkpsdm-umum", "palu-dinkes"))
    mamuju = _unit("mamuju")
    for scope in (
        {dinkes.id},
        {bkpsdm.id, umum.id, dinkes.id},
        {bkpsdm.id, umum.id, mamuju.id},
        {umum.id},
        {bkpsdm.id},
    ):
        _assert_matches_reference(scope)


def _move_to_the_new_version(app: Flask, tmp_path: Path, every: int) -> None:
    """Publish a version that changes the module only; every ``every``-th learner with an
    unfinished enrolment moves to it, with their attempts."""
    publish_course(tmp_path / "v2", **{"01-siklus.md": MODULE_MD + "\nMateri baru.\n"})
    learners = db.session.scalars(
        select(User).where(User.full_name.like("Peserta %")).order_by(User.id)
    ).all()
    for learner in learners[::every]:
        client = app.test_client()
        AuthActions(client).login(learner.nip)
        Learner(learner, client).post("/learn/dasar-proyek/move")  # 400 when nothing to move


@pytest.mark.parametrize("seed", [1, 2])
def test_dashboard_matches_a_naive_count(app: Flask, tmp_path: Path, clock, seed: int):
    _learners(app, tmp_path, clock, 24, seed)
    _assert_matches_reference()
    _assert_evaluators_match_reference()
    admin = make_user(Role.ADMIN, name="Admin")
    certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert certificates
    revoke(certificates[0], admin, "salah peserta")
    departed = db.session.scalars(select(User).where(User.full_name == "Peserta 3")).one()
    anonymise(departed)
    db.session.commit()
    _assert_matches_reference()
    palu = db.session.scalars(select(User).where(User.full_name == "Peserta 5")).one()
    _assert_matches_reference({palu.unit_id})
    # A learner moving to another instansi takes enrolments and attempts along.
    mover = db.session.scalars(select(User).where(User.full_name == "Peserta 7")).one()
    target = db.session.scalars(select(Unit).where(Unit.code != "palu-bkpsdm")).all()
    new_unit = next(u for u in target if u.id != mover.unit_id)
    update_user(mover, UserData(nip=mover.nip, full_name=mover.full_name, unit_id=new_unit.id))
    db.session.commit()
    _assert_matches_reference()
    # Learners moving between perangkat daerah of one instansi, and into a unit kerja.
    for name, code in (("Peserta 8", "palu-dinkes"), ("Peserta 9", "palu-bkpsdm-umum")):
        mover = db.session.scalars(select(User).where(User.full_name == name)).one()
        update_user(
            mover, UserData(nip=mover.nip, full_name=mover.full_name, unit_id=_unit(code).id)
        )
    db.session.commit()
    # Unfinished enrolments moving to a new version take their attempts along.
    _move_to_the_new_version(app, tmp_path, 3)
    db.session.commit()
    _assert_evaluators_match_reference()
    # A unit kerja moving to another perangkat daerah of the same instansi.
    umum, dinkes = _unit("palu-bkpsdm-umum"), _unit("palu-dinkes")
    save_unit(UnitData(code=umum.code, name=umum.name, kind=umum.kind, parent_id=dinkes.id), umum)
    db.session.commit()
    _assert_evaluators_match_reference()
    # A unit moving under another instansi: its learners' attempts change instansi.
    bkpsdm = db.session.scalars(select(Unit).where(Unit.code == "palu-bkpsdm")).one()
    mamuju = db.session.scalars(select(Unit).where(Unit.code == "mamuju")).one()
    save_unit(
        UnitData(code=bkpsdm.code, name=bkpsdm.name, kind=bkpsdm.kind, parent_id=mamuju.id), bkpsdm
    )
    db.session.commit()
    _assert_matches_reference()
    _assert_evaluators_match_reference()
    # A perangkat daerah becoming a unit kerja of another: its rows join that one's.
    dinkes, bkpsdm = _unit("palu-dinkes"), _unit("palu-bkpsdm")
    save_unit(
        UnitData(code=dinkes.code, name=dinkes.name, kind=dinkes.kind, parent_id=bkpsdm.id), dinkes
    )
    db.session.commit()
    _assert_matches_reference()
    _assert_evaluators_match_reference()


def test_whole_perangkat_daerah_read_the_span_rollup(
    app: Flask, tmp_path: Path, clock, monkeypatch
):
    """Only a scope below whole perangkat daerah counts attempts in SQL."""
    _learners(app, tmp_path, clock, 6, 4)
    counted: list[object] = []
    real = dashboard.count_in_sql

    def count_in_sql(enrolments):  # type: ignore[no-untyped-def]
        counted.append(enrolments)
        return real(enrolments)

    monkeypatch.setattr(dashboard, "count_in_sql", count_in_sql)
    bkpsdm, umum = _unit("palu-bkpsdm"), _unit("palu-bkpsdm-umum")
    zone, today, month = ZoneInfo("Asia/Makassar"), date(2026, 4, 20), date(2026, 3, 1)
    for code in ("palu", "palu-bkpsdm", "palu-dinkes"):
        build_dashboard(ReportFilter(since=month, unit_code=code), None, zone, today)
    build_dashboard(ReportFilter(since=month), {bkpsdm.id, umum.id}, zone, today)
    assert counted == []
    build_dashboard(ReportFilter(since=month, unit_code="palu-bkpsdm-umum"), None, zone, today)
    build_dashboard(ReportFilter(since=month), {bkpsdm.id}, zone, today)
    assert len(counted) == 2


def test_parallel_completions_are_all_counted(app: Flask, tmp_path: Path, clock):
    palu = make_unit(code="palu")
    complete_course(app, tmp_path, unit=palu, slug="etika")
    learners = [sign_in(app, unit=palu, name=f"Serentak {i}") for i in range(6)]
    for learner in learners:
        learner.enroll("etika")
    waiting = list(learners)

    errors = run_in_parallel(app, 6, lambda: waiting.pop().post("/learn/etika/siklus/complete"))
    assert errors == []
    _assert_matches_reference()
    rates = build_dashboard(ReportFilter(), None, ZoneInfo("Asia/Makassar"), date(2026, 4, 20))
    assert [(r.enrolled, r.completed) for r in rates.by_course] == [(7, 7)]


def test_attempts_move_to_completed_when_their_enrolment_completes(
    app: Flask, tmp_path: Path, clock
):
    version = publish_course(tmp_path, **{"03-kuis-akhir.gift": ""})  # a module, then the quiz
    right = answer_form(version, "kuis-siklus", correct=True)
    wrong = answer_form(version, "kuis-siklus", correct=False)
    palu = make_unit(code="palu")
    on_quiz, on_module, waiting = (sign_in(app, unit=palu, name=f"Peserta {i}") for i in range(3))
    for learner in (on_quiz, on_module, waiting):
        learner.enroll()
        learner.post(f"{QUIZ}/attempts")
        learner.post(f"{QUIZ}/attempts/1", {**wrong, "action": "submit"})
    on_quiz.post("/learn/dasar-proyek/siklus/complete")  # completes on the second attempt
    on_quiz.post(f"{QUIZ}/attempts")
    on_quiz.post(f"{QUIZ}/attempts/2", {**right, "action": "submit"})
    on_module.post(f"{QUIZ}/attempts")  # passes first, completes with the module
    on_module.post(f"{QUIZ}/attempts/2", {**right, "action": "submit"})
    on_module.post("/learn/dasar-proyek/siklus/complete")

    zone, today = ZoneInfo("Asia/Makassar"), date(2026, 4, 20)
    done = build_dashboard(ReportFilter(status="completed"), None, zone, today)
    open_ = build_dashboard(ReportFilter(status="in_progress"), None, zone, today)
    assert (sum(done.score_bands), sum(open_.score_bands)) == (4, 1)
    assert done.score_bands[9] == 2 and open_.score_bands[9] == 0
    _assert_matches_reference()


def _statements(app: Flask, report_filter: ReportFilter) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        build_dashboard(report_filter, None, ZoneInfo("Asia/Makassar"), date(2026, 4, 20))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_dashboard_statement_count_does_not_grow_with_data(app: Flask, tmp_path: Path, clock):
    _learners(app, tmp_path, clock, 4, 7)
    _statements(app, ReportFilter())  # warm-up: first use loads the mappers' lazy state
    small = [_statements(app, f) for f in FILTERS]
    more = [sign_in(app, unit=make_unit(code=f"u{i}"), name=f"Baru {i}") for i in range(3)]
    for learner in more:
        learner.enroll()
    for learner in more:
        complete_course(app, tmp_path, learner=learner, slug="etika")
    large = [_statements(app, f) for f in FILTERS]
    assert small == large
    assert max(large) <= 16


def test_month_edges_are_built_once_per_filter_shape(
    app: Flask, tmp_path: Path, clock, monkeypatch
):
    """A guard: filters of one shape (here a unit and a month, in two zones) share the month
    edges' statement, and each request's values are bound to it."""
    _learners(app, tmp_path, clock, 8, 5)
    built: list[object] = []
    real = range_counts._statement

    def statement(*args):  # type: ignore[no-untyped-def]
        built.append(args)
        return real(*args)

    monkeypatch.setattr(range_counts, "_BUILT", {})
    monkeypatch.setattr(range_counts, "_statement", statement)
    today = date(2026, 4, 20)
    for zone in (ZoneInfo("Asia/Makassar"), ZoneInfo("America/Sao_Paulo")):
        for code, month in (("palu", 3), ("mamuju", 2), ("palu-bkpsdm", 4)):
            report_filter = ReportFilter(since=date(2026, month, 1), unit_code=code)
            got = figures(build_dashboard(report_filter, None, zone, today))
            want = reference(report_filter, None, zone, today, date_zone=ZoneInfo("UTC"))
            assert got == want, (code, zone)
    assert len(built) == 1


def _span_rows() -> dict[str, set[tuple[object, ...]]]:
    found = {}
    for table, counts in (
        ("enrollment_span_count", "enrollments"),
        ("score_span_count", "answered, correct"),
    ):
        rows = db.session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
        nonzero = [r for r in rows if any(r._mapping[c.strip()] for c in counts.split(","))]
        found[table] = {tuple(r) for r in nonzero}
    return found


def _migration(name: str):  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[2] / "migrations/versions" / name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def test_migration_backfill_counts_what_the_events_counted(app: Flask, tmp_path: Path, clock):
    _learners(app, tmp_path, clock, 16, 3)
    kept = _span_rows()
    assert kept["score_span_count"] and kept["enrollment_span_count"]
    nodes = {row[0] for row in kept["score_span_count"]}
    assert _unit("palu-bkpsdm").id in nodes and _unit("palu-bkpsdm-umum").id not in nodes
    dialect = db.session.get_bind().dialect.name
    db.session.execute(text("DELETE FROM enrollment_span_count"))
    for statement in _migration("0014_span_rollups.py").backfill(dialect, scores=False):
        db.session.execute(text(statement))
    # 0030s counts the perangkat daerah rows beside the instansi rows 0014 counted.
    below = "SELECT id FROM unit WHERE parent_id IS NOT NULL"
    db.session.execute(text(f"DELETE FROM score_span_count WHERE node_id IN ({below})"))  # noqa: S608
    for statement in _migration("0030s_span_nodes.py").backfill(dialect):
        db.session.execute(text(statement))
    assert _span_rows() == kept
    # The recount of nodes (a unit moved) gives the same rows too, for one node or all.
    recount_nodes({_unit("palu").id})
    assert _span_rows() == kept
    db.session.execute(text("DELETE FROM score_span_count"))
    recount_nodes(nodes)
    assert _span_rows() == kept
