"""A failing job is retried with growing waits, then dead-lettered; an admin requeues it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.models import Role
from elearn.models.job import Job, JobState
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user
from tests.jobs.kinds import Switch, flaky_kind
from tests.learning.test_statement_budget import _queries, counted


def job_now() -> Job:
    """The test's job as stored now (run-due also submits the hourly purge)."""
    db.session.expire_all()
    return db.session.scalars(select(Job).where(Job.kind == "test.flaky")).one()


def run_due(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output


def test_retry_with_backoff_then_dead_letter_then_admin_requeue(
    app: Flask, clock, runner: FlaskCliRunner
):
    switch = Switch()
    jobs = current_jobs(app)
    jobs.registry.add(flaky_kind(switch, max_attempts=3))
    jobs.submit("test.flaky", {}, key="flaky-1")

    job = job_now()
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert job.error == "ConnectionError: LRS tidak menjawab"
    first_wait = job.run_after - clock.current
    assert first_wait.total_seconds() == 30  # JOB_BACKOFF_BASE_SECONDS

    run_due(runner)  # too early: nothing runs
    assert switch.calls == [1]
    clock.advance(seconds=30)
    run_due(runner)
    job = job_now()
    assert (job.state, job.attempts) == (JobState.FAILED, 2)
    assert (job.run_after - clock.current).total_seconds() == 60  # doubled

    clock.advance(seconds=60)
    run_due(runner)
    job = job_now()
    assert (job.state, job.attempts) == (JobState.DEAD, 3)
    clock.advance(hours=5)
    run_due(runner)
    assert switch.calls == [1, 2, 3]  # dead: never run again by itself

    # The admin sees it, in Indonesian, and requeues it (with the CSRF token only).
    admin = make_user(Role.ADMIN, unit=make_unit(code="prov"), name="Admin")
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "test.flaky" in page and "mati" in page and "3/3" in page
    assert "ConnectionError: LRS tidak menjawab" in page
    assert client.post(f"/admin/jobs/{job.id}/requeue").status_code == 400
    assert job_now().state == JobState.DEAD

    switch.failing = False
    token = csrf_token(client, "/admin/jobs/")
    response = client.post(f"/admin/jobs/{job.id}/requeue", data={"csrf_token": token})
    assert response.status_code == 302
    job = job_now()
    assert (job.state, job.attempts, job.result) == (JobState.DONE, 1, "ok")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "dimasukkan lagi ke antrean" in page
    assert "Tidak ada pekerjaan yang gagal." in page


def test_the_jobs_page_is_for_admins_only(app: Flask):
    palu = make_unit(code="palu")
    coordinator = make_user(Role.COORDINATOR, unit=palu, scope=[palu])
    client = app.test_client()
    AuthActions(client).login(coordinator.nip)
    assert client.get("/admin/jobs/").status_code == 403
    token = csrf_token(client, "/")
    assert client.post("/admin/jobs/1/requeue", data={"csrf_token": token}).status_code == 403


def test_an_idempotency_key_is_run_once(app: Flask):
    switch = Switch(failing=False)
    jobs = current_jobs(app)
    jobs.registry.add(flaky_kind(switch))
    first = jobs.submit("test.flaky", {"n": 1}, key="same").id
    second = jobs.submit("test.flaky", {"n": 2}, key="same").id
    assert first == second and switch.calls == [1]
    assert job_now().args == {"n": 1}


def test_a_new_key_is_run_once_committed_and_a_reused_one_is_refused(app: Flask):
    switch = Switch(failing=False)
    jobs = current_jobs(app)
    jobs.registry.add(flaky_kind(switch))
    first = jobs.record_new("test.flaky", {"n": 1}, key="random-part")
    assert switch.calls == []  # recorded in the caller's transaction, not sent yet
    db.session.commit()
    assert switch.calls == [1] and job_now().id == first  # sent by the id it was given
    # A plain INSERT, no ORM object: what it names is stored, the rest took their defaults
    # (the inline queue has run it since).
    db.session.expire_all()
    job = db.session.get(Job, first)
    assert job is not None and job.kind == "test.flaky" and job.owner_id is None
    assert job.max_attempts == jobs.registry.get("test.flaky").max_attempts
    assert job.args == {"n": 1} and job.created_at == job.run_after
    assert job.state == JobState.DONE and job.attempts == 1 and job.error == ""

    # The caller promised a unique key: a reused one is an error, not the other job.
    with pytest.raises(IntegrityError):
        jobs.record_new("test.flaky", {"n": 2}, key="random-part")
    db.session.rollback()
    assert switch.calls == [1] and job_now().args == {"n": 1}


def test_a_job_recorded_in_a_transaction_that_rolls_back_is_never_sent(app: Flask):
    switch = Switch(failing=False)
    jobs = current_jobs(app)
    jobs.registry.add(flaky_kind(switch))
    jobs.record_new("test.flaky", {"n": 1}, key="rolled-back")
    db.session.rollback()
    db.session.commit()  # a later commit does not send what the rollback dropped
    assert switch.calls == []
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0

    # Nor does a session closed with the job still uncommitted (a request that failed).
    jobs.record_new("test.flaky", {"n": 2}, key="closed")
    db.session.close()
    db.session.commit()
    assert switch.calls == []
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_job_is_claimed_with_two_statements_before_it_runs(app: Flask):
    """A worker runs a certificate job per completion in a rush: its claim stays small."""
    jobs = current_jobs(app)
    before_run: list[list[str]] = []

    def run(context: JobContext) -> Outcome:
        before_run.append(_queries(list(statements)))
        return Outcome(info={"args": context.args, "attempt": context.attempt})

    jobs.registry.add(JobKind("test.counted", run))
    with counted(app) as statements:
        job_id = jobs.record_new("test.counted", {"n": 1}, key="counted")
        db.session.commit()  # the inline queue runs it now

    # The INSERT, then its kind and the claim, which returns the arguments and attempt.
    [claim] = before_run
    assert len(claim) == 3, "\n".join(claim)
    assert claim[1].startswith("SELECT job.kind") and claim[2].startswith("UPDATE job SET")
    db.session.expire_all()
    job = db.session.get_one(Job, job_id)
    assert job.state == JobState.DONE and job.result_info == {"args": {"n": 1}, "attempt": 1}
