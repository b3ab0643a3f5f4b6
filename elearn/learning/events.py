"""Learning events: one row per state change, read by reports and the xAPI export."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from elearn.extensions import db
from elearn.models import Enrollment, LearningEvent, QuizAttempt, Verb
from elearn.xapi.outbox import enqueue_statement


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
    event = LearningEvent(
        user_id=enrollment.user_id,
        enrollment_id=enrollment.id,
        version_id=enrollment.version_id,
        item_id=item.id if item else None,
        attempt_id=attempt.id if attempt else None,
        verb=verb,
        score=score,
        duration_seconds=duration_seconds,
        created_at=at,
    )
    db.session.add(event)
    enqueue_statement(event)
    return event
