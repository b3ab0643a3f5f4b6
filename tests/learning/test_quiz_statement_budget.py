"""Starting a quiz, saving answers and submitting them stay within a fixed number of SQL statements.

A spike of learners finishing one quiz together is served by these requests; each
statement is a round trip and SQLAlchemy work (see docs/performance.md, quiz spike).
The budgets count every statement but BEGIN/COMMIT/ROLLBACK, the sign-in's included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn import clock
from elearn.certificates.owed_job import ISSUE_OWED_KIND
from elearn.certificates.pdf_store import PDF_KIND, pdf_digest
from elearn.extensions import db
from elearn.issuers.keystore import current_keystore
from elearn.issuers.registry import platform_issuer
from elearn.jobs.binding import current_jobs
from elearn.models import Certificate, LearningEvent, QuizAttempt, Verb
from elearn.models.job import Job
from elearn.settings import current_settings
from tests.certificates.test_pdf_store import SentIds
from tests.conftest import csrf_token
from tests.learning.helpers import Learner, answer_form, course_of, publish_course, sign_in
from tests.learning.test_statement_budget import _queries, counted

# What the requests reach, with a little room: the signed-in user's load counts (and its
# reload if something reads it after the commit). A submit's events are one INSERT of
# plain rows on both databases (as ORM objects SQLite inserted them one by one).
START_BUDGET = 7
SAVE_BUDGET = 5
PAGE_BUDGET = 3  # the attempt's questions, or its review once submitted
SUBMIT_BUDGET = 10  # a passed quiz that does not complete the course (PostgreSQL: 8)
# Completes the course and issues the certificate; two of these are the span rollups'
# upserts (the enrolment's months, the attempt's scores), which the dashboard's month filter reads,
# two the certificate's status-list bit (the current list, then a random free index),
# one the learner's open program enrolments (a program certificate the completion earned),
# and one the certificate's issuer profile with its keys (one issuer per instansi).
# The completion reuses the scored attempt's locked read, and a learner below the JP target
# costs no badge query. The learner's JP (the year's, the account, the total) is one
# statement on PostgreSQL, two on SQLite. Exact per database: SQLite writes the shared
# rollups one statement each.
COMPLETING_SUBMIT_BUDGET = {"sqlite": 28, "postgresql": 22}
# With jobs on workers the certificate is one job row: its INSERT returns the id the queue
# is sent, with no look-up, savepoint or reload (the key is new by construction).
WORKERS_COMPLETING_SUBMIT_BUDGET = {"sqlite": 18, "postgresql": 12}
# The job that then issues the certificate: claim it, read the enrolment with what issuing
# needs (the JP within reach, a certificate issued already, the best quiz scores, the
# status list's number), the issuer; under a savepoint the year's counter, the certificate,
# its status-list bit; its PDF's job (the logo's digest taken from the issuer as read); the
# learner's programs; finish the job.
CERTIFICATE_JOB_BUDGET = 12


def _post(app: Flask, learner: Learner, url: str, form: dict[str, object]) -> tuple[str, list[str]]:
    """POST ``form`` with the CSRF token; return the redirect target and the statements."""
    token = csrf_token(learner.client, "/learn/dasar-proyek/siklus")
    with counted(app) as statements:
        response = learner.client.post(url, data={"csrf_token": token, **form})
    assert response.status_code == 302, (url, response.status_code)
    # SQLite's PRAGMA busy_timeout is a connection setting that follows the previous
    # request's kind (a page view waits less for the lock), not a query of this one.
    queries = [s for s in _queries(statements) if not s.startswith("PRAGMA")]
    return response.headers["Location"], queries


def _take_quiz(
    app: Flask, learner: Learner, answers: dict[str, object], name: str
) -> dict[str, list[str]]:
    """Open, start, save and submit quiz ``name``; return the statements of each POST."""
    quiz = f"/learn/dasar-proyek/{name}"
    assert learner.client.get(quiz).status_code == 200  # the landing page the learner is on
    attempt, start = _post(app, learner, f"{quiz}/attempts", {})
    assert attempt == f"{quiz}/attempts/1"
    *page, _questions = _get(app, learner, attempt)
    _, save = _post(app, learner, attempt, {**answers, "action": "save"})
    _, submit = _post(app, learner, attempt, {**answers, "action": "submit"})
    *review, text = _get(app, learner, attempt)
    return {
        "start": start,
        "page": page,
        "save": save,
        "submit": submit,
        "review": review,
        "review text": [text],
    }


def _get(app: Flask, learner: Learner, url: str) -> list[str]:
    """GET ``url``; return its statements, the page's text last."""
    with counted(app) as statements:
        response = learner.client.get(url)
    assert response.status_code == 200, url
    return [s for s in _queries(statements) if not s.startswith("PRAGMA")] + [
        response.get_data(True)
    ]


