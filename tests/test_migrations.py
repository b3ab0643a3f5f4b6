"""The migrations build exactly the schema the models describe, on both databases."""

from datetime import UTC, date, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import Connection, MetaData, Table, inspect, select, text

from elearn.certificates import status_list
from elearn.extensions import db


def test_migrations_match_models_and_downgrade_cleanly(app: Flask):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    downgrade(revision="base")
    with db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    assert set(tables) <= {"alembic_version"}


def _insert(connection: Connection, name: str, **values: object) -> int:
    """Insert a row into the table as it is at this revision, filling required columns."""
    table = Table(name, MetaData(), autoload_with=connection)
    row: dict[str, object] = {}
    for column in table.columns:
        if column.name in values or column.primary_key:
            continue
        if column.nullable or column.server_default is not None:
            continue
        try:
            python_type = column.type.python_type
        except NotImplementedError:  # JSON and friends
            python_type = dict
        text = column.name[: getattr(column.type, "length", None) or 100]
        row[column.name] = {
            int: 1,
            bool: True,
            str: text,
            datetime: datetime(2026, 3, 2, tzinfo=UTC),
            date: date(2026, 3, 2),
            dict: {},
            list: [],
        }.get(python_type, text)
    result = connection.execute(table.insert().values(**row, **values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def test_0029i_keeps_the_planned_courses_title(app: Flask):
    """Course activities get the published title (else their own name); a deleted course
    then leaves the activity with it instead of failing the check."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(revision="0028")
    with db.engine.begin() as connection:
        unit = _insert(connection, "unit", code="palu", kind="instansi")
        user = _insert(
            connection, "user_account", unit_id=unit, nip="198609262015051001", employee_type="pns"
        )
        course = _insert(connection, "course", slug="dasar-proyek", unit_id=unit)
        _insert(connection, "course_version", course_id=course, number=1, status="published",
                title="Dasar Manajemen Proyek", competency="teknis")  # fmt: skip
        gone = _insert(connection, "course", slug="lama", unit_id=unit)
        plan = _insert(connection, "development_plan", user_id=user, year=2026, status="draft")
        for course_id, title in ((course, "Belajar proyek"), (gone, "Kursus lama")):
            _insert(connection, "plan_activity", plan_id=plan, kind="course", course_id=course_id,
                    title=title, route="e_learning", due_on=date(2026, 12, 31))  # fmt: skip
        _insert(connection, "plan_activity", plan_id=plan, kind="external", title="Diklat PBJ",
                route="kursus", due_on=date(2026, 12, 31))  # fmt: skip
    upgrade(revision="0029i")
    with db.engine.begin() as connection:
        titles = connection.exec_driver_sql(
            "SELECT title, course_title FROM plan_activity ORDER BY id"
        ).all()
        assert [tuple(t) for t in titles] == [
            ("Belajar proyek", "Dasar Manajemen Proyek"),
            ("Kursus lama", "Kursus lama"),  # no published version: its own name
            ("Diklat PBJ", ""),
        ]
        connection.exec_driver_sql(f"DELETE FROM course WHERE id = {gone}")  # noqa: S608
        left = connection.exec_driver_sql(
            "SELECT kind, course_id, course_title FROM plan_activity WHERE title = 'Kursus lama'"
        ).one()
        assert tuple(left) == ("course", None, "Kursus lama")
    downgrade(revision="0028")
    with db.engine.connect() as connection:
        kinds = connection.exec_driver_sql("SELECT kind FROM plan_activity ORDER BY id").all()
    assert [k for (k,) in kinds] == ["course", "external", "external"]


def test_0029p_gives_each_program_certificate_a_bit_and_downgrades(app: Flask, tmp_path: Path):
    """Program certificates issued before 0029p get one random bit each, set for a revoked
    one, so the first status list served after the upgrade already says which is revoked."""
    from elearn.models import ProgramCertificate, StatusListEntry
    from tests.learning.helpers import sign_in
    from tests.programs.helpers import finish, join, program_certificate

    first, kept = program_certificate(app, tmp_path)
    second = sign_in(app, name="Peserta Dua")
    join(second)
    finish(second, "kursus-a")
    finish(second, "kursus-b")
    revoked_id = db.session.scalars(
        select(ProgramCertificate.id).where(ProgramCertificate.user_id == second.user.id)
    ).one()
    kept_id = kept.id
    db.session.commit()
    db.session.close()
    stamp(revision="head")
    downgrade(revision="0028")
    with db.engine.begin() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("status_list_entry")}
        assert "program_certificate_id" not in columns
        connection.execute(
            text("UPDATE program_certificate SET revoked_at = :now WHERE id = :id"),
            {"now": datetime(2026, 12, 1, tzinfo=UTC), "id": revoked_id},
        )
    upgrade(revision="0029p")

    entries = db.session.scalars(
        select(StatusListEntry).where(StatusListEntry.program_certificate_id.is_not(None))
    ).all()
    by_owner = {e.program_certificate_id: e for e in entries}
    assert set(by_owner) == {kept_id, revoked_id}
    assert by_owner[revoked_id].revoked is True and by_owner[kept_id].revoked is False
    assert by_owner[kept_id].status_index != by_owner[revoked_id].status_index
    listed = app.test_client().get("/certificates/status/1.jsonld").get_json()
    bits = status_list.decode_bits(listed["credentialSubject"]["encodedList"])
    assert status_list.bit_is_set(bits, by_owner[revoked_id].status_index)
    assert not status_list.bit_is_set(bits, by_owner[kept_id].status_index)
    db.session.commit()
    with db.engine.begin() as connection:  # not in the models: the app fixture keeps it
        connection.exec_driver_sql("DROP TABLE alembic_version")


def test_0030s_counts_score_spans_by_perangkat_daerah_and_downgrades(app: Flask, tmp_path: Path):
    """0030s adds the perangkat daerah rows the events would have written, beside the
    instansi rows; its downgrade keeps the instansi rows alone, as 0014 had them."""
    from tests.factories import make_unit
    from tests.learning.helpers import QUIZ_URL, answer_form, publish_course, sign_in

    version = publish_course(tmp_path)
    palu = make_unit(code="palu")
    bkpsdm = make_unit(code="palu-bkpsdm", parent=palu)
    umum = make_unit(code="palu-bkpsdm-umum", parent=bkpsdm)
    for number, unit in enumerate((palu, bkpsdm, umum, umum)):
        learner = sign_in(app, unit=unit, name=f"Peserta {number}")
        learner.enroll()
        learner.post(f"{QUIZ_URL}/attempts")
        form = answer_form(version, "kuis-siklus", correct=number % 2 == 0)
        learner.post(f"{QUIZ_URL}/attempts/1", {**form, "action": "submit"})
    palu_id, bkpsdm_id = palu.id, bkpsdm.id
    db.session.commit()
    db.session.close()

    def rows(node: str) -> set[tuple[object, ...]]:
        with db.engine.connect() as connection:
            found = connection.exec_driver_sql(
                f"SELECT {node}, version_id, quiz, question_key, enrolled_month, "  # noqa: S608
                "completed_month, score, answered, correct FROM score_span_count"
            ).all()
        return {tuple(row) for row in found}

    kept = rows("node_id")
    assert {row[0] for row in kept} == {palu_id, bkpsdm_id}
    stamp(revision="head")
    downgrade(revision="0029p")
    assert rows("instansi_id") == {row for row in kept if row[0] == palu_id}
    upgrade(revision="0030s")
    assert rows("node_id") == kept
    with db.engine.begin() as connection:  # not in the models: the app fixture keeps it
        connection.exec_driver_sql("DROP TABLE alembic_version")
