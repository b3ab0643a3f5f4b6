"""Submit, requeue and sweep jobs: the one place that writes new jobs and hands them on."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from elearn import clock
from elearn.extensions import db
from elearn.jobs.after_commit import send_after_commit
from elearn.jobs.queue import InlineQueue, JobQueue
from elearn.jobs.registry import JobRegistry
from elearn.jobs.runner import RunResult, run_job
from elearn.jobs.settings import JobSettings
from elearn.models.job import Job, JobState


@dataclass(frozen=True)
class Schedule:
    """Work that recurs: each period's key is submitted once, by whichever worker is first."""

    kind: str
    every_seconds: int
    args: dict[str, Any] = field(default_factory=dict)

    def key(self, now: datetime) -> str:
        return f"{self.kind}@{int(now.timestamp()) // self.every_seconds}"


# The row ``record_new`` inserts (the table's, not the entity's: no ORM set-up), the columns
# not named taking their defaults. Built once.
_JOBS: Table = Job.__table__  # type: ignore[assignment]
_NEW_JOB = insert(_JOBS).returning(_JOBS.c.id)


class Jobs:
    """The application's jobs: its kinds, its settings and the queue that runs them."""

    def __init__(
        self, registry: JobRegistry, settings: JobSettings, schedules: Iterable[Schedule] = ()
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.schedules = tuple(schedules)
        self.queue: JobQueue = InlineQueue(self.run)

    def run(self, job_id: int) -> RunResult:
        """Run one job here (a worker thread, or inline)."""
        return run_job(job_id, self.registry, self.settings, worker_name())

    def submit(
        self,
        kind: str,
        args: dict[str, Any],
        *,
        key: str,
        owner_id: int | None = None,
    ) -> Job:
        """Record a job, commit, and send it; with a ``key`` already used, return that job.

        Commits the caller's transaction: the job must exist before a worker looks for it.
        """
        job = db.session.scalar(select(Job).where(Job.key == key))
        if job is not None:
            db.session.commit()
            return job
        now = clock.now()
        job = Job(
            kind=kind,
            key=key,
            args=args,
            owner_id=owner_id,
            max_attempts=self.registry.get(kind).max_attempts,
            created_at=now,
            run_after=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(job)
        except IntegrityError:  # the same key, submitted at the same moment elsewhere
            found = db.session.scalar(select(Job).where(Job.key == key))
            if found is None:
                raise
            db.session.commit()
            return found
        # Read before the commit expires the job: reading it after would reload the row.
        job_id = job.id
        db.session.commit()
        self.queue.send(job_id, background=self.background(kind))
        return job

    def record_new(
        self, kind: str, args: dict[str, Any], *, key: str, owner_id: int | None = None
    ) -> int:
        """Record a job in the caller's transaction, to be sent once that commits; its id.

        For work a transaction causes: the job commits or rolls back with it, in the same
        commit (jobs/after_commit.py). The key must be new (the caller adds a random
        part): it is neither looked up first nor inserted under a savepoint, and the row
        is one INSERT … RETURNING id, not an ORM object flushed, since the completing quiz
        submit is on a hot path; a clash raises IntegrityError.
        """
        now = clock.now()
        job_id: int = db.session.execute(
            _NEW_JOB,
            {
                "kind": kind,
                "key": key,
                "args": args,
                "owner_id": owner_id,
                "max_attempts": self.registry.get(kind).max_attempts,
                "created_at": now,
                "run_after": now,
            },
        ).scalar_one()
        send_after_commit(db.session(), self.queue, job_id, background=self.background(kind))
        return job_id

    def requeue(self, job_id: int) -> bool:
        """Give a failed or dead job a fresh set of attempts; False if it is neither."""
        kind = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state.in_([JobState.FAILED, JobState.DEAD]))
            .values(
                state=JobState.QUEUED,
                attempts=0,
                progress=0,
                run_after=clock.now(),
                finished_at=None,
            )
            .returning(Job.kind)
        ).scalar()
        db.session.commit()
        if kind is None:
            return False
        self.queue.send(job_id, background=self.background(kind))
        return True

    def sweep(self, *, grace: timedelta | None = None) -> int:
        """Submit this period's scheduled jobs and send again the jobs nobody is running.

        Those are jobs whose worker died (lease expired) and jobs due for longer than
        ``grace`` (their message was lost, or no worker ran the inline retry).
        Returns how many were sent.
        """
        now = clock.now()
        for schedule in self.schedules:
            self.submit(schedule.kind, schedule.args, key=schedule.key(now))
        if grace is None:
            grace = timedelta(seconds=self.settings.resend_after_seconds)
        forgotten = or_(
            and_(Job.state == JobState.RUNNING, Job.lease_until < now),
            and_(Job.state.in_([JobState.QUEUED, JobState.FAILED]), Job.run_after <= now - grace),
        )
        rows = db.session.execute(select(Job.id, Job.kind).where(forgotten).order_by(Job.id)).all()
        ids = [job_id for job_id, _ in rows]
        if grace:  # not again before another grace period has passed
            db.session.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.state.in_([JobState.QUEUED, JobState.FAILED]))
                .values(run_after=now)
            )
        db.session.commit()
        for job_id, kind in rows:
            self.queue.send(job_id, background=self.background(kind))
        return len(ids)

    @property
    def runs_inline(self) -> bool:
        """True when jobs run in the process that submits them (no broker: ``make run``)."""
        return isinstance(self.queue, InlineQueue)

    def background(self, kind: str) -> bool:
        """Whether jobs of ``kind`` wait for the others when a worker has both at hand."""
        return kind in self.registry and self.registry.get(kind).background


def worker_name() -> str:
    """Who claims a job: host, process and thread, so a lease names its holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
