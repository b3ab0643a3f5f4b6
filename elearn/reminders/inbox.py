"""A learner's notifications: the list, marking them read, the unread count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update

from elearn.extensions import db
from elearn.models import Assignment, Course, CourseVersion, Reminder, User, VersionStatus
from elearn.reminders.kinds import Kind

PAGE_SIZE = 50
# The nav shows "99+" past this; it is also part of the nav's cache key, so keep it small.
UNREAD_SHOWN_MAX = 99


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: Kind
    course_title: str | None  # None for a period's reminder (a JP-pace line, a digest)
    course_slug: str | None
    due_at: datetime | None
    created_at: datetime
    read_at: datetime | None
    details: dict[str, Any] | None = None


def unread_count_of(user_id: object) -> Select[Any]:
    """The unread count as a statement; correlated into the sign-in loader's own statement."""
    # The table's columns, not the entity's: the sign-in loader runs it as plain Core.
    reminder = Reminder.__table__.c
    return (
        select(func.count())
        .select_from(Reminder.__table__)
        .where(reminder.user_id == user_id, reminder.read_at.is_(None))
    )


def unread_count(user: User) -> int:
    """The unread count read with the user, else counted now."""
    if user.preloaded_unread is not None:
        return user.preloaded_unread
    return db.session.scalar(unread_count_of(user.id)) or 0


def course_title() -> Any:
    """The title of the course's published version, else its slug (an archived course has
    none), for the notification list and the e-mails alike."""
    published = (
        select(CourseVersion.title)
        .where(
            CourseVersion.course_id == Course.id,
            CourseVersion.status == VersionStatus.PUBLISHED,
        )
        .scalar_subquery()
    )
    return func.coalesce(published, Course.slug)


def notifications(user_id: int, limit: int = PAGE_SIZE) -> list[NotificationRow]:
    """The newest notifications of one learner, in one query."""
    title = course_title()
    rows = db.session.execute(
        select(
            Reminder.id,
            Reminder.kind,
            title,
            Course.slug,
            Assignment.due_at,
            Reminder.created_at,
            Reminder.read_at,
            Reminder.details,
        )
        .outerjoin(Course, Course.id == Reminder.course_id)
        .outerjoin(Assignment, Assignment.id == Reminder.assignment_id)
        .where(Reminder.user_id == user_id)
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
        .limit(limit)
    )
    return [
        NotificationRow(id_, Kind.parse(kind), title_, slug, due_at, created_at, read_at, details)
        for id_, kind, title_, slug, due_at, created_at, read_at, details in rows
    ]


def mark_read(user_id: int, now: datetime, reminder_id: int | None = None) -> int:
    """Mark the learner's unread notifications (or just one of them) read; how many were."""
    statement = update(Reminder).where(Reminder.user_id == user_id, Reminder.read_at.is_(None))
    if reminder_id is not None:
        statement = statement.where(Reminder.id == reminder_id)
    result = db.session.execute(statement.values(read_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


def owns(user_id: int, reminder_id: int) -> bool:
    found = db.session.scalar(
        select(Reminder.id).where(Reminder.id == reminder_id, Reminder.user_id == user_id)
    )
    return found is not None


def set_nudges(user: User, wanted: bool) -> None:
    """Turn the learner's inactivity nudges on or off (deadline reminders always come)."""
    user.nudges_opt_out = not wanted
