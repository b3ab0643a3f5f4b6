"""An assignment reaches exactly the learners its target names, and those who arrive later."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from elearn.accounts.services import UserData, set_active, update_user
from elearn.extensions import db
from elearn.models import Assignee, Assignment, EmployeeType, Role
from tests.assignments.helpers import (
    assigned_ids,
    coordinator_of,
    enrolled_ids,
    make_tree,
    palu_course,
)
from tests.conftest import FrozenClock
from tests.factories import make_user


def _data(user, **changes) -> UserData:  # type: ignore[no-untyped-def]
    values = {
        "nip": user.nip,
        "full_name": user.full_name,
        "unit_id": user.unit_id,
        "employee_type": EmployeeType(user.employee_type),
        "position": user.position,
        "roles": set(user.roles),
    }
    values.update(changes)
    return UserData(**values)  # type: ignore[arg-type]


def test_a_unit_with_sub_units_reaches_exactly_its_learners(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    inside = [make_user(unit=tree.kominfo), make_user(unit=tree.aplikasi)]
    outside = [make_user(unit=tree.bkpsdm), make_user(unit=tree.palu), make_user(unit=tree.mamuju)]
    inactive = make_user(unit=tree.aplikasi)
    set_active(inactive, False)
    db.session.commit()

    response = coordinator.assign(course, unit_id=str(tree.kominfo.id))

    assert response.status_code == 302
    expected = {u.id for u in inside}
    assert assigned_ids() == expected
    assert enrolled_ids(course) == expected
    assert not {u.id for u in outside} & assigned_ids()


def test_a_unit_without_sub_units_reaches_only_its_own_learners(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    own = make_user(unit=tree.kominfo)
    below = make_user(unit=tree.aplikasi)

    coordinator.assign(course, unit_id=str(tree.kominfo.id), include_subunits=None)

    assert assigned_ids() == enrolled_ids(course) == {own.id}
    # A learner arriving below the unit is not reached either.
    later = make_user(unit=tree.aplikasi)
    assert not {below.id, later.id} & assigned_ids()


def test_a_jabatan_reaches_its_holders_in_the_unit_and_below(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    analyst = make_user(unit=tree.aplikasi)
    update_user(analyst, _data(analyst, position="Pranata Komputer"))
    other_job = make_user(unit=tree.aplikasi)
    update_user(other_job, _data(other_job, position="Analis Kebijakan"))
    elsewhere = make_user(unit=tree.mamuju)
    update_user(elsewhere, _data(elsewhere, position="Pranata Komputer"))
    db.session.commit()

    coordinator.assign(
        course, target="position", unit_id=str(tree.kominfo.id), position=" pranata komputer "
    )

    assert assigned_ids() == {analyst.id}
    # Taking the jabatan later brings the assignment with it.
    update_user(other_job, _data(other_job, position="PRANATA KOMPUTER"))
    db.session.commit()
    assert assigned_ids() == {analyst.id, other_job.id}


def test_a_learner_created_or_moved_in_later_gets_the_assignment(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    first = make_user(unit=tree.kominfo)
    coordinator.assign(course, unit_id=str(tree.kominfo.id))
    assert assigned_ids() == {first.id}

    created = make_user(unit=tree.aplikasi)  # a sub-unit: reached
    mover = make_user(unit=tree.mamuju)
    assert assigned_ids() == {first.id, created.id}
    update_user(mover, _data(mover, unit_id=tree.aplikasi.id))
    db.session.commit()

    assert assigned_ids() == enrolled_ids(course) == {first.id, created.id, mover.id}
    # Editing someone already assigned does not add them twice.
    update_user(mover, _data(mover, full_name="Nama Baru"))
    db.session.commit()
    rows = db.session.scalars(select(Assignee).where(Assignee.user_id == mover.id)).all()
    assert len(rows) == 1


def test_an_assignment_past_due_is_not_given_to_newcomers(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    coordinator.assign(course, unit_id=str(tree.kominfo.id))
    assert db.session.scalar(select(Assignment)) is not None

    clock.advance(days=9)  # 11 March 08:00 UTC: past 10 March in Palu (WITA)
    late = make_user(unit=tree.kominfo)

    assert late.id not in assigned_ids()


def test_staff_accounts_without_the_learner_role_are_not_assigned(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    evaluator = make_user(Role.EVALUATOR, unit=tree.kominfo, scope=[tree.kominfo])
    learner = make_user(unit=tree.kominfo)

    coordinator.assign(course, unit_id=str(tree.kominfo.id))

    assert assigned_ids() == {learner.id}
    assert evaluator.id not in enrolled_ids(course)
