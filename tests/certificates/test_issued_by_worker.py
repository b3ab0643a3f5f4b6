"""With jobs on workers, a completing submit leaves its certificate to a worker job."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from elearn import clock
from elearn.certificates.owed_job import ISSUE_OWED_KIND
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.learning.progress import check_completion, mark_quiz_passed
from elearn.models import Certificate, Enrollment, ProgramCertificate, QuizAttempt
from elearn.models.job import Job, JobState
from tests.certificates.test_completion_rush import (
    ONE_QUIZ,
    RUSH,
    complete_together,
    ready_to_submit,
)
from tests.certificates.test_pdf_store import SentIds
from tests.conftest import csrf_token
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
    assert queue.sent == [jobs[0].id] and queue.background == []  # not behind any PDF

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


class ReadWhenSent(SentIds):
    """Notes the jobs it is given and what another connection read of each at that moment."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[JobState | None] = []

    def send(
        self, job_id: int, delay: timedelta | None = None, *, background: bool = False
    ) -> None:
        with db.engine.connect() as other:
            self.read.append(other.scalar(select(Job.state).where(Job.id == job_id)))
        super().send(job_id, delay, background=background)


def test_the_completion_and_its_job_commit_together_and_the_job_is_sent_after(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    version = publish_course(tmp_path, **ONE_QUIZ)
    learner = sign_in(app)
    url = ready_to_submit(app, learner)
    queue = ReadWhenSent()
    monkeypatch.setattr(current_jobs(app), "queue", queue)
    form = {**answer_form(version, "kuis-siklus", correct=True), "action": "submit"}
    form["csrf_token"] = csrf_token(learner.client, url)
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(db.engine, "commit", committed)
    try:
        response = learner.client.post(url, data=form)
    finally:
        event.remove(db.engine, "commit", committed)

    assert response.status_code == 302
    # One transaction: the score, the completion, its rollups and the certificate's job
    # (the job had a second one of its own, with its own wait for the WAL flush).
    assert len(commits) == 1
    # A worker told of the job can claim it: the row was committed when the id was sent.
    assert queue.read == [JobState.QUEUED] and len(queue.sent) == 1
    db.session.expire_all()
    assert db.session.scalar(select(Enrollment.completed_at)) is not None


def test_a_completion_rolled_back_leaves_no_certificate_job(
    app: Flask, tmp_path: Path, queue: SentIds
):
    version = publish_course(tmp_path, **ONE_QUIZ)
    learner = sign_in(app)
    learner.enroll()
    learner.post("/learn/dasar-proyek/siklus/complete")
    enrollment = db.session.scalars(select(Enrollment)).one()
    item = next(i for i in version.items if i.name == "kuis-siklus")

    mark_quiz_passed(enrollment, item, clock.now())
    assert check_completion(enrollment)  # records the job in this transaction
    assert _count(Job) == 1
    db.session.rollback()

    assert queue.sent == [] and _count(Job) == 0
    db.session.expire_all()
    assert db.session.scalar(select(Enrollment.completed_at)) is None


def test_a_rush_of_completions_records_and_sends_one_job_each(
    app: Flask, tmp_path: Path, queue: SentIds
):
    errors, statuses = complete_together(app, tmp_path)

    assert errors == [] and statuses == [302] * RUSH
    db.session.expire_all()
    jobs = db.session.scalars(select(Job).order_by(Job.id)).all()
    # Every completion committed its own job, and each was sent once, after its commit.
    assert sorted(queue.sent) == [j.id for j in jobs] and len(jobs) == RUSH
    owed = sorted(j.args["enrollments"][0] for j in jobs)
    assert owed == sorted(db.session.scalars(select(Enrollment.id)))
    assert {j.state for j in jobs} == {JobState.QUEUED}

    for job_id in queue.sent:  # the workers, later
        current_jobs(app).run(job_id)
    db.session.expire_all()
    certificates = db.session.scalars(select(Certificate)).all()
    assert len({c.user_id for c in certificates}) == len({c.number for c in certificates}) == RUSH
