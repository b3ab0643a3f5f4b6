"""Which reminder is due for an assignment, given the learner's local day.

The due day is the assignment's ``due_on`` everywhere (the date every page shows); the
learner's zone decides when their day starts. With days before ``(14, 3)``, a learner
``r`` days before the due day is in ``due_in_14`` for r = 14…4, ``due_in_3`` for r = 3…1,
``due_today`` on it, and ``overdue_week_W`` in the W-th week after it. One reminder per
window: a pass that missed a day (or an assignment made 10 days ahead) still sends the
window's reminder, once, and never one for a window already left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from elearn.reminders.kinds import Family, Kind
from elearn.settings import ReminderSettings


@dataclass(frozen=True)
class Window:
    """Assignments due between ``first`` and ``last`` (inclusive) get ``kind`` today."""

    kind: Kind
    first: date
    last: date

    @property
    def overdue(self) -> bool:
        return self.kind.family is Family.OVERDUE


def deadline_windows(today: date, settings: ReminderSettings) -> list[Window]:
    """The windows of the learner's local day ``today``, on the assignments' due day."""
    windows: list[Window] = []
    previous = 0
    for days in sorted(settings.before_days):
        first, last = today + timedelta(days=previous + 1), today + timedelta(days=days)
        windows.append(Window(Kind(Family.DUE_IN, days), first, last))
        previous = days
    windows.append(Window(Kind(Family.DUE_TODAY), today, today))
    for week in range(1, settings.overdue_max_weeks + 1):
        last = today - timedelta(days=7 * week - 6)
        windows.append(Window(Kind(Family.OVERDUE, week), today - timedelta(days=7 * week), last))
    return windows


def is_daytime(now: datetime, zone: ZoneInfo, settings: ReminderSettings) -> bool:
    """Whether ``now`` falls in the hours reminders may arrive in, in ``zone``."""
    hour = now.astimezone(zone).hour
    return settings.day_starts_hour <= hour < settings.day_ends_hour
