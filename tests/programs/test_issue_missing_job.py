"""The hourly ``programs.issue-missing`` job issues a program certificate the completion missed."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Job, JobState, ProgramCertificate
from tests.learning.helpers import sign_in
from tests.programs.helpers import finish, join
from tests.programs.test_programs import _two_courses


def _certificates() -> int:
    return db.session.scalar(select(func.count()).select_from(ProgramCertificate)) or 0


def test_a_missed_program_certificate_is_issued_once_by_the_job(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _two_courses(tmp_path)
    learner, other = sign_in(app), sign_in(app, name="Lain")
    join(learner)
    join(other)
    finish(other, "kursus-a")  # half-way: nothing is due to them

    def failed(*_args: object) -> int:
        raise RuntimeError("the worker died between the course and the program certificate")

    # The course certificates are issued; the program's step fails (and is logged).
    monkeypatch.setattr("elearn.programs.completion.check_programs_of", failed)
    finish(learner, "kursus-a")
    finish(learner, "kursus-b")
    assert _certificates() == 0

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])  # inline: runs it
    assert result.exit_code == 0, result.output
    certificate = db.session.scalars(select(ProgramCertificate)).one()
    assert certificate.user_id == learner.user.id and certificate.jp == 8
    job = db.session.scalar(select(Job).where(Job.kind == "programs.issue-missing"))
    assert job is not None and job.state == JobState.DONE and job.result_info == {"issued": 1}

    # Idempotent: another pass (here through the CLI, as cron would) issues nothing more.
    again = app.test_cli_runner().invoke(args=["programs", "issue-missing"])
    assert again.output.strip() == "0 program certificate(s) issued"
    assert _certificates() == 1


def test_the_job_is_registered_and_scheduled(app: Flask):
    from elearn.jobs.binding import current_jobs

    jobs = current_jobs(app)
    assert "programs.issue-missing" in jobs.registry
    assert any(s.kind == "programs.issue-missing" for s in jobs.schedules)
