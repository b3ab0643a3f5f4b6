"""An assignment enrolling many learners while they enrol themselves: one enrolment each."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Assignee, Enrollment, EnrollmentMonthCount, LearningEvent, Verb
from tests.assignments.helpers import coordinator_of, make_tree, palu_course
from tests.conftest import AuthActions, FrozenClock, csrf_token, run_in_parallel
from tests.factories import make_user

RUSH = 30


def test_learners_enrolling_themselves_while_assigned_get_exactly_one_enrolment_each(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    tree = make_tree()
    course = palu_course(tmp_path, tree)
    coordinator = coordinator_of(app, tree.palu, home=tree.bkpsdm)
    learners = [make_user(unit=tree.kominfo, name=f"Peserta {n}") for n in range(RUSH)]
    # Each client holds its form token before the rush, so the rush is only the POSTs.
    ready = []
    for learner in learners:
        client = app.test_client()
        AuthActions(client).login(learner.nip)
        ready.append((client, csrf_token(client, "/courses/dasar-proyek")))
    statuses: list[int] = []
    lock = threading.Lock()
    coordinator_token = csrf_token(coordinator.client, "/coordinator/assignments/new")
    form = {
        "csrf_token": coordinator_token,
        "course_id": str(course.id),
        "reason": "Wajib: Keamanan Informasi 2026",
        "starts_on": "2026-03-02",
        "due_on": "2026-03-10",
        "target": "unit",
        "unit_id": str(tree.kominfo.id),
        "include_subunits": "y",
    }
    jobs: list[object] = [None, *ready]  # None: the coordinator's assignment

    def work() -> None:
        with lock:
            job = jobs.pop()
        if job is None:
            response = coordinator.client.post("/coordinator/assignments/new", data=form)
        else:
            client, token = job  # type: ignore[misc]
            response = client.post("/courses/dasar-proyek/enroll", data={"csrf_token": token})
        statuses.append(response.status_code)

    errors = run_in_parallel(app, RUSH + 1, work)

    assert errors == [] and statuses == [302] * (RUSH + 1)
    db.session.expire_all()
    ids = {u.id for u in learners}
    per_learner = dict(
        db.session.execute(
            select(Enrollment.user_id, func.count()).group_by(Enrollment.user_id)
        ).all()
    )
    assert per_learner == dict.fromkeys(ids, 1)
    assert set(db.session.scalars(select(Assignee.user_id))) == ids
    enrolled_events = db.session.scalar(
        select(func.count()).where(LearningEvent.verb == Verb.ENROLLED)
    )
    assert enrolled_events == RUSH
    # The rollup counts each enrolment once, whoever made it.
    counted = db.session.scalar(select(func.sum(EnrollmentMonthCount.enrolled)))
    assert counted == RUSH
