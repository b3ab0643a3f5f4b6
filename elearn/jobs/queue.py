"""The ``JobQueue`` interface and its inline implementation (no Redis: ``make run``, tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from elearn.jobs.runner import RunResult


class JobQueue(Protocol):
    """Hands a recorded job to whatever runs jobs; the job row already exists and is committed."""

    name: str

    def send(
        self, job_id: int, delay: timedelta | None = None, *, background: bool = False
    ) -> None: ...


class InlineQueue:
    """Run each job at once, in the process (and request) that submitted it.

    A retry waiting for its backoff is not slept on: ``flask jobs run-due`` (or
    an admin's requeue) runs it later.
    """

    name = "inline"

    def __init__(self, run: Callable[[int], RunResult]) -> None:
        self._run = run

    def send(
        self, job_id: int, delay: timedelta | None = None, *, background: bool = False
    ) -> None:
        if delay:
            return
        self._run(job_id)
