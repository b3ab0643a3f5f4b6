"""The migrations build exactly the schema the models describe, on both databases."""

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import inspect, select, text

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
