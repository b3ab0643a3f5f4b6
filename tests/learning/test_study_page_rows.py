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
from tests.factories import make_user
from tests.learning.helpers import Learner, engine_events, publish_course, sign_in

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


def test_module_page_notes_the_visit_in_the_pages_own_transaction(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    """The page's reads and the visit's write commit once: on SQLite the read transaction
    takes the write lock itself when nobody wrote since it read (``write_in_place``)."""
    publish_course(tmp_path)
    learner = _enrolled(app, tmp_path)
    learner.client.get(QUIZ)
    clock.advance(minutes=2)
    with engine_events("commit") as committed, engine_events("rollback") as rolled_back:
        assert learner.client.get(MODULE).status_code == 200
    assert (len(committed), len(rolled_back)) == (1, 0)
    spent = db.session.scalars(select(ItemProgress.seconds_spent)).all()
    assert sorted(spent) == [0, 120]  # the quiz landing's 2 minutes, the module opened
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == MODULE


def test_a_visit_refused_in_the_read_transaction_is_noted_in_one_of_its_own(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    """SQLite: another learner's write commits between the page's reads and its visit. The
    read transaction may no longer write; the visit is written after it, once and exact."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no read snapshot that a write must be current with")
    publish_course(tmp_path)
    learner = _enrolled(app, tmp_path)
    other_learner = make_user(name="Lain").id
    learner.client.get(QUIZ)
    clock.advance(minutes=2)
    db.session.commit()
    interleaved: list[str] = []

    def another_write_first(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if interleaved or not statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            return
        interleaved.append(statement)
        other = db.engine.raw_connection()
        try:
            # A write that changes a row: SQLite commits no change at all for one that does not.
            renamed = "UPDATE user_account SET full_name = full_name || '.' WHERE id = ?"
            other.execute(renamed, (other_learner,))
            other.commit()
        finally:
            other.close()

    event.listen(db.engine, "before_cursor_execute", another_write_first)
    try:
        with engine_events("commit") as committed, engine_events("rollback") as rolled_back:
            assert learner.client.get(MODULE).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", another_write_first)
    assert interleaved, "the page wrote nothing"
    # Refused in place (rolled back), then written in a transaction of its own.
    assert (len(committed), len(rolled_back)) == (1, 1)
    spent = db.session.scalars(select(ItemProgress.seconds_spent)).all()
    assert sorted(spent) == [0, 120]
    assert learner.client.get("/learn/dasar-proyek").headers["Location"] == MODULE
