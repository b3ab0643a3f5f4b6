"""The module page and quiz landing, read as plain rows, show the learner's own progress."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select

from elearn.extensions import db
from elearn.models import ItemProgress
from tests.conftest import FrozenClock
from tests.learning.helpers import Learner, publish_course, sign_in

MODULE = "/learn/dasar-proyek/siklus"
QUIZ = "/learn/dasar-proyek/kuis-siklus"


def _done_marks(page: str) -> list[str]:
    """The outline entries shown as done (✓), by link."""
    return re.findall(r'<a href="([^"]+)">[^<]*</a> <span class="done"', page)


def _progress_bar(page: str) -> str:
    match = re.search(r'<progress max="100" value="(\d+)"', page)
    assert match, "no progress bar"
    return match.group(1)


def _enrolled(app: Flask, tmp_path: Path, name: str = "Belajar") -> Learner:
    learner = sign_in(app, name=name)
    learner.enroll()
    return learner


def test_outline_and_module_show_what_the_learner_completed(app: Flask, tmp_path: Path):
    publish_course(tmp_path)
    learner = _enrolled(app, tmp_path)
    fresh = learner.client.get(MODULE).get_data(as_text=True)
    assert _done_marks(fresh) == [] and "Tandai selesai" in fresh
    assert _progress_bar(fresh) == "0"

    learner.post(f"{MODULE}/complete", page=MODULE)
    page = learner.client.get(MODULE).get_data(as_text=True)
    assert _done_marks(page) == [MODULE]
    assert "Modul ini sudah selesai" in page and "Tandai selesai" not in page
    assert _progress_bar(page) != "0"
    landing = learner.client.get(QUIZ).get_data(as_text=True)
    assert _done_marks(landing) == [MODULE]
    assert _progress_bar(landing) == _progress_bar(page)


def test_another_learners_progress_is_not_shown(app: Flask, tmp_path: Path):
    publish_course(tmp_path)
    first = _enrolled(app, tmp_path, "Pertama")
    first.post(f"{MODULE}/complete", page=MODULE)
    second = _enrolled(app, tmp_path, "Kedua")
    page = second.client.get(MODULE).get_data(as_text=True)
    assert _done_marks(page) == [] and "Tandai selesai" in page
    assert _progress_bar(page) == "0"


def test_time_goes_to_the_item_viewed_before_and_resume_follows(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    publish_course(tmp_path)
    learner = _enrolled(app, tmp_path)
    learner.client.get(MODULE)
    clock.advance(minutes=3)
    assert learner.client.get(QUIZ).status_code == 200  # the module was read for 3 minutes
    clock.advance(minutes=2)
    assert learner.client.get(MODULE).status_code == 200  # the quiz landing for 2
    seconds = db.session.scalars(select(ItemProgress.seconds_spent)).all()
    assert sorted(seconds) == [120, 180]
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == MODULE
    learner.client.get(QUIZ)
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == QUIZ


def test_a_course_not_enrolled_in_is_not_found(app: Flask, tmp_path: Path):
    publish_course(tmp_path)
    publish_course(tmp_path, "lain")
    learner = _enrolled(app, tmp_path)
    # Someone else is enrolled in the other course: their enrolment is not this learner's.
    other = sign_in(app, name="Lain")
    other.enroll("lain")
    assert other.client.get("/learn/lain/siklus").status_code == 200
    assert learner.client.get("/learn/lain/siklus").status_code == 404
    assert learner.client.get("/learn/lain/kuis-siklus").status_code == 404
    assert learner.client.get("/learn/tidak-ada/siklus").status_code == 404
    assert learner.client.get("/learn/dasar-proyek/tidak-ada").status_code == 404


def test_quiz_landing_lists_the_learners_own_attempts(app: Flask, tmp_path: Path):
    publish_course(tmp_path)
    first = _enrolled(app, tmp_path, "Pertama")
    first.post(f"{QUIZ}/attempts", page=QUIZ)
    second = _enrolled(app, tmp_path, "Kedua")
    assert "Lanjutkan percobaan" in first.client.get(QUIZ).get_data(as_text=True)
    landing = second.client.get(QUIZ).get_data(as_text=True)
    assert "Lanjutkan percobaan" not in landing and f"{QUIZ}/attempts/1" not in landing


def test_module_page_notes_the_visit_in_its_own_transaction_on_postgresql(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    """PostgreSQL: the page's reads and the visit's write commit once (SQLite commits the
    read first, so its write can begin IMMEDIATE). The visit is noted as before."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite ends the read transaction before the visit's write")
    publish_course(tmp_path)
    learner = _enrolled(app, tmp_path)
    learner.client.get(QUIZ)
    clock.advance(minutes=2)
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(db.engine, "commit", committed)
    try:
        assert learner.client.get(MODULE).status_code == 200
    finally:
        event.remove(db.engine, "commit", committed)
    assert len(commits) == 1
    spent = db.session.scalars(select(ItemProgress.seconds_spent)).all()
    assert sorted(spent) == [0, 120]  # the quiz landing's 2 minutes, the module opened
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == MODULE
