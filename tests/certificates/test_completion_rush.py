"""Many learners finishing at once: every submission kept, one certificate each."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from elearn.extensions import db
from elearn.models import Certificate, CertificateCounter, Enrollment, QuizAttempt
from elearn.models.job import Job, JobState
from tests.conftest import run_in_parallel
from tests.learning.helpers import QUIZ_URL, Learner, answer_form, publish_course, sign_in

RUSH = 50
ONE_QUIZ = {"03-kuis-akhir.gift": ""}  # a module, then the quiz that completes the course


def ready_to_submit(app: Flask, learner: Learner) -> str:
    """Enrol, finish the module and start the quiz; return the attempt's URL."""
    learner.enroll()
    learner.post("/learn/dasar-proyek/siklus/complete")
    response = learner.post(f"{QUIZ_URL}/attempts", page=QUIZ_URL)
    assert response.status_code == 302
    return response.headers["Location"]


def complete_together(app: Flask, tmp_path: Path) -> tuple[list[str], list[int]]:
    """RUSH learners, each one quiz from completing, submit it at the same moment; the
    errors of the threads and the status of each submit."""
    version = publish_course(tmp_path, **ONE_QUIZ)
    answers = answer_form(version, "kuis-siklus", correct=True)
    learners = [sign_in(app) for _ in range(RUSH)]
    ready = [(learner, ready_to_submit(app, learner)) for learner in learners]
    statuses: list[int] = []
    lock = threading.Lock()

    def submit() -> None:
        with lock:
            learner, url = ready.pop()
        response = learner.post(url, {**answers, "action": "submit"}, page=url)
        statuses.append(response.status_code)

    return run_in_parallel(app, RUSH, submit), statuses


def test_fifty_learners_completing_together_all_get_numbered_certificates(
    app: Flask, tmp_path: Path
):
    errors, statuses = complete_together(app, tmp_path)

    assert errors == [] and statuses == [302] * RUSH
    db.session.expire_all()
    submitted = db.session.scalar(
        select(func.count()).where(QuizAttempt.submitted_at.is_not(None), QuizAttempt.passed)
    )
    completed = db.session.scalar(select(func.count()).where(Enrollment.completed_at.is_not(None)))
    certificates = db.session.scalars(select(Certificate)).all()
    assert submitted == completed == len(certificates) == RUSH
    assert len({c.number for c in certificates}) == RUSH
    assert sorted(c.sequence for c in certificates) == list(range(1, RUSH + 1))
    year = certificates[0].year
    assert db.session.get(CertificateCounter, year).last_sequence == RUSH


def test_a_failure_to_issue_keeps_the_submission_and_is_issued_later(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    version = publish_course(tmp_path, **ONE_QUIZ)
    learner = sign_in(app)
    url = ready_to_submit(app, learner)

    def database_trouble(*_args: object) -> int:
        raise OperationalError("SELECT nextval", {}, Exception("could not serialize access"))

    monkeypatch.setattr("elearn.certificates.issuance.next_sequence", database_trouble)
    answers = answer_form(version, "kuis-siklus", correct=True)
    response = learner.post(url, {**answers, "action": "submit"}, page=url)

    assert response.status_code == 302  # the learner sees the result, not an error
    db.session.expire_all()
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt.submitted_at is not None and attempt.passed and attempt.answers
    assert db.session.scalar(select(Enrollment)).completed_at is not None
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["certificates", "issue-missing"])
    assert result.exit_code == 0 and "1 certificate(s) issued" in result.output
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.user_id == learner.user.id
    again = app.test_cli_runner().invoke(args=["certificates", "issue-missing"])
    assert "0 certificate(s) issued" in again.output


def test_the_workers_recurring_job_issues_a_certificate_left_owed(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    version = publish_course(tmp_path, **ONE_QUIZ)
    learner = sign_in(app)
    url = ready_to_submit(app, learner)

    def database_gone(*_args: object) -> int:
        raise OperationalError("SELECT nextval", {}, Exception("server closed the connection"))

    monkeypatch.setattr("elearn.certificates.issuance.next_sequence", database_gone)
    answers = answer_form(version, "kuis-siklus", correct=True)
    assert learner.post(url, {**answers, "action": "submit"}, page=url).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0

    monkeypatch.undo()
    # What a worker's sweep submits every few minutes (inline here: run at once).
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.user_id == learner.user.id
    job = db.session.scalar(select(Job).where(Job.kind == "certificates.issue-missing"))
    assert job is not None and job.state == JobState.DONE and job.result_info == {"issued": 1}
