"""Learning events: one row per state change, read by reports and the xAPI export."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, insert

from elearn.extensions import db
from elearn.models import Enrollment, LearningEvent, QuizAttempt, Verb
from elearn.xapi.outbox import enqueue_statement
from elearn.xapi.settings import lrs_url

_EVENTS: Table = LearningEvent.__table__  # type: ignore[assignment]
# Built once: ``EventRows.write``'s INSERT of plain rows (no RETURNING, no ORM objects).
_INSERT_EVENTS = insert(_EVENTS)


class Identified(Protocol):
    """A course item as a ``CourseItem`` or a cached ``OutlineItem``: its id is what counts."""

    @property
    def id(self) -> int: ...


def record_event(
    enrollment: Enrollment,
    verb: Verb,
    at: datetime,
    *,
    item: Identified | None = None,
    attempt: QuizAttempt | None = None,
    score: float | None = None,
    duration_seconds: int | None = None,
) -> LearningEvent:
    """Add an event for ``enrollment`` (flushed with the caller's transaction)."""
    event = LearningEvent(**_row(enrollment, verb, at, item, attempt, score, duration_seconds))
    db.session.add(event)
    enqueue_statement(event)
    return event


class EventRows:
    """Events a service gathers and writes together, in one INSERT (``write``).

    A quiz submit records three (submitted, passed, completed). As ORM objects they cost
    the unit of work and an INSERT returning their ids (on SQLite one INSERT each); nothing
    reads those objects afterwards, so they go as plain rows. With an LRS configured each
    event's xAPI statement needs its id: then they are added as ``record_event`` adds them.
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        enrollment: Enrollment,
        verb: Verb,
        at: datetime,
        *,
        item: Identified | None = None,
        attempt: QuizAttempt | None = None,
        score: float | None = None,
        duration_seconds: int | None = None,
    ) -> None:
        self.rows.append(_row(enrollment, verb, at, item, attempt, score, duration_seconds))

    def write(self) -> None:
        """Insert the gathered events, in the order they were added."""
        rows, self.rows = self.rows, []
        if not rows:
            return
        if lrs_url():
            for row in rows:
                event = LearningEvent(**row)
                db.session.add(event)
                enqueue_statement(event)
            return
        db.session.execute(_INSERT_EVENTS, rows)


def _row(
    enrollment: Enrollment,
    verb: Verb,
    at: datetime,
    item: Identified | None,
    attempt: QuizAttempt | None,
    score: float | None,
    duration_seconds: int | None,
) -> dict[str, Any]:
    return {
        "user_id": enrollment.user_id,
        "enrollment_id": enrollment.id,
        "version_id": enrollment.version_id,
        "item_id": item.id if item else None,
        "attempt_id": attempt.id if attempt else None,
        "verb": verb,
        "score": score,
        "duration_seconds": duration_seconds,
        "created_at": at,
    }
