"""Run one job: claim it with a lease, call its kind, record done, failed or dead."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update

from elearn import clock
from elearn.extensions import db
from elearn.jobs.registry import JobContext, JobKind, JobRegistry, Outcome, PermanentFailure
from elearn.jobs.settings import JobSettings
from elearn.models.job import Job, JobState

log = logging.getLogger(__name__)
ERROR_CHARS = 2000


@dataclass(frozen=True)
class RunResult:
    state: JobState | None  # None: not run here (finished, or held by another worker)
    retry_in: timedelta | None = None


def run_job(job_id: int, registry: JobRegistry, settings: JobSettings, worker: str) -> RunResult:
    """Run job ``job_id`` if it is due and nobody holds it; safe to call more than once."""
    # Its kind first (its lease is the kind's), then the claim returns the rest: two
    # statements and one commit before the job runs.
    kind_name = db.session.scalar(_KIND, {"job_id": job_id})
    if kind_name is None:
        db.session.rollback()
        return RunResult(None)
    if kind_name not in registry:
        db.session.rollback()
        return _record_failure(job_id, "", f"unknown job kind {kind_name!r}", dead=True)
    kind = registry.get(kind_name)
    lease = timedelta(seconds=settings.lease_seconds or kind.lease_seconds)
    claimed = _claim(job_id, worker, lease)
    if claimed is None:
        return RunResult(None)
    args, attempt = claimed
    context = JobContext(
        job_id=job_id,
        args=dict(args),
        attempt=attempt,
        progress=LeaseKeeper(job_id, worker, lease),
    )
    return _run(kind, context, worker, settings)


def _run(kind: JobKind, context: JobContext, worker: str, settings: JobSettings) -> RunResult:
    try:
        outcome = kind.run(context)
    except PermanentFailure as exc:
        db.session.rollback()
        return _record_failure(context.job_id, worker, str(exc), dead=True)
    except Exception as exc:
        db.session.rollback()
        log.exception(
            "job %s (%s) failed on attempt %s", context.job_id, kind.name, context.attempt
        )
        message = f"{type(exc).__name__}: {exc}"
        if context.attempt >= kind.max_attempts:
            return _record_failure(context.job_id, worker, message, dead=True)
        wait = settings.backoff(context.attempt)
        return _record_failure(context.job_id, worker, message, dead=False, retry_in=wait)
    return _record_done(context.job_id, worker, outcome)


_KIND = select(Job.kind).where(Job.id == bindparam("job_id"))


def _claim(job_id: int, worker: str, lease: timedelta) -> tuple[dict[str, Any], int] | None:
    """Take the job if it is due, or if its last claim's lease ran out (a dead worker);
    its arguments and this attempt's number, or None if it was not ours to take."""
    now = clock.now()
    claimable = or_(
        and_(Job.state.in_([JobState.QUEUED, JobState.FAILED]), Job.run_after <= now),
        and_(Job.state == JobState.RUNNING, Job.lease_until < now),
    )
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, claimable)
        .values(
            state=JobState.RUNNING,
            attempts=Job.attempts + 1,
            claimed_by=worker,
            lease_until=now + lease,
            started_at=now,
        )
        .returning(Job.args, Job.attempts)
    ).first()
    db.session.commit()
    return None if claimed is None else (claimed.args, claimed.attempts)


def _mine(job_id: int, worker: str) -> object:
    # A worker whose lease ran out may no longer record anything on the job.
    return and_(Job.id == job_id, Job.state == JobState.RUNNING, Job.claimed_by == worker)


def _record_done(job_id: int, worker: str, outcome: Outcome) -> RunResult:
    done = db.session.execute(
        update(Job)
        .where(_mine(job_id, worker))  # type: ignore[arg-type]
        .values(
            state=JobState.DONE,
            progress=100,
            result=outcome.result,
            result_info=outcome.info,
            error="",
            finished_at=clock.now(),
            lease_until=None,
        )
    )
    db.session.commit()
    return RunResult(JobState.DONE if done.rowcount == 1 else None)  # type: ignore[attr-defined]


def _record_failure(
    job_id: int, worker: str, message: str, *, dead: bool, retry_in: timedelta | None = None
) -> RunResult:
    state = JobState.DEAD if dead else JobState.FAILED
    now = clock.now()
    values: dict[str, object] = {
        "state": state,
        "error": message[:ERROR_CHARS],
        "lease_until": None,
    }
    if dead:
        values["finished_at"] = now
    if retry_in is not None:
        values["run_after"] = now + retry_in
    condition = _mine(job_id, worker) if worker else Job.id == job_id
    failed = db.session.execute(update(Job).where(condition).values(**values))  # type: ignore[arg-type]
    db.session.commit()
    if failed.rowcount != 1:  # type: ignore[attr-defined]
        return RunResult(None)
    return RunResult(state, retry_in)


class LeaseKeeper:
    """Report a job's progress; each report also renews the worker's lease on it.

    It writes on a connection of its own, so a job may report between its own
    statements (call it when the job's session has no transaction open: on SQLite
    that transaction would hold the write lock this needs).
    """

    def __init__(self, job_id: int, worker: str, lease: timedelta) -> None:
        self.job_id = job_id
        self.worker = worker
        self.lease = lease
        self.last = -1

    def __call__(self, percent: int) -> None:
        percent = max(0, min(int(percent), 99))  # 100 means done, and only done says so
        if percent == self.last:
            return
        self.last = percent
        with db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(_mine(self.job_id, self.worker))  # type: ignore[arg-type]
                .values(progress=percent, lease_until=clock.now() + self.lease)
            )
