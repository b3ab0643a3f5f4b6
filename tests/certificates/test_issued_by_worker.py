"""With jobs on workers, a completing submit leaves its certificate to a worker job."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from elearn.certificates.owed_job import ISSUE_OWED_KIND
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.models import Certificate, Enrollment, ProgramCertificate, QuizAttempt
from elearn.models.job import Job, JobState
from tests.certificates.test_completion_rush import ONE_QUIZ, ready_to_submit
from tests.certificates.test_pdf_store import SentIds
from tests.learning.helpers import answer_form, publish_course, sign_in
from tests.programs.helpers import join, publish_program, publish_short_course


@pytest.fixture
def queue(app: Flask, monkeypatch: pytest.MonkeyPatch) -> SentIds:
    recording = SentIds()  # Redis and the workers: keeps the job ids sent, runs nothing
    monkeypatch.setattr(current_jobs(app), "queue", recording)
    return recording


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_submit_is_answered_first_and_a_worker_issues_the_certificate(
    app: Flask, tmp_path: Path, queue: SentIds
):
    version = publish_course(tmp_path, **ONE_QUIZ)
    learner = sign_in(app)
    url = ready_to_submit(app, learner)
    answers = answer_form(version, "kuis-siklus", correct=True)

    response = learner.post(url, {**answers, "action": "submit"}, page=url)

    assert response.status_code == 302
    assert response.headers["Location"] == "/learn/dasar-proyek/done"
    db.session.expire_all()
    assert db.session.scalar(select(QuizAttempt.passed)) is True
    assert db.session.scalar(select(Enrollment.completed_at)) is not None
    assert _count(Certificate) == 0
    page = learner.client.get("/learn/dasar-proyek/done").get_data(True)
    assert "Sertifikat sedang disiapkan" in page
    jobs = db.session.scalars(select(Job)).all()
    assert [(j.kind, j.state) for j in jobs] == [(ISSUE_OWED_KIND, JobState.QUEUED)]
    assert queue.sent == [jobs[0].id]

    # The worker takes the job; a second run (a redelivered message) issues nothing more.
    current_jobs(app).run(queue.sent[0])
    current_jobs(app).run(queue.sent[0])
    db.session.expire_all()
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.user_id == learner.user.id
    assert _count(Certificate) == 1
    job = db.session.get_one(Job, queue.sent[0])
    assert job.state == JobState.DONE and job.result_info == {"issued": 1}
    page = learner.client.get("/learn/dasar-proyek/done").get_data(True)
    assert "Sertifikat sedang disiapkan" not in page and certificate.number in page


def test_without_workers_the_submit_issues_the_certificate_itself(app: Flask, tmp_path: Path):
    version = publish_course(tmp_path, **ONE_QUIZ)
    learner = sign_in(app)
    url = ready_to_submit(app, learner)
    answers = answer_form(version, "kuis-siklus", correct=True)

    assert learner.post(url, {**answers, "action": "submit"}, page=url).status_code == 302

    db.session.expire_all()
    assert _count(Certificate) == 1
    assert _count(Job) == 0  # inline: no job row, the request issued it


def test_the_worker_also_issues_the_program_certificate_the_completion_earned(
    app: Flask, tmp_path: Path, queue: SentIds
):
    publish_short_course(tmp_path, "kursus-a", 3)
    publish_program(tmp_path, "  - kursus-a\n")
    learner = sign_in(app)
    join(learner)
    learner.post("/learn/kursus-a/siklus/complete")
    db.session.expire_all()
    assert _count(Certificate) == 0 and _count(ProgramCertificate) == 0  # left to the worker

    [job_id] = queue.sent
    current_jobs(app).run(job_id)
    db.session.expire_all()
    assert _count(Certificate) == 1 and _count(ProgramCertificate) == 1
    assert db.session.get_one(Job, job_id).result_info == {"issued": 2}
