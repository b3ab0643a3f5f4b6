"""The users CSV import sets jabatan and atasan langsung (atasan_nip), checked like any column."""

from __future__ import annotations

from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import User
from tests.factories import make_unit, make_user


def _user(nip: str) -> User:
    user = db.session.scalar(select(User).where(User.nip == nip))
    assert user is not None
    return user


def test_import_links_supervisors_in_the_file_and_already_registered(runner, app, tmp_path):
    make_unit(code="palu")
    make_user(nip="197605112000031008", name="Kepala Dinas")
    path = tmp_path / "pegawai.csv"
    path.write_text(
        "nip,nama,kode_unit,jabatan,atasan_nip\n"
        "198609262015051001,Andi Pratama,palu,Pranata Komputer Ahli Pertama,19781015 200312 1 009\n"
        "197810152003121009,Budi Santoso,palu,Kepala Bidang Aptika,197605112000031008\n"
        "199203142019032002,Nur Aisyah,palu,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    andi, budi = _user("198609262015051001"), _user("197810152003121009")
    assert andi.position == "Pranata Komputer Ahli Pertama"
    assert andi.supervisor is budi
    assert budi.supervisor is not None and budi.supervisor.full_name == "Kepala Dinas"
    assert _user("199203142019032002").supervisor is None


def test_import_reports_unknown_or_self_supervisors_and_creates_nobody(runner, app, tmp_path):
    make_unit(code="palu")
    path = tmp_path / "pegawai.csv"
    path.write_text(
        "nip,nama,kode_unit,atasan_nip\n"
        "198609262015051001,Andi Pratama,palu,199901012020011001\n"
        "197810152003121009,Budi Santoso,palu,197810152003121009\n"
        "199203142019032002,Nur Aisyah,palu,198609262015051001\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:2: NIP atasan 199901012020011001 tidak terdaftar",
        f"{path}:3: atasan tidak boleh pegawai itu sendiri",
    ]
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
