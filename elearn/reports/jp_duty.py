"""The 20 JP duty per unit: who has reached it this year, and who lags behind the calendar.

A learner's JP of a year is what their career record counts toward the duty
(``elearn.records.entries.jp_total_for_year``): JP of completed platform courses
whose certificate is not revoked, plus verified external trainings finished that
year. ``LearnerJpTotal`` keeps that sum per UTC year; the record counts a platform
completion in the year of the learner's own zone, so the completions between the
local and the UTC new year (a few hours, found through the ``completed_at`` index)
are moved across. Every figure is a fixed number of statements whatever the data size.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, literal, select, union_all

from elearn.extensions import db
from elearn.models import (
    Certificate,
    CourseVersion,
    EmployeeType,
    Enrollment,
    LearnerJpTotal,
    Unit,
    User,
)
from elearn.reports.rows import UnitNames


class LearnerState(StrEnum):
    REACHED = "reached"
    ON_PACE = "on_pace"
    BEHIND = "behind"


@dataclass(frozen=True)
class Pace:
    """The year's target and the JP a learner should have by ``today`` to reach it."""

    year: int
    target: int
    expected: float

    def state(self, jp: int) -> LearnerState:
        if jp >= self.target:
            return LearnerState.REACHED
        return LearnerState.ON_PACE if jp >= self.expected else LearnerState.BEHIND


def pace_for(year: int, today: date, target: int) -> Pace:
    """Target × day of the year / days in the year; a past year expects all of it."""
    if year < today.year:
        return Pace(year, target, float(target))
    if year > today.year:
        return Pace(year, target, 0.0)
    days = 366 if calendar.isleap(year) else 365
    return Pace(year, target, target * today.timetuple().tm_yday / days)


@dataclass(frozen=True)
class UnitDuty:
    unit_id: int
    unit: str  # full path
    learners: int
    reached: int
    behind: int
    median: float

    @property
    def share(self) -> float:
        """Fraction of the learners at the target (for the ``percent`` filter)."""
        return self.reached / self.learners if self.learners else 0.0

    @property
    def rate(self) -> float:
        """The same as a percentage with one decimal (for the chart)."""
        return round(100 * self.share, 1)


@dataclass(frozen=True)
class LearnerDuty:
    user_id: int
    name: str
    nip: str
    jp: int
    state: LearnerState


SORT_KEYS = ("unit", "learners", "reached", "share", "median", "behind")


def sort_units(rows: list[UnitDuty], key: str, descending: bool) -> list[UnitDuty]:
    """Order the table by one column; ties by unit path, so the order is stable."""
    if key == "unit":
        return sorted(rows, key=lambda r: r.unit, reverse=descending)
    ordered = sorted(rows, key=lambda r: r.unit)
    return sorted(ordered, key=lambda r: getattr(r, key), reverse=descending)


class UnitZones:
    """Units' paths (``UnitNames``) and the zone their learners' years are counted in."""

    def __init__(self, default_zone: str) -> None:
        self.names = UnitNames()
        rows = db.session.execute(select(Unit.id, Unit.parent_id, Unit.timezone)).all()
        parent = {uid: parent_id for uid, parent_id, _ in rows}
        own = {uid: zone for uid, _, zone in rows}
        self.zone: dict[int, str] = {}
        for uid in own:
            # Unit.resolved_timezone without loading entities: nearest ancestor with a zone.
            chain, found = [uid], own[uid]
            while found is None and (up := parent[chain[-1]]) is not None and up not in chain:
                chain.append(up)
                found = own[up]
            self.zone[uid] = found or default_zone


def _year_edges(year: int, zone: ZoneInfo) -> list[tuple[datetime, datetime, int]]:
    """Ranges of completion times whose local year differs from their UTC year, with signs.

    East of UTC (all of Indonesia) the local year begins before the UTC one: completions in
    between count for the local year (+1) and those before the next local new year's UTC
    instant leave it (-1). West of UTC the signs swap.
    """
    edges = []
    for y, inside in ((year, 1), (year + 1, -1)):
        local = datetime(y, 1, 1, tzinfo=zone).astimezone(UTC)
        utc = datetime(y, 1, 1, tzinfo=UTC)
        if local != utc:
            edges.append((min(local, utc), max(local, utc), inside if local < utc else -inside))
    return edges


