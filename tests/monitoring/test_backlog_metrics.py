"""Backlog gauges on /metrics: jobs by state and kind, the oldest due job, the xAPI outbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.extensions import db
from elearn.jobs.xapi_delivery import DELIVERY_KIND
from elearn.learning.enrollment import enroll
from elearn.models import Job, JobState, StatementOutbox
from elearn.xapi.outbox import PARKED_AT
from tests.conftest import FrozenClock
from tests.factories import make_user
from tests.learning.helpers import publish_course
from tests.monitoring.test_metrics import REMOTE, sample
from tests.xapi.conftest import with_xapi

EXPORT = "export.enrollments"


def add_job(name: str, kind: str, state: JobState, due_in: timedelta, clock: FrozenClock) -> None:
    db.session.add(Job(kind=kind, key=name, args={}, state=state, run_after=clock() + due_in))


def queue_statements(app: Flask, tmp_path: Path, learners: int) -> list[StatementOutbox]:
    """One enrolment statement per learner, queued at the clock's time."""
    with_xapi(app, lrs_url="http://127.0.0.1:9/xapi", home_page="https://e.test")
    version = publish_course(tmp_path)
    for _ in range(learners):
        enroll(make_user(), version.course)
    db.session.commit()
    return list(db.session.scalars(select(StatementOutbox).order_by(StatementOutbox.id)))


def test_jobs_and_outbox_backlog_at_a_frozen_clock(
    app: Flask, client: FlaskClient, tmp_path: Path, clock: FrozenClock
):
    minute = timedelta(minutes=1)
    add_job("a", EXPORT, JobState.QUEUED, -2 * minute, clock)  # the oldest due: 120 s
    add_job("b", EXPORT, JobState.QUEUED, -minute, clock)
    add_job("c", EXPORT, JobState.QUEUED, 10 * minute, clock)  # not due yet
    add_job("d", EXPORT, JobState.FAILED, -minute, clock)  # due for its retry
    add_job("e", EXPORT, JobState.DEAD, -60 * minute, clock)  # waits for an admin, not a worker
    add_job("f", EXPORT, JobState.DONE, -90 * minute, clock)
    add_job("g", DELIVERY_KIND, JobState.RUNNING, -90 * minute, clock)

    rows = queue_statements(app, tmp_path, learners=4)
    assert len(rows) == 4
    delivered, rejected = rows[0], rows[1]
    delivered.created_at = clock() - 120 * minute
    delivered.delivered_at = clock()
    rejected.created_at = clock() - 60 * minute
    rejected.next_attempt_at = PARKED_AT
    db.session.commit()
    clock.advance(seconds=90)  # the two pending statements are now 90 s old

    body = client.get("/metrics").get_data(as_text=True)
    jobs = "elearn_jobs"
    assert sample(body, jobs, state="queued", kind=EXPORT) == 3
    assert sample(body, jobs, state="failed", kind=EXPORT) == 1
    assert sample(body, jobs, state="dead", kind=EXPORT) == 1
    assert sample(body, jobs, state="running", kind=DELIVERY_KIND) == 1
    # Every known kind shows every state, so an emptied queue reads 0 rather than nothing.
    assert f'elearn_jobs{{kind="{EXPORT}",state="running"}} 0.0' in body
    assert 'state="done"' not in body
    assert sample(body, "elearn_jobs_oldest_queued_age_seconds") == 210  # 120 s + 90 s
    assert sample(body, "elearn_xapi_outbox_pending") == 2
    assert sample(body, "elearn_xapi_outbox_rejected") == 1
    assert sample(body, "elearn_xapi_outbox_lag_seconds") == 90

    # Still only for local clients and token holders.
    assert client.get("/metrics", environ_base=REMOTE).status_code == 404


def test_an_empty_backlog_reads_zero(client: FlaskClient, clock: FrozenClock):
    body = client.get("/metrics").get_data(as_text=True)
    assert "elearn_jobs_oldest_queued_age_seconds 0.0" in body
    assert "elearn_xapi_outbox_pending 0.0" in body
    assert "elearn_xapi_outbox_lag_seconds 0.0" in body


def test_a_database_error_leaves_the_backlog_out_and_is_logged_once(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
):
    StatementOutbox.__table__.drop(db.engine)  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="elearn.monitoring.backlog"):
        for _ in range(2):
            response = client.get("/metrics")
            assert response.status_code == 200
            body = response.get_data(as_text=True)
            assert "elearn_request_duration_seconds_count" in body  # the rest still answers
            assert "elearn_xapi_outbox" not in body and "elearn_jobs" not in body
    warnings = [r for r in caplog.records if r.name == "elearn.monitoring.backlog"]
    assert len(warnings) == 1 and "database" in warnings[0].getMessage()

    StatementOutbox.__table__.create(db.engine)  # type: ignore[attr-defined]
    body = client.get("/metrics").get_data(as_text=True)
    assert "elearn_xapi_outbox_pending 0.0" in body
