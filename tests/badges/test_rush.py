"""Many learners crossing 20 JP at once, while hourly passes run: one badge each."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from elearn.badges.issuance import issue_due_badges
from elearn.extensions import db
from elearn.models import JpBadge
from elearn.settings import current_settings
from tests.badges.helpers import training
from tests.certificates.helpers import NO_QUIZZES
from tests.conftest import FrozenClock, run_in_parallel
from tests.learning.helpers import publish_course, sign_in

LEARNERS = 24
PASSES = 4


def test_learners_crossing_twenty_together_get_exactly_one_badge_each(
    app: Flask, tmp_path: Path, clock: FrozenClock, caplog: pytest.LogCaptureFixture
):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer; the race needs PostgreSQL")
    publish_course(tmp_path, **NO_QUIZZES)  # 2 JP
    learners = [sign_in(app, name=f"Peserta {i:02d}") for i in range(LEARNERS)]
    for learner in learners:
        training(learner.user, 18)
        learner.enroll()
    waiting = list(learners)
    lock = threading.Lock()
    statuses: list[int] = []

    def complete_or_pass() -> None:
        with lock:
            learner = waiting.pop() if waiting else None
        if learner is None:  # an hourly pass racing the completions' own issuing
            issue_due_badges(clock.current, current_settings())
            return
        statuses.append(learner.post("/learn/dasar-proyek/siklus/complete").status_code)

    errors = run_in_parallel(app, LEARNERS + PASSES, complete_or_pass)
    assert errors == [] and statuses == [302] * LEARNERS
    assert not [r for r in caplog.records if "not issued yet" in r.getMessage()]
    # Whatever a racing pass saw half-done, a last pass finds every badge issued.
    assert issue_due_badges(clock.current, current_settings()) == 0
    db.session.expire_all()
    badges = db.session.scalars(select(JpBadge)).all()
    assert len(badges) == LEARNERS
    assert {b.user_id for b in badges} == {learner.user.id for learner in learners}
    assert {(b.year, b.jp) for b in badges} == {(2026, 20)}
    assert len({b.code for b in badges}) == LEARNERS
    per_learner = db.session.execute(
        select(JpBadge.user_id, func.count()).group_by(JpBadge.user_id)
    ).all()
    assert {count for _, count in per_learner} == {1}
