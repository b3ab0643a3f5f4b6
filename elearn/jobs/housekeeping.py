"""The ``blobs.purge`` job: drop export files past their 24 hours and old finished jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from elearn import clock
from elearn.blobs import BlobStore
from elearn.extensions import db
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.models.job import Job, JobState

PURGE_KIND = "blobs.purge"
KEEP_FINISHED_JOBS = timedelta(days=7)


def purge_kind(store: BlobStore) -> JobKind:
    def run(context: JobContext) -> Outcome:
        now = clock.now()
        files = store.purge(now)
        # Dead jobs stay until an admin has looked; done ones (and their keys) go after a week.
        jobs = db.session.execute(
            delete(Job).where(
                Job.state == JobState.DONE, Job.finished_at < now - KEEP_FINISHED_JOBS
            )
        ).rowcount  # type: ignore[attr-defined]
        db.session.commit()
        return Outcome(info={"files": files, "jobs": jobs})

    return JobKind(PURGE_KIND, run, max_attempts=3)
