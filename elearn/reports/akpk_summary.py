"""The AKPK page's summary counts, aggregated in the database: two statements for any size.

The same figures as ``Summary`` adds up row by row for the XLSX (``akpk.py``): needs, distinct
civil servants, JP and budget, in total, by unit and by competency, where an assigned course
counts under each competency its chosen version declares. A row's competency is keyed by
(code, name, kind) as the rows show it: the dictionary's name and kind when the code is in it,
else no name and, for a course, the course's competency kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, and_, func, literal_column, select, union_all

from elearn.extensions import db
from elearn.models import (
    Assignment,
    Competency,
    CourseCompetency,
    CourseVersion,
    PlanActivity,
    User,
)
from elearn.reports.akpk import AkpkScope, assignee_source, plan_source
from elearn.reports.rows import UnitNames

CompetencyKey = tuple[str, str, str]  # code, name, kind; "" where unknown


@dataclass(frozen=True)
class Counts:
    """Needs, distinct civil servants, JP and budget of one group of rows."""

    needs: int = 0
    people: int = 0
    jp: int = 0
    budget: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.needs + other.needs, self.people + other.people,
                      self.jp + other.jp, self.budget + other.budget)  # fmt: skip


@dataclass(frozen=True)
class PageSummary:
    """The page's counts: needs by competency (a row counts under each of its competencies)."""

    total: Counts
    by_competency: dict[CompetencyKey, Counts]
    by_unit: dict[str, Counts]


def summary_in_sql(
    scope: AkpkScope, names: UnitNames, version_ids: Iterable[int | None]
) -> PageSummary:
    """Count the rows of ``scope`` in SQL; ``version_ids``: the assigned courses' chosen versions.

    People are counted by user id (one NIP each); a person belongs to one unit, so the
    people of the units add up to the people in total.
    """
    versions = sorted(v for v in version_ids if v is not None)
    by_unit: dict[str, Counts] = {}
    for (unit_id,), counts in _grouped(_per_row(scope, versions), "unit_id"):
        path = names.path.get(unit_id, "")
        by_unit[path] = by_unit.get(path, Counts()) + counts
    by_competency = {
        (str(code), str(name), str(kind)): counts
        for (code, name, kind), counts in _grouped(
            _per_need(scope, versions), "code", "name", "kind"
        )
    }
    total = sum(by_unit.values(), Counts())
    return PageSummary(total, by_competency, by_unit)


def _grouped(rows: CompoundSelect, *keys: str) -> list[tuple[tuple[Any, ...], Counts]]:
    """Group ``rows`` (a union with person, jp and budget) by ``keys`` in one statement."""
    both = rows.subquery()
    columns = [both.c[key] for key in keys]
    statement = select(
        *columns,
        func.count(),
        func.count(func.distinct(both.c.person)),
        func.coalesce(func.sum(both.c.jp), 0),
        func.coalesce(func.sum(both.c.budget), 0),
    ).group_by(*columns)
    grouped = []
    for values in db.session.execute(statement):
        needs, people, jp, budget = (int(v) for v in values[len(keys) :])
        grouped.append((tuple(values[: len(keys)]), Counts(needs, people, jp, budget)))
    return grouped


def _chosen_version(versions: list[int]) -> ColumnElement[bool]:
    """Join condition: the assigned course's chosen version (published, else the latest)."""
    return and_(CourseVersion.course_id == Assignment.course_id, CourseVersion.id.in_(versions))


def _per_row(scope: AkpkScope, versions: list[int]) -> CompoundSelect:
    """One line per AKPK row: its person (user id) and unit, its JP and budget."""
    plans = plan_source(
        scope,
        User.id.label("person"),
        User.unit_id.label("unit_id"),
        PlanActivity.jp.label("jp"),
        PlanActivity.budget_rupiah.label("budget"),
    )
    assigned = assignee_source(
        scope,
        User.id,
        User.unit_id,
        func.coalesce(CourseVersion.jp, 0),
        literal_column("0"),
    ).outerjoin(CourseVersion, _chosen_version(versions))
    return union_all(plans, assigned)


def _per_need(scope: AkpkScope, versions: list[int]) -> CompoundSelect:
    """One line per competency of an AKPK row, keyed as the rows show it."""
    plans = plan_source(
        scope,
        User.id.label("person"),
        func.coalesce(PlanActivity.competency_code, "").label("code"),
        func.coalesce(Competency.name, "").label("name"),
        func.coalesce(Competency.kind, "").label("kind"),
        PlanActivity.jp.label("jp"),
        PlanActivity.budget_rupiah.label("budget"),
    ).outerjoin(Competency, Competency.code == PlanActivity.competency_code)
    assigned = (
        assignee_source(
            scope,
            User.id,
            func.coalesce(CourseCompetency.competency_code, ""),
            func.coalesce(Competency.name, ""),
            func.coalesce(Competency.kind, CourseVersion.competency, ""),
            func.coalesce(CourseVersion.jp, 0),
            literal_column("0"),
        )
        .outerjoin(CourseVersion, _chosen_version(versions))
        # One line per declared competency (the key includes the code, so never twice a key).
        .outerjoin(CourseCompetency, CourseCompetency.version_id == CourseVersion.id)
        .outerjoin(Competency, Competency.code == CourseCompetency.competency_code)
    )
    return union_all(plans, assigned)