def _edge_jp(year: int, units: set[int] | None, zones: UnitZones) -> Any:
    """Per learner, the platform JP to add to the UTC-year total to get the local-year one."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for uid, zone in zones.zone.items():
        if units is None or uid in units:
            by_zone[zone].append(uid)
    branches = []
    for zone, unit_ids in sorted(by_zone.items()):
        for start, end, sign in _year_edges(year, ZoneInfo(zone)):
            branches.append(
                select(Enrollment.user_id.label("user_id"), (sign * CourseVersion.jp).label("jp"))
                .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
                .join(User, Enrollment.user_id == User.id)
                .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
                .where(
                    Enrollment.completed_at >= start,
                    Enrollment.completed_at < end,
                    Certificate.revoked_at.is_(None),  # no certificate, or one still valid
                    User.unit_id.in_(sorted(unit_ids)),
                )
            )
    if not branches:
        return None
    edges = union_all(*branches).subquery()
    return (
        select(edges.c.user_id, func.sum(edges.c.jp).label("jp"))
        .group_by(edges.c.user_id)
        .subquery()
    )


def learner_jp(
    year: int,
    units: set[int] | None,
    zones: UnitZones,
    employee_types: tuple[EmployeeType, ...] = (EmployeeType.PNS,),
) -> Select:
    """Active PNS in ``units`` (None: all) with their JP of ``year``: one row each.

    Columns: user_id, unit_id, name, nip, jp. PPPK are left out: the 20 JP duty is the
    PNS's (PP 11/2017 art. 203); PPPK have a 24 JP ceiling instead. The Pembelajar ASN
    badge, which recognises any learner, passes both ``employee_types``.
    """
    total = LearnerJpTotal
    jp: Any = func.coalesce(total.jp, 0)
    statement = select(User.id.label("user_id"), User.unit_id.label("unit_id"),
                       User.full_name.label("name"), User.nip.label("nip"))  # fmt: skip
    statement = statement.outerjoin(total, and_(total.user_id == User.id, total.year == year))
    edge = _edge_jp(year, units, zones)
    if edge is not None:
        statement = statement.outerjoin(edge, edge.c.user_id == User.id)
        jp = jp + func.coalesce(edge.c.jp, 0)
    statement = statement.add_columns(jp.label("jp")).where(
        User.is_active.is_(True), User.employee_type.in_(employee_types)
    )
    if units is not None:
        statement = statement.where(User.unit_id.in_(sorted(units)))
    return statement


def unit_duties(pace: Pace, units: set[int] | None, zones: UnitZones) -> list[UnitDuty]:
    """One row per unit in scope with active PNS, in one statement (plus the units')."""
    learners = learner_jp(pace.year, units, zones).subquery()
    ranked = select(
        learners.c.unit_id,
        learners.c.jp,
        func.row_number()
        .over(partition_by=learners.c.unit_id, order_by=learners.c.jp)
        .label("position"),
        func.count().over(partition_by=learners.c.unit_id).label("size"),
    ).subquery()
    # The median is the middle row (odd sizes) or the mean of the two middle ones:
    # exactly the rows whose 2 × position lies in [size, size + 2].
    twice = 2 * ranked.c.position
    middle = and_(twice >= ranked.c.size, twice <= ranked.c.size + 2)
    statement = select(
        ranked.c.unit_id,
        func.count(),
        func.sum(case((ranked.c.jp >= pace.target, 1), else_=0)),
        func.sum(case((ranked.c.jp < literal(pace.expected), 1), else_=0)),
        func.avg(case((middle, ranked.c.jp))),
    ).group_by(ranked.c.unit_id)
    return [
        UnitDuty(
            unit_id=unit_id,
            unit=zones.names.path.get(unit_id, "?"),
            learners=int(count),
            reached=int(reached),
            behind=int(behind),
            median=float(median),
        )
        for unit_id, count, reached, behind, median in db.session.execute(statement)
    ]


def _learners_of(pace: Pace, unit_id: int, zones: UnitZones) -> Any:
    return learner_jp(pace.year, {unit_id}, zones).subquery()


def count_unit_learners(pace: Pace, unit_id: int, zones: UnitZones) -> int:
    learners = _learners_of(pace, unit_id, zones)
    return int(db.session.execute(select(func.count()).select_from(learners)).scalar_one())


def unit_learners(
    pace: Pace, unit_id: int, zones: UnitZones, *, offset: int = 0, limit: int | None = None
) -> list[LearnerDuty]:
    """A unit's learners, fewest JP first (those who need a nudge on top), then by name."""
    learners = _learners_of(pace, unit_id, zones)
    statement = (
        select(learners.c.user_id, learners.c.name, learners.c.nip, learners.c.jp)
        .order_by(learners.c.jp, learners.c.name, learners.c.user_id)
        .offset(offset)
        .limit(limit)
    )
    return [
        LearnerDuty(int(user_id), name, nip, int(jp), pace.state(int(jp)))
        for user_id, name, nip, jp in db.session.execute(statement)
    ]
