"""Background jobs: one row per piece of work, the queue's source of truth."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.user import User


class JobState(StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # claimed by a worker until lease_until
    DONE = "done"
    FAILED = "failed"  # the last attempt failed; retried from run_after on
    DEAD = "dead"  # every attempt failed: an admin may requeue it


class Job(Base):
    """One background job: what to run, how it went, and who holds it now."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_state_run_after", "state", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    # Submitting the same key again returns the existing job instead of a second one.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[JobState] = mapped_column(String(10), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    result: Mapped[str] = mapped_column(String(200), default="")  # e.g. blob:12
    result_info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A worker that dies mid-job leaves its lease to expire; another then takes the job.
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[User | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.DEAD)
