"""Hand the reminders not yet delivered to the channels, a chunk at a time, in daytime only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from elearn.extensions import db
from elearn.models import Assignment, Course, Reminder, User
from elearn.reminders.channels import Channel, Notice
from elearn.reminders.inbox import course_title
from elearn.reminders.kinds import Kind
from elearn.reminders.windows import is_daytime
from elearn.settings import Settings

CHUNK = 500


def _pending(after: int) -> Sequence[Any]:
    title = course_title()
    statement = (
        select(
            Reminder.id,
            Reminder.kind,
            Reminder.user_id,
            User.full_name,
            User.email,
            User.locale,
            User.unit_id,
            title,
            Course.slug,
            Assignment.due_at,
            Reminder.period,
            Reminder.details,
        )
        .join(User, User.id == Reminder.user_id)
        .outerjoin(Course, Course.id == Reminder.course_id)  # none for a period's reminder
        .outerjoin(Assignment, Assignment.id == Reminder.assignment_id)
        .where(Reminder.delivered_at.is_(None), Reminder.id > after)
        .order_by(Reminder.id)
        .limit(CHUNK)
    )
    return db.session.execute(statement).all()


def deliver_pending(
    now: datetime,
    settings: Settings,
    zones: dict[int, ZoneInfo],
    channels: Sequence[Channel],
) -> Counter[str]:
    """Deliver each undelivered reminder whose learner is awake; count sends per channel.

    A reminder left undelivered by a pass that stopped half-way goes out with the next
    one; the channels' keys make a reminder delivered twice at once arrive once.
    """
    sent: Counter[str] = Counter()
    default = ZoneInfo(settings.default_timezone)
    after = 0
    while rows := _pending(after):
        after = rows[-1].id
        done: list[int] = []
        for row in rows:
            (reminder_id, kind, user_id, name, email, locale, unit_id) = row[:7]
            (title, slug, due_at, period, details) = row[7:]
            zone = zones.get(unit_id, default)
            if not is_daytime(now, zone, settings.reminders):
                continue  # waits for the morning's pass
            notice = Notice(
                reminder_id=reminder_id,
                kind=Kind.parse(kind),
                user_id=user_id,
                name=name,
                email=email,
                locale=str(locale or settings.languages[0]),
                zone=zone,
                course_title=title or "",
                course_slug=slug or "",
                due_at=due_at,
                period=period,
                details=details,
            )
            for channel in channels:
                if channel.deliver(notice):
                    sent[channel.name] += 1
            done.append(notice.reminder_id)
        if done:
            db.session.execute(
                update(Reminder)
                .where(Reminder.id.in_(done), Reminder.delivered_at.is_(None))
                .values(delivered_at=now)
            )
        db.session.commit()
    return sent