def _within(statements: list[str], budget: int, what: str) -> None:
    assert len(statements) <= budget, f"{what}: {len(statements)} statements\n" + "\n".join(
        statements
    )


@pytest.fixture
def learner(app: Flask, tmp_path: Path) -> Learner:
    """A learner enrolled in the test course, its module done, both quizzes still to pass."""
    publish_course(tmp_path)
    # The platform's issuer profile and key are made by the first certificate ever issued
    # (six statements, once per deployment): made here, so the budget is a learner's.
    platform_issuer(current_settings(), current_keystore(), clock.now())
    db.session.commit()
    learner = sign_in(app)
    learner.enroll()
    learner.post("/learn/dasar-proyek/siklus/complete", page="/learn/dasar-proyek/siklus")
    return learner


def test_quiz_requests_within_statement_budget(app: Flask, learner: Learner):
    version = course_of().published_version
    assert version is not None
    first = _take_quiz(
        app, learner, answer_form(version, "kuis-siklus", correct=True), "kuis-siklus"
    )
    _within(first["start"], START_BUDGET, "start")
    _within(first["page"], PAGE_BUDGET, "attempt page")
    _within(first["save"], SAVE_BUDGET, "save")
    _within(first["submit"], SUBMIT_BUDGET, "submit")
    assert db.session.scalar(select(Certificate)) is None

    final = _take_quiz(app, learner, answer_form(version, "kuis-akhir", correct=True), "kuis-akhir")
    budget = COMPLETING_SUBMIT_BUDGET[db.engine.dialect.name]
    _within(final["submit"], budget, "completing submit")
    _within(final["review"], PAGE_BUDGET, "review page")

    # Within budget and still everything a learner notices: scored, completed, certified.
    assert "Selamat! Anda telah menyelesaikan kursus ini." in final["review text"][0]
    assert "Selamat! Anda telah menyelesaikan kursus ini." not in first["review text"][0]
    db.session.expire_all()
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.user_id == learner.user.id
    scores = db.session.scalars(select(QuizAttempt.score).order_by(QuizAttempt.id)).all()
    assert scores == [100.0, 100.0]
    verbs = db.session.scalars(select(LearningEvent.verb).order_by(LearningEvent.id)).all()
    assert verbs[-3:] == [Verb.ATTEMPT_SUBMITTED, Verb.PASSED, Verb.COMPLETED]


def test_completing_submit_with_workers_within_statement_budget(
    app: Flask, learner: Learner, monkeypatch: pytest.MonkeyPatch
):
    version = course_of().published_version
    assert version is not None
    _take_quiz(app, learner, answer_form(version, "kuis-siklus", correct=True), "kuis-siklus")
    queue = SentIds()  # Redis and the workers: the certificate is left to a job
    monkeypatch.setattr(current_jobs(app), "queue", queue)

    final = _take_quiz(app, learner, answer_form(version, "kuis-akhir", correct=True), "kuis-akhir")

    budget = WORKERS_COMPLETING_SUBMIT_BUDGET[db.engine.dialect.name]
    _within(final["submit"], budget, "completing submit, jobs on workers")
    # Within budget and still what a learner notices: completed, the certificate on its way.
    assert "Selamat! Anda telah menyelesaikan kursus ini." in final["review text"][0]
    db.session.expire_all()
    assert db.session.scalar(select(Certificate)) is None
    job = db.session.scalars(select(Job)).one()
    assert job.kind == ISSUE_OWED_KIND and queue.sent == [job.id]

    # The worker's job that issues it: a rush's certificates are issued while the web is
    # still busy with the rush's submits, on the same database.
    with counted(app) as statements:
        current_jobs(app).run(job.id)
    issuing = _queries(statements)
    _within(issuing, CERTIFICATE_JOB_BUDGET, "the certificate job")
    # The year's counter row, which every certificate of the year waits for, stays locked
    # from its upsert to the commit (after the PDF's job): nothing is read in that stretch.
    locked = next(
        i for i, s in enumerate(issuing) if s.startswith("INSERT INTO certificate_counter")
    )
    committed = next(i for i, s in enumerate(issuing) if s.startswith("INSERT INTO job"))
    assert not [s for s in issuing[locked:committed] if s.startswith("SELECT")]
    db.session.expire_all()
    certificate = db.session.scalars(select(Certificate)).one()
    assert certificate.user_id == learner.user.id
    assert certificate.payload["score_summary"] == "Rata-rata nilai kuis 100,0 (2 kuis)"
    pdf_job = db.session.scalars(select(Job).where(Job.id != job.id)).one()
    assert pdf_job.kind == PDF_KIND and pdf_job.args["digest"] == pdf_digest(
        certificate, pdf_job.args["base_url"]
    )
