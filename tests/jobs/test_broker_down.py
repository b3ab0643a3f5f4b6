"""With Redis unreachable a submitted job is kept, queued, for a worker's sweep to send."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.jobs.dramatiq_queue import DramatiqQueue
from elearn.models.job import Job, JobState
from tests.conftest import sqlite_app
from tests.jobs.kinds import Switch, flaky_kind

NOBODY = "redis://127.0.0.1:1/0"  # port 1: the connection is refused at once


@pytest.fixture
def broker_down_app(tmp_path: Path) -> Iterator[Flask]:
    """An app (SQLite) whose job broker cannot be reached."""
    for app in sqlite_app(tmp_path / "down.sqlite", JOB_BROKER_URL=NOBODY):
        yield app
        queue = current_jobs(app).queue
        assert isinstance(queue, DramatiqQueue)
        queue.close()


def test_a_job_submitted_while_redis_is_down_stays_queued(broker_down_app: Flask, caplog):
    switch = Switch(failing=False)
    jobs = current_jobs(broker_down_app)
    jobs.registry.add(flaky_kind(switch))
    job_id = jobs.submit("test.flaky", {}, key="while-down").id

    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert (job.id, job.state, job.attempts) == (job_id, JobState.QUEUED, 0)
    assert switch.calls == []  # not run in the web process
    assert "not sent to Redis" in caplog.text
