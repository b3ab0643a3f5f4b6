"""A CSV list of NIPs is checked row by row; one bad row assigns nobody, with line numbers."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from elearn.accounts.services import set_active
from elearn.extensions import db
from elearn.models import Assignment
from tests.assignments.helpers import (
    assigned_ids,
    coordinator_of,
    enrolled_ids,
    make_tree,
    palu_course,
)
from tests.conftest import FrozenClock
from tests.factories import make_user


def _upload(text: str) -> tuple[io.BytesIO, str]:
    return (io.BytesIO(text.encode()), "nip.csv")


def test_a_bad_row_assigns_nobody_and_names_each_line_then_the_fixed_file_assigns(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    good = [make_user(unit=tree.kominfo), make_user(unit=tree.aplikasi)]
    stranger = make_user(unit=tree.mamuju)  # outside the coordinator's units
    gone = make_user(unit=tree.kominfo)
    set_active(gone, False)
    db.session.commit()
    grouped = f"{good[0].nip[:8]} {good[0].nip[8:14]} {good[0].nip[14]} {good[0].nip[15:]}"
    text = "\n".join(
        [
            "nip;nama",
            f"{grouped};Satu",  # line 2: spaces allowed
            "12345;Pendek",  # line 3
            f"{stranger.nip};Luar",  # line 4
            f"{good[0].nip};Lagi",  # line 5: the same NIP as line 2
            f"{gone.nip};Nonaktif",  # line 6
            ";",  # line 7: empty, skipped
            f"{good[1].nip};Dua",  # line 8
        ]
    )

    response = coordinator.assign(course, target="learner", file=_upload(text))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tidak ada yang ditugaskan" in page
    assert "baris 3: NIP harus 18 angka" in page
    assert "baris 4: NIP tidak ditemukan di unit kerja yang Anda kelola" in page
    assert "baris 5: NIP sama dengan baris 2" in page
    assert "baris 6: akun dengan NIP ini nonaktif" in page
    assert "baris 2:" not in page and "baris 7:" not in page and "baris 8:" not in page
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    assert assigned_ids() == set() and enrolled_ids(course) == set()

    fixed = "\n".join(["nip;nama", f"{grouped};Satu", f"{good[1].nip};Dua"])
    response = coordinator.assign(course, target="learner", file=_upload(fixed))

    assert response.status_code == 302
    assert assigned_ids() == enrolled_ids(course) == {u.id for u in good}


def test_a_nip_list_needs_its_column_and_some_rows(app: Flask, tmp_path: Path, clock: FrozenClock):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)

    wrong = coordinator.assign(course, target="learner", file=_upload("nomor\n123\n"))
    empty = coordinator.assign(course, target="learner", file=_upload("nip\n"))

    assert "baris 1: kolom wajib tidak ada: nip" in wrong.get_data(as_text=True)
    assert "baris 2: berkas tidak berisi baris data" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
