"""Job kinds: each names its function, its retry budget and how long a claim lasts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol


class Progress(Protocol):
    def __call__(self, percent: int) -> None: ...


@dataclass(frozen=True)
class JobContext:
    """What a job function gets: its job's id, arguments, and a way to report progress."""

    job_id: int
    args: dict[str, Any]
    attempt: int
    progress: Progress = field(compare=False)


@dataclass(frozen=True)
class Outcome:
    """What a finished job leaves behind: a reference (``blob:12``) and a few facts to show."""

    result: str = ""
    info: dict[str, Any] = field(default_factory=dict)


class PermanentFailure(Exception):
    """Raised by a job that retrying cannot help (bad arguments): it goes dead at once."""


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[[JobContext], Outcome]
    max_attempts: int = 5
    # A claim older than this is taken to mean the worker died; progress renews it.
    lease_seconds: int = 300
    # Work nobody waits on (a PDF rendered ahead): a worker holding both takes the rest first.
    background: bool = False


class JobRegistry:
    """The job kinds the application knows, by name."""

    def __init__(self, kinds: Iterable[JobKind] = ()) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            self.add(kind)

    def add(self, kind: JobKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"job kind {kind.name!r} registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind:
        return self._kinds[name]

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def names(self) -> list[str]:
        return sorted(self._kinds)
