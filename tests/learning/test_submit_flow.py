"""Submitting a quiz: a confirmation naming unanswered questions, and the countdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import QuizAttempt
from tests.conftest import FrozenClock
from tests.content.course_fixtures import QUIZ_MD
from tests.learning.helpers import QUIZ_URL, Learner, answer_form, publish_course, sign_in

ATTEMPT = f"{QUIZ_URL}/attempts/1"
CONFIRM = f"{ATTEMPT}/confirm"


def _started(app: Flask, tmp_path: Path, **files: str) -> tuple[Learner, Any]:
    version = publish_course(tmp_path, **files)
    learner = sign_in(app)
    learner.enroll()
    learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    return learner, version


def _attempt() -> QuizAttempt:
    db.session.expire_all()
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt is not None
    return attempt


def _first_answer_only(version: Any) -> dict[str, object]:
    """Right answers with the second question (numeric: "Berapa menit satu JP?") left blank."""
    form = answer_form(version, "kuis-siklus", correct=True)
    numeric = next(k for k, v in form.items() if v == "45")
    return {k: v for k, v in form.items() if k != numeric}


def test_unanswered_questions_are_named_before_submitting(app: Flask, tmp_path: Path):
    learner, version = _started(app, tmp_path)
    response = learner.post(
        ATTEMPT, {**_first_answer_only(version), "action": "submit"}, page=ATTEMPT
    )
    assert response.status_code == 302 and response.headers["Location"] == CONFIRM
    attempt = _attempt()
    assert attempt.submitted_at is None  # not submitted yet
    assert len(attempt.answers) == 1  # but what was answered is saved

    page = learner.client.get(CONFIRM).get_data(as_text=True)
    assert "Soal yang belum dijawab: 1" in page
    assert f'href="{ATTEMPT}#soal-2">Soal 2</a>: Berapa menit satu JP?' in page
    assert "Soal 1" not in page
    assert f'href="{ATTEMPT}">Kembali</a>' in page
    assert 'name="csrf_token"' in page and 'name="confirmed" value="1"' in page
    assert ">Kirim tetap</button>" in page
    # "Kembali" returns to the attempt with the saved answer still chosen.
    again = learner.client.get(ATTEMPT).get_data(as_text=True)
    assert 'id="soal-2"' in again and "checked" in again

    # "Kirim tetap": the saved answers are scored, the blank one as 0.
    sent = learner.post(ATTEMPT, {"action": "submit", "confirmed": "1"}, page=CONFIRM)
    assert sent.headers["Location"] == ATTEMPT
    attempt = _attempt()
    assert attempt.submitted_at is not None and attempt.score == 50.0
    # Once submitted, the confirmation page leads to the result.
    assert learner.client.get(CONFIRM).headers["Location"] == ATTEMPT


def test_fully_answered_submit_goes_straight_through(app: Flask, tmp_path: Path):
    learner, version = _started(app, tmp_path)
    right = answer_form(version, "kuis-siklus", correct=True)
    response = learner.post(ATTEMPT, {**right, "action": "submit"}, page=ATTEMPT)
    assert response.headers["Location"] == ATTEMPT
    assert _attempt().score == 100.0


def test_confirmation_needs_the_csrf_token(app: Flask, tmp_path: Path):
    learner, _version = _started(app, tmp_path)
    response = learner.client.post(ATTEMPT, data={"action": "submit", "confirmed": "1"})
    assert response.status_code == 400
    assert _attempt().submitted_at is None


def test_once_time_is_up_a_submit_grades_without_asking(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    timed = QUIZ_MD.replace("max_attempts: 3", "max_attempts: 3\ntime_limit: 10")
    learner, version = _started(app, tmp_path, **{"02-kuis-siklus.quiz.md": timed})
    learner.post(ATTEMPT, {**_first_answer_only(version), "action": "save"}, page=ATTEMPT)
    clock.advance(minutes=30)
    response = learner.post(ATTEMPT, {"action": "submit"}, page=QUIZ_URL)
    assert response.headers["Location"] == ATTEMPT
    assert _attempt().score == 50.0  # what was saved in time


def test_timed_attempt_shows_its_deadline_in_the_learners_zone_and_a_countdown(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    timed = QUIZ_MD.replace("max_attempts: 3", "max_attempts: 3\ntime_limit: 15")
    learner, _version = _started(app, tmp_path, **{"02-kuis-siklus.quiz.md": timed})
    clock.advance(minutes=2, seconds=30)
    page = learner.client.get(ATTEMPT).get_data(as_text=True)
    # Started 08:00 UTC = 16.00 WITA (Asia/Makassar, the default zone); 15 minutes.
    assert "Batas waktu: 2 Maret 2026 16.15 WITA (sisa sekitar 12 menit)" in page
    assert 'data-countdown data-remaining="750"' in page
    assert "Waktu tinggal kurang dari 1 menit" in page  # the warning, hidden until then
    script = next(line.split('"')[1] for line in page.splitlines() if "js/countdown.js" in line)
    assert script.startswith("/static/js/countdown.js?v=")
    body = learner.client.get(script)
    assert body.status_code == 200 and len(body.get_data()) <= 5 * 1024
    # Self-hosted and CSP-safe: the page carries no inline script.
    assert "<script>" not in page and "onload=" not in page
    assert "script-src 'self'" in learner.client.get(ATTEMPT).headers["Content-Security-Policy"]


def test_untimed_attempt_loads_no_countdown(app: Flask, tmp_path: Path):
    learner, _version = _started(app, tmp_path)
    page = learner.client.get(ATTEMPT).get_data(as_text=True)
    assert "countdown" not in page and "Batas waktu" not in page
