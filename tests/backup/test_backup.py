"""``flask backup create`` then ``restore`` loses nothing, on SQLite and PostgreSQL."""

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Unit, User
from tests.certificates.helpers import complete_course


def snapshot_of_tables() -> dict[str, int]:
    from elearn.models import Base

    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def test_round_trip_loses_nothing(app: Flask, runner, tmp_path: Path, clock):
    learner, certificate = complete_course(app, tmp_path)
    code = certificate.code
    before = snapshot_of_tables()
    names = sorted(db.session.scalars(select(User.full_name)))
    target = tmp_path / "backup.bin"
    db.session.commit()
    # The keys are covered in test_keys.py; this is about the rows.
    result = runner.invoke(args=["backup", "create", "--output", str(target), "--without-keys"])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    # Damage the live data, then restore.
    db.session.query(User).update({User.full_name: "rusak"})
    db.session.add(Unit(code="baru", name="Unit baru", kind="instansi"))
    db.session.commit()
    db.session.remove()
    result = runner.invoke(args=["backup", "restore", str(target), "--yes", "--without-keys"])
    assert result.exit_code == 0, result.output

    assert snapshot_of_tables() == before
    assert sorted(db.session.scalars(select(User.full_name))) == names
    page = app.test_client().get(f"/certificates/{code}").get_data(as_text=True)
    assert "SAH" in page


def test_restore_refuses_a_missing_or_bad_file(app: Flask, runner, tmp_path: Path):
    missing = runner.invoke(args=["backup", "restore", str(tmp_path / "tidak-ada"), "--yes"])
    assert missing.exit_code == 1 and "no such backup file" in missing.output
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"bukan cadangan")
    result = runner.invoke(args=["backup", "restore", str(bad), "--yes"])
    assert result.exit_code == 1
