"""The monthly line on the 20 JP duty, for learners behind the pace to reach it by 31 December.

One statement per zone and chunk of units, like the deadline reminders: the JP duty's own
query (``reports.jp_duty.learner_jp``: PNS, JP as the career record counts it, in the
learner's zone) selects who is behind ``pace_for`` today, and ``INSERT … SELECT … ON
CONFLICT DO NOTHING`` makes one line per (learner, month) whatever runs at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, literal, select

from elearn.extensions import db
from elearn.models import Reminder, User
from elearn.models.base import UTCDateTime
from elearn.reminders.create import insert_reminder
from elearn.reminders.kinds import Family, Kind
from elearn.reports.jp_duty import UnitZones, learner_jp, pace_for

PACE = Kind(Family.JP_PACE)


def month_period(today: date) -> str:
    """The period of a pace line: ``2026-03``."""
    return f"{today.year:04d}-{today.month:02d}"


def per_month(details: Mapping[str, Any]) -> float:
    """The JP a month still needed to reach the target by 31 December, counting the
    line's month and December: in March, (20 − 6) ÷ 10 = 1.4."""
    missing = max(int(details["target"]) - int(details["jp"]), 0)
    return missing / (13 - int(details["month"]))


def _details(jp: Any, target: int, today: date) -> Any:
    """The line's details as a JSON object built in SQL (each dialect names it its way)."""
    dialect = db.session.get_bind().dialect.name
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    return build(
        "jp", jp, "target", literal(target), "year", literal(today.year),
        "month", literal(today.month),
    )  # fmt: skip


def create_pace_lines(
    unit_ids: Sequence[int], today: date, now: datetime, zones: UnitZones, target: int
) -> list[str]:
    """This month's line for active PNS of ``unit_ids`` behind the pace; their kinds.

    ``today`` is the learners' local day. Learners who turned learning reminders off get
    none: the line is encouragement, not a duty.
    """
    if not unit_ids:
        return []
    pace = pace_for(today.year, today, target)
    period = month_period(today)
    learners = (
        learner_jp(today.year, set(unit_ids), zones)
        .where(User.nudges_opt_out.is_(False))
        .subquery()
    )
    already = exists().where(
        Reminder.user_id == learners.c.user_id,
        Reminder.kind == PACE.name,
        Reminder.period == period,
    )
    rows = select(
        learners.c.user_id,
        literal(PACE.name),
        literal(period),
        _details(learners.c.jp, target, today),
        literal(now, UTCDateTime()),
    ).where(learners.c.jp < literal(pace.expected), ~already)
    statement = (
        insert_reminder()
        .from_select(["user_id", "kind", "period", "details", "created_at"], rows)
        .on_conflict_do_nothing()
        .returning(Reminder.kind)
    )
    return list(db.session.scalars(statement))
