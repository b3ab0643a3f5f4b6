"""Job kinds for the tests: one that fails on demand, one that waits for a file."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from elearn.jobs.registry import JobContext, JobKind, Outcome

WAIT_SECONDS = 600  # far longer than any test: the worker is killed well before


@dataclass
class Switch:
    """Whether the ``test.flaky`` job fails, and how often it was called."""

    failing: bool = True
    calls: list[int] = field(default_factory=list)


def flaky_kind(switch: Switch, max_attempts: int = 3) -> JobKind:
    def run(context: JobContext) -> Outcome:
        switch.calls.append(context.attempt)
        if switch.failing:
            raise ConnectionError("LRS tidak menjawab")
        return Outcome(result="ok", info={"attempt": context.attempt})

    return JobKind("test.flaky", run, max_attempts=max_attempts)


def _wait_for_release(context: JobContext) -> Outcome:
    """Note who started, then wait until the test creates the release file."""
    started = Path(context.args["started"])
    release = Path(context.args["release"])
    with started.open("a") as note:
        note.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + WAIT_SECONDS
    while not release.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.1)
    return Outcome(result=f"pid:{os.getpid()}")


BLOCKING = JobKind("test.block", _wait_for_release, max_attempts=3, lease_seconds=600)
