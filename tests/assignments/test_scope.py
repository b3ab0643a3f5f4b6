"""Coordinators assign only their courses, to their units and learners; others see nothing."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Assignee, Assignment
from tests.assignments.helpers import assigned_ids, coordinator_of, make_tree, palu_course
from tests.conftest import AuthActions, FrozenClock
from tests.factories import make_user
from tests.learning.test_statement_budget import _queries, counted


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment)) or 0


def test_a_coordinator_cannot_assign_outside_their_units(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree, owner=tree.kominfo)
    mamuju_course = palu_course(tmp_path, tree, slug="kursus-mamuju", owner=tree.mamuju)
    coordinator = coordinator_of(app, tree.kominfo)
    make_user(unit=tree.bkpsdm)
    make_user(unit=tree.mamuju)

    # A sibling unit, the parent instansi and another instansi are all out of scope.
    for unit in (tree.bkpsdm, tree.palu, tree.mamuju):
        assert coordinator.assign(course, unit_id=str(unit.id)).status_code == 403
        position = coordinator.assign(
            course, target="position", unit_id=str(unit.id), position="Analis"
        )
        assert position.status_code == 403
    # A course of another instansi, even to the coordinator's own unit.
    foreign = coordinator.assign(mamuju_course, unit_id=str(tree.kominfo.id))
    assert foreign.status_code == 403
    assert _count() == 0 and assigned_ids() == set()
    # The form offers only what may be assigned.
    page = coordinator.client.get("/coordinator/assignments/new").get_data(True)
    assert "Bidang Aplikasi Informatika" in page and "BKPSDM" not in page
    assert "Mamuju" not in page


def test_a_nip_outside_the_scope_is_a_row_error_not_a_leak(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree, owner=tree.kominfo)
    coordinator = coordinator_of(app, tree.kominfo)
    sibling = make_user(unit=tree.bkpsdm)
    text = f"nip\n{sibling.nip}\n198001012006041999\n"

    response = coordinator.assign(
        course, target="learner", file=(io.BytesIO(text.encode()), "n.csv")
    )

    page = response.get_data(as_text=True)
    # An existing NIP elsewhere and an unknown NIP read the same.
    assert "baris 2: NIP tidak ditemukan di unit kerja yang Anda kelola" in page
    assert "baris 3: NIP tidak ditemukan di unit kerja yang Anda kelola" in page
    assert _count() == 0


def test_other_coordinators_and_learners_cannot_see_or_change_an_assignment(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    owner = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    learner = make_user(unit=tree.kominfo)
    owner.assign(course, unit_id=str(tree.kominfo.id))
    assignee = db.session.scalar(select(Assignee))
    assert assignee is not None
    base = f"/coordinator/assignments/{assignee.assignment_id}"
    mamuju = coordinator_of(app, tree.mamuju)

    assert mamuju.client.get(base).status_code == 404
    assert mamuju.client.get(f"{base}/export.csv").status_code == 404
    exempting = mamuju.post(
        f"{base}/learners/{assignee.id}/exempt", {"reason": "x"}, page="/coordinator/assignments/"
    )
    assert exempting.status_code == 404
    assert "Wajib" not in mamuju.client.get("/coordinator/assignments/").get_data(True)

    client = app.test_client()
    AuthActions(client).login(learner.nip)
    assert client.get(base).status_code == 403
    assert client.get("/coordinator/assignments/new").status_code == 403
    # And the form refuses a POST without its CSRF token.
    assert owner.client.post(f"{base}/learners/{assignee.id}/exempt").status_code == 400


def test_the_new_assignment_form_costs_the_same_statements_for_one_course_or_many(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    palu_course(tmp_path, tree, slug="kursus-0")
    palu_course(tmp_path, tree, slug="kursus-luar", owner=tree.mamuju)
    coordinator = coordinator_of(app, tree.palu)

    def statements() -> int:
        coordinator.client.get("/coordinator/assignments/new")
        with counted(app) as sent:
            page = coordinator.client.get("/coordinator/assignments/new").get_data(as_text=True)
        assert "kursus-luar" not in page and "Pemerintah Kabupaten Mamuju" not in page
        return len(_queries(sent))

    one = statements()
    for n in range(1, 6):
        palu_course(tmp_path, tree, slug=f"kursus-{n}")
    db.session.expire_all()
    assert statements() == one
    page = coordinator.client.get("/coordinator/assignments/new").get_data(as_text=True)
    # The published title of each of Palu's six courses; not the Mamuju course.
    assert page.count("Dasar Manajemen Proyek</option>") == 6
    assert "Pemerintah Kota Palu › Dinas Kominfo › Bidang Aplikasi Informatika</option>" in page
