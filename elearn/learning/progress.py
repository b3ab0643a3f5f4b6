"""Module progress, study time from server timestamps, and course completion."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from elearn import clock
from elearn.certificates.owed_job import owe_certificate
from elearn.content.quiz import QuizRole
from elearn.extensions import db
from elearn.learning.events import EventRows, record_event
from elearn.models import CourseItem, Enrollment, ItemKind, ItemProgress, Verb
from elearn.reports import rollups
from elearn.settings import LearningSettings


class Item(Protocol):
    """What progress needs of a course item: a ``CourseItem`` or a cached ``OutlineItem``."""

    @property
    def id(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def quiz(self) -> dict[str, Any] | None: ...


def _progress_row(enrollment: Enrollment, item_id: int, now: datetime) -> ItemProgress:
    for row in enrollment.progress:
        if row.item_id == item_id:
            return row
    row = ItemProgress(item_id=item_id, first_opened_at=now, seconds_spent=0)
    enrollment.progress.append(row)
    return row


def _credit_open_visit(
    enrollment: Enrollment, now: datetime, cap: timedelta, item_ids: Collection[int] | None = None
) -> None:
    """Add the time since the last page view to the item it was on, capped.

    ``item_ids`` are the ids of the enrolment's version's items, when the caller has
    them; else the last item is looked up (by key, so usually without a query).
    """
    last_item_id = enrollment.last_item_id
    if last_item_id is None or enrollment.last_seen_at is None:
        return
    if item_ids is None:
        last_item = db.session.get(CourseItem, last_item_id)
        if last_item is None or last_item.version_id != enrollment.version_id:
            return
    elif last_item_id not in item_ids:
        return
    elapsed = max(timedelta(0), min(now - enrollment.last_seen_at, cap))
    _progress_row(enrollment, last_item_id, now).seconds_spent += int(elapsed.total_seconds())


def open_item(
    enrollment: Enrollment,
    item: Item,
    item_ids: Collection[int] | None = None,
    *,
    learning: LearningSettings,
) -> None:
    """Note that the learner is now looking at ``item`` (this is where Lanjutkan resumes).

    ``item_ids``: the ids of the version's items, if the caller has them at hand.
    """
    now = clock.now()
    _credit_open_visit(enrollment, now, learning.visit_time_cap, item_ids)
    _progress_row(enrollment, item.id, now)
    enrollment.last_item_id = item.id
    enrollment.last_seen_at = now


def complete_module(
    enrollment: Enrollment, item: CourseItem, *, learning: LearningSettings
) -> bool:
    """Mark a module done ("tandai selesai"); return True the first time.

    Idempotent: a repeated request (a double tap, two tabs, a completion queued offline
    and replayed) changes nothing. Of parallel requests, the conditional update lets
    one through, as ``check_completion`` does for the course.
    """
    now = clock.now()
    if all(row.item_id != item.id for row in enrollment.progress):
        # Never opened (or opened by a parallel request just now): add the row, or keep theirs.
        db.session.execute(_insert_ignoring_duplicates(enrollment.id, item.id, now))
        db.session.expire(enrollment, ["progress"])
    row = _progress_row(enrollment, item.id, now)
    if row.completed_at is not None:
        return False
    if row.id is None:  # added in this transaction (open_item), not yet sent
        db.session.flush()
    if not _completed_once(row, now):
        return False
    _credit_open_visit(enrollment, now, learning.visit_time_cap)
    enrollment.last_seen_at = now
    record_event(
        enrollment, Verb.MODULE_COMPLETED, now, item=item, duration_seconds=row.seconds_spent
    )
    db.session.flush()
    check_completion(enrollment)
    return True


def _complete(model: type[ItemProgress] | type[Enrollment]) -> Any:
    table: Table = model.__table__  # type: ignore[assignment]
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.completed_at.is_(None))
        .values(completed_at=bindparam("now"))
    )


# ``_completed_once``'s updates, built once: building one per completion cost about as much
# as running it (SQLAlchemy caches the compiled SQL, not the statement). Of the table, not
# the entity: the ORM's bulk-update set-up was a third of the call, and the row is set
# with ``set_committed_value`` anyway.
_COMPLETE = {model: _complete(model) for model in (ItemProgress, Enrollment)}


def _completed_once(row: ItemProgress | Enrollment, now: datetime) -> bool:
    """Set ``completed_at`` with a conditional update: of parallel requests, one wins.

    The loser's row is refreshed to the winner's state; the winner's is set without
    a reload.
    """
    result = db.session.execute(_COMPLETE[type(row)], {"row_id": row.id, "now": now})
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(row)
        return False
    set_committed_value(row, "completed_at", now)
    return True


def _insert_ignoring_duplicates(enrollment_id: int, item_id: int, now: datetime) -> Any:
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return (
        insert(ItemProgress)
        .values(enrollment_id=enrollment_id, item_id=item_id, first_opened_at=now, seconds_spent=0)
        .on_conflict_do_nothing(index_elements=[ItemProgress.enrollment_id, ItemProgress.item_id])
    )


def mark_quiz_passed(enrollment: Enrollment, item: Item, at: datetime) -> None:
    """Record the first pass of a quiz as the item's completion."""
    row = _progress_row(enrollment, item.id, at)
    if row.completed_at is None:
        row.completed_at = at


@dataclass(frozen=True)
class CourseProgress:
    modules_done: int
    modules_total: int
    quizzes_passed: int
    quizzes_total: int
    seconds_spent: int

    @property
    def percent(self) -> int:
        total = self.modules_total + self.quizzes_total
        done = self.modules_done + self.quizzes_passed
        return round(100 * done / total) if total else 0


def counts_as_progress(item: Item) -> bool:
    """Whether the item is part of the progress bar: not a pre-test, which is never required
    and measures what the learner knew before (docs/evaluation.md)."""
    settings = (item.quiz or {}).get("settings", {})
    return settings.get("role") != QuizRole.PRE_TEST.value


def requirements_met(enrollment: Enrollment, items: Iterable[Item] | None = None) -> bool:
    """All modules completed and all required quizzes passed.

    ``items``: the version's items, when the caller has them (else they are loaded).
    """
    done = {p.item_id for p in enrollment.progress if p.completed_at is not None}
    for item in enrollment.version.items if items is None else items:
        required = item.kind == ItemKind.MODULE or bool(
            (item.quiz or {}).get("settings", {}).get("required", True)
        )
        if required and item.id not in done:
            return False
    return True


def check_completion(
    enrollment: Enrollment,
    items: Iterable[Item] | None = None,
    batch: rollups.RollupBatch | None = None,
    events: EventRows | None = None,
) -> bool:
    """Complete the enrolment exactly once when its requirements are met.

    ``items``: the version's items, if the caller has them; ``batch`` and ``events``:
    where the rollup counts and the event go when the caller writes them together (else
    at once, and with the session's flush).
    """
    if enrollment.completed_at is not None or not requirements_met(enrollment, items):
        return False
    now = clock.now()
    if not _completed_once(enrollment, now):
        return False
    rollups.completed(enrollment, now, batch)
    seconds = sum(p.seconds_spent for p in enrollment.progress)
    if events is None:
        record_event(enrollment, Verb.COMPLETED, now, duration_seconds=seconds)
    else:
        events.add(enrollment, Verb.COMPLETED, now, duration_seconds=seconds)
    # Issued after this transaction commits, so a failure to issue can never
    # undo the learner's submitted attempt or completed module.
    owe_certificate(enrollment)  # and then its learner's programs (owed_job.settle_completions)
    return True
