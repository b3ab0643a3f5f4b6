"""Marking a module done ("Tandai selesai") is idempotent: a completion sent twice, replayed
from the offline queue or sent from several tabs at once changes nothing after the first."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Certificate, Enrollment, ItemProgress, LearningEvent, Verb
from tests.certificates.helpers import NO_QUIZZES
from tests.conftest import FrozenClock, csrf_token, run_in_parallel
from tests.learning.helpers import Learner, publish_course, sign_in

MODULE = "/learn/dasar-proyek/siklus"
PARALLEL = 8


def _state() -> tuple[object, ...]:
    """Everything a completion may change: progress, resume point, events, certificates."""
    db.session.expire_all()
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment is not None
    progress = sorted(
        (p.item_id, p.completed_at, p.seconds_spent)
        for p in db.session.scalars(select(ItemProgress))
    )
    events = db.session.execute(
        select(LearningEvent.verb, func.count()).group_by(LearningEvent.verb)
    ).all()
    certificates = db.session.scalar(select(func.count()).select_from(Certificate))
    return (
        progress,
        enrollment.completed_at,
        enrollment.last_seen_at,
        sorted((str(verb), n) for verb, n in events),
        certificates,
    )


def _fire(app: Flask, learner: Learner, times: int) -> list[int]:
    """POST the same completion ``times`` times at once, each from its own client."""
    token = csrf_token(learner.client, "/me")  # not the module: that would be a visit
    cookie = learner.client.get_cookie("session")
    assert cookie is not None
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        client = app.test_client()
        client.set_cookie("session", cookie.value)
        response = client.post(
            f"{MODULE}/complete",
            data={"csrf_token": token},
            headers={"Accept": "application/json"},
        )
        with lock:
            statuses.append(response.status_code)

    errors = run_in_parallel(app, times, post)
    assert errors == []
    return statuses


def test_the_same_completion_sent_again_changes_nothing(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    learner.client.get(MODULE)
    clock.advance(minutes=3)
    first = learner.post(f"{MODULE}/complete", page=MODULE)
    assert first.status_code == 302
    after_first = _state()
    assert (str(Verb.MODULE_COMPLETED), 1) in after_first[3]
    for _ in range(5):
        clock.advance(minutes=1)  # a replay arrives later, from the offline queue
        again = learner.post(f"{MODULE}/complete", page="/me")
        assert again.status_code == 302
        replayed = learner.client.post(
            f"{MODULE}/complete",
            data={"csrf_token": csrf_token(learner.client, "/me")},
            headers={"Accept": "application/json"},
        )
        assert replayed.get_json()["completed"] is True
    assert _state() == after_first


def test_parallel_completions_of_a_module_count_once(app: Flask, tmp_path: Path):
    publish_course(tmp_path)
    learner = sign_in(app)
    learner.enroll()
    learner.client.get(MODULE)
    statuses = _fire(app, learner, PARALLEL)
    assert statuses == [200] * PARALLEL
    state = _state()
    progress, completed_at, _seen, events, certificates = state
    assert [p for p in progress if p[1] is not None] != [] and len(progress) == 1
    assert dict(events)[str(Verb.MODULE_COMPLETED)] == 1
    assert completed_at is None and certificates == 0  # the quizzes remain
    _fire(app, learner, PARALLEL)  # and once more, all together
    assert _state() == state


def test_parallel_completions_of_the_last_module_complete_the_course_once(
    app: Flask, tmp_path: Path
):
    publish_course(tmp_path, **NO_QUIZZES)
    learner = sign_in(app)
    learner.enroll()
    # Never opened: the progress row is made by the completion itself, by one request only.
    assert _fire(app, learner, PARALLEL) == [200] * PARALLEL
    progress, completed_at, _seen, events, certificates = _state()
    assert len(progress) == 1 and progress[0][1] is not None
    assert completed_at is not None and certificates == 1
    assert dict(events)[str(Verb.MODULE_COMPLETED)] == 1
    assert dict(events)[str(Verb.COMPLETED)] == 1
