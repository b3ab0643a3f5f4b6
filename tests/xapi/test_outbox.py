"""The outbox: queued with each event, delivered to a real local LRS, retried with backoff."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from elearn.extensions import db
from elearn.learning.enrollment import enroll
from elearn.models import CourseVersion, LearningEvent, StatementOutbox, Verb
from elearn.xapi.delivery import deliver_pending
from elearn.xapi.outbox import PARKED_AT
from elearn.xapi.statements import statement_for
from tests.conftest import FrozenClock
from tests.factories import make_user
from tests.learning.helpers import publish_course
from tests.xapi.conftest import (
    HOME,
    LRS_PASSWORD,
    LRS_USER,
    FakeLrs,
    configure_lrs,
    with_xapi,
)
from tests.xapi.helpers import full_journey, study, take_quiz, validate


def outbox() -> list[StatementOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(StatementOutbox).order_by(StatementOutbox.id)))


def some_events(tmp_path: Path, clock: FrozenClock, learners: int = 2) -> CourseVersion:
    """Each learner: enrolled, module-completed, attempt-started, attempt-submitted, failed."""
    version = publish_course(tmp_path)
    for _ in range(learners):
        enrollment = study(make_user(), version, clock)
        take_quiz(enrollment, version, "kuis-siklus", clock, correct=False)
    return version


def deliver(runner: FlaskCliRunner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["xapi", "deliver", *args])


def test_nothing_is_queued_without_an_lrs(xapi_app: Flask, tmp_path: Path, clock: FrozenClock):
    some_events(tmp_path, clock, learners=1)
    assert db.session.scalar(select(LearningEvent.id)) is not None
    assert outbox() == []


def test_each_event_is_queued_in_its_own_transaction(
    xapi_app: Flask, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url)
    version = publish_course(tmp_path)
    user = make_user()
    full_journey(user, version, clock)
    events = list(db.session.scalars(select(LearningEvent).order_by(LearningEvent.id)))
    rows = outbox()
    exported = [e for e in events if e.verb != Verb.EVALUATED]
    assert [r.event_id for r in rows] == [e.id for e in exported]
    for row, event in zip(rows, exported, strict=True):
        assert row.statement == statement_for(event, home_page=HOME)
        assert row.statement_id == row.statement["id"]
        assert row.delivered_at is None and row.attempts == 0
        validate(row.statement)

    # A rolled-back enrolment leaves neither an event nor a queued statement.
    other = make_user()
    enroll(other, version.course)
    db.session.rollback()
    assert db.session.scalar(select(LearningEvent).where(LearningEvent.user_id == other.id)) is None
    assert len(outbox()) == len(rows)


def test_lrs_down_schedules_retries_and_loses_nothing(
    xapi_app: Flask,
    runner: FlaskCliRunner,
    lrs: FakeLrs,
    closed_port: int,
    tmp_path: Path,
    clock: FrozenClock,
):
    configure_lrs(xapi_app, f"http://127.0.0.1:{closed_port}/xapi")
    some_events(tmp_path, clock)
    queued = outbox()
    assert len(queued) == 10

    result = deliver(runner)
    assert result.exit_code == 1
    assert "LRS unreachable" in result.output and "10 statements to retry" in result.output
    rows = outbox()
    now = clock.current
    # The first batch was tried and waits a minute; nothing is lost or skipped.
    assert [r.attempts for r in rows] == [1] * 10
    assert all(r.next_attempt_at == now + timedelta(seconds=60) for r in rows)
    assert all("LRS unreachable" in r.last_error for r in rows)
    assert all(r.delivered_at is None for r in rows)
    status = runner.invoke(args=["xapi", "status"]).output
    assert "pending: 10" in status and "failing: 10" in status and "delivered: 0" in status

    # The LRS comes back, but the retry is not due yet: nothing is sent.
    configure_lrs(xapi_app, lrs.url)
    assert deliver(runner).exit_code == 0
    assert lrs.received == []
    clock.advance(seconds=60)
    result = deliver(runner)
    assert result.exit_code == 0, result.output
    assert "Delivered 10 statements" in result.output
    assert lrs.statement_ids == [r.statement_id for r in queued]  # in order
    assert all(r.delivered_at == clock.current for r in outbox())
    assert "pending: 0" in runner.invoke(args=["xapi", "status"]).output


def test_lrs_up_gets_batches_in_order_with_headers(
    xapi_app: Flask, runner: FlaskCliRunner, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url + "/")
    with_xapi(xapi_app, batch_size=4)
    some_events(tmp_path, clock)
    queued = outbox()

    result = deliver(runner, "--limit", "6")
    assert result.exit_code == 0, result.output
    assert [len(r.statements) for r in lrs.received] == [4, 2]
    assert deliver(runner).exit_code == 0
    assert [len(r.statements) for r in lrs.received] == [4, 2, 4]
    assert lrs.statement_ids == [r.statement_id for r in queued]
    first = lrs.received[0]
    assert first.path == "/xapi/statements"
    assert first.headers["x-experience-api-version"] == "1.0.3"
    assert first.headers["content-type"].startswith("application/json")
    credentials = base64.b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
    assert first.headers["authorization"] == f"Basic {credentials}"
    assert first.statements == [r.statement for r in queued[:4]]

    # Delivered statements are never sent again.
    assert deliver(runner).exit_code == 0
    assert len(lrs.received) == 3


def test_conflict_means_the_lrs_already_has_it(
    xapi_app: Flask, runner: FlaskCliRunner, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url)
    some_events(tmp_path, clock, learners=1)
    queued = outbox()
    known = {queued[1].statement_id}  # e.g. sent before, but the answer was lost
    lrs.answer = lambda statements: 409 if any(s["id"] in known for s in statements) else 200

    result = deliver(runner)
    assert result.exit_code == 0, result.output
    assert "(1 already in the LRS)" in result.output
    # The batch was refused as a whole, so each statement went again on its own.
    assert [len(r.statements) for r in lrs.received] == [5, 1, 1, 1, 1, 1]
    assert all(r.delivered_at is not None for r in outbox())


def test_bad_request_is_a_permanent_failure(
    xapi_app: Flask, runner: FlaskCliRunner, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url)
    some_events(tmp_path, clock, learners=1)
    queued = outbox()
    bad = queued[2]
    lrs.answer = lambda statements: (
        400 if any(s["id"] == bad.statement_id for s in statements) else 200
    )

    result = deliver(runner)
    assert result.exit_code == 1
    assert f"Rejected for good: event {bad.event_id}: HTTP 400" in result.output
    rows = {r.id: r for r in outbox()}
    assert rows[bad.id].delivered_at is None
    assert rows[bad.id].next_attempt_at == PARKED_AT
    assert rows[bad.id].last_error.startswith("permanent: HTTP 400")
    assert all(r.delivered_at is not None for r in rows.values() if r.id != bad.id)
    status = runner.invoke(args=["xapi", "status"]).output
    assert "pending: 0" in status and "rejected: 1" in status and "delivered: 4" in status

    # It is kept, and never retried on its own, however long we wait ...
    sent = len(lrs.received)
    clock.advance(days=400)
    assert deliver(runner).exit_code == 0
    assert len(lrs.received) == sent
    # ... until an operator re-queues it (after fixing the cause).
    lrs.answer = lambda statements: 200
    assert "Re-queued 1 statements" in runner.invoke(args=["xapi", "requeue"]).output
    assert deliver(runner).exit_code == 0
    assert lrs.statement_ids[-1] == bad.statement_id
    assert all(r.delivered_at is not None for r in outbox())


def test_server_errors_and_refused_credentials_are_retried_not_parked(
    xapi_app: Flask, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url)
    some_events(tmp_path, clock, learners=1)
    for status in (500, 503, 401, 429):
        lrs.answer = lambda statements, status=status: status
        report = deliver_pending()
        assert report.retrying == 5 and not report.rejected, status
        assert f"HTTP {status}" in report.error
        clock.current = report.next_attempt_at  # type: ignore[assignment]
    assert [r.attempts for r in outbox()] == [4] * 5
    assert all(r.next_attempt_at < PARKED_AT for r in outbox())


def test_backoff_doubles_up_to_an_hour(
    xapi_app: Flask, closed_port: int, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, f"http://127.0.0.1:{closed_port}")
    some_events(tmp_path, clock, learners=1)
    waits = []
    for _ in range(8):
        report = deliver_pending()
        assert report.retrying == 5
        assert report.next_attempt_at is not None
        waits.append((report.next_attempt_at - clock.current).total_seconds())
        # One second early, nothing is tried.
        clock.current = report.next_attempt_at - timedelta(seconds=1)
        assert deliver_pending().retrying == 0
        clock.advance(seconds=1)
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_the_oldest_statement_holds_the_line(
    xapi_app: Flask, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url)
    with_xapi(xapi_app, batch_size=2)
    version = some_events(tmp_path, clock, learners=1)
    lrs.answer = lambda statements: 503
    deliver_pending()
    # New events arrive while the head waits for its retry: they wait behind it.
    lrs.answer = lambda statements: 200
    enroll(make_user(), version.course)
    db.session.commit()
    assert deliver_pending().delivered == 0
    assert len(lrs.received) == 1
    clock.advance(minutes=1)
    assert deliver_pending().delivered == 6
    assert lrs.statement_ids[2:] == [r.statement_id for r in outbox()]


def test_redirects_are_not_followed(
    xapi_app: Flask, lrs: FakeLrs, tmp_path: Path, clock: FrozenClock
):
    configure_lrs(xapi_app, lrs.url)
    some_events(tmp_path, clock, learners=1)
    lrs.redirect_to = lrs.url + "/elsewhere/statements"
    lrs.answer = lambda statements: 302
    report = deliver_pending()
    assert [r.path for r in lrs.received] == ["/xapi/statements"]  # credentials went nowhere else
    assert report.retrying == 5 and "HTTP 302" in report.error


def test_deliver_needs_an_lrs(xapi_app: Flask, runner: FlaskCliRunner):
    result = deliver(runner)
    assert result.exit_code == 1 and "XAPI_LRS_URL is not set" in result.output
