"""The instansi's AKPK (analisis kebutuhan pengembangan kompetensi) of one year, row by row.

PP 11/2017 (as amended by PP 17/2020) Ps. 205–207: each instansi sends a plan of its
development needs naming, for each need, the competency, the target PNS, the learning route,
the organiser, the schedule, the fit with the curriculum and the budget. One row here is one
need of one civil servant, from two sources:

- the activities of individual development plans (IDP) of the year that the atasan langsung
  approved; submitted plans still waiting for a decision only when asked, marked as such.
  Drafts and plans sent back for changes are not needs the instansi has agreed to;
- the assigned courses (``Assignment``) due in the year: every assignee not exempted, the
  course's competencies from its published version's ``kompetensi:`` (the latest version when
  none is published), route e-learning, the course's owner unit (or the instansi) as
  organiser, the assignment's dates as schedule and no budget (the platform costs nothing).

Only active accounts count. Everything is read in a fixed number of statements whatever the
number of rows: the units, the competency dictionary, the assigned courses, then one
``UNION ALL`` of both sources, streamed for the files or one page of it for the page (whose
summary is counted in SQL, ``akpk_summary.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from elearn.extensions import db
from elearn.models import (
    Assignee,
    AssigneeState,
    Assignment,
    Competency,
    Course,
    CourseCompetency,
    CourseVersion,
    DevelopmentPlan,
    PlanActivity,
    PlanStatus,
    User,
    VersionStatus,
)
from elearn.records.routes import PLATFORM_ROUTE
from elearn.reports.rows import UnitNames

IDP, ASSIGNMENT = "idp", "assignment"
ASSIGNED = "assigned"  # the status of an assignment's row
APPROVED_ONLY = (PlanStatus.APPROVED,)
WITH_SUBMITTED = (PlanStatus.APPROVED, PlanStatus.SUBMITTED)
YIELD = 2000


@dataclass(frozen=True, slots=True)
class Need:
    """One competency a row develops; ``code`` is empty for a need outside the dictionary."""

    code: str
    name: str
    kind: str  # a CompetencyKind value, or "" when unknown
    level: int | None  # the target level


@dataclass(frozen=True, slots=True)
class AkpkRow:
    """One development need of one civil servant, with the AKPK's seven items."""

    source: str  # IDP or ASSIGNMENT
    status: str  # a PlanStatus value, or ASSIGNED
    needs: tuple[Need, ...]  # item 1: the competency (several for a course that says so)
    nip: str  # item 2: the target PNS …
    name: str
    position: str
    employee_type: str
    unit: str  # the unit's path
    activity: str
    route: str  # item 3: a value of ROUTES
    organiser: str  # item 4
    starts_on: date | None  # item 5: the schedule
    due_on: date
    jp: int
    curriculum_fit: str  # item 6
    budget: int  # item 7, in rupiah


@dataclass(frozen=True)
class AkpkScope:
    """Which rows an AKPK holds: one instansi's units (those the viewer may see) and a year."""

    instansi_id: int
    instansi: str
    year: int
    unit_ids: tuple[int, ...]  # ordered by the units' paths, the order of the rows
    statuses: tuple[PlanStatus, ...] = APPROVED_ONLY


def instansi_choices(names: UnitNames, allowed: set[int] | None) -> list[tuple[int, str]]:
    """The instansi (id, name) whose units the viewer may report on, by name."""
    roots = {names.root[uid] for uid in names.root if allowed is None or uid in allowed}
    return sorted(((uid, names.instansi[uid]) for uid in roots), key=lambda c: (c[1], c[0]))


def scope_for(
    names: UnitNames,
    allowed: set[int] | None,
    instansi_id: int,
    year: int,
    statuses: tuple[PlanStatus, ...] = APPROVED_ONLY,
) -> AkpkScope | None:
    """The scope of one instansi's AKPK, or None when the viewer sees none of its units."""
    units = sorted(
        (uid for uid, root in names.root.items()
         if root == instansi_id and (allowed is None or uid in allowed)),
        key=lambda uid: (names.path[uid], uid),
    )  # fmt: skip
    if not units:
        return None
    return AkpkScope(instansi_id, names.instansi[instansi_id], year, tuple(units), statuses)


@dataclass(frozen=True)
class _CourseCells:
    slug: str
    title: str
    jp: int
    kind: str
    owner_unit_id: int | None
    needs: tuple[tuple[str, int], ...]  # (code, level) from the chosen version's front matter
    version_id: int | None = None  # the chosen version


class AkpkRows:
    """Iterate to get the rows of ``scope``, ordered by unit, name and NIP; ``count`` counts."""

    def __init__(self, scope: AkpkScope, names: UnitNames) -> None:
        self.scope = scope
        self.names = names
        self.count = 0
        self.dictionary = {
            code: (name, str(kind))
            for code, name, kind in db.session.execute(
                select(Competency.code, Competency.name, Competency.kind)
            )
        }
        self.courses = _assigned_courses(scope.year)

    def __iter__(self) -> Iterator[AkpkRow]:
        result = db.session.execute(row_statement(self.scope).execution_options(yield_per=YIELD))
        for values in result:
            self.count += 1
            yield self._row(values)

    def page(self, offset: int, limit: int) -> list[AkpkRow]:
        """The rows ``offset`` to ``offset + limit`` in the same order, read with LIMIT/OFFSET."""
        statement = row_statement(self.scope).limit(limit).offset(offset)
        return [self._row(values) for values in db.session.execute(statement)]

    def _row(self, values: Any) -> AkpkRow:
        (source, status, _user, nip, name, position, employee_type, unit_id, code, level, title,
         route, organiser, starts_on, due_on, jp, budget, fit, course_id, _) = values  # fmt: skip
        unit = self.names.path.get(unit_id, "")
        person = (nip, name, position or "", str(employee_type), unit)
        if source == IDP:
            known = self.dictionary.get(code or "", ("", ""))
            need = Need(code or "", known[0], known[1], level)
            return AkpkRow(IDP, str(status), (need,), *person, title, route, organiser,
                           starts_on, due_on, int(jp), fit, int(budget))  # fmt: skip
        course = self.courses.get(course_id)
        if course is None:  # a course without any version cannot be assigned; kept readable
            course = _CourseCells(str(course_id), "", 0, "", None, ())
        return AkpkRow(
            ASSIGNMENT,
            ASSIGNED,
            self._course_needs(course),
            *person,
            f"{course.title} ({title})" if title else course.title,
            PLATFORM_ROUTE,
            self.names.path.get(course.owner_unit_id or -1, self.scope.instansi),
            starts_on,
            due_on,
            course.jp,
            _course_fit(course),
            0,
        )

    def _course_needs(self, course: _CourseCells) -> tuple[Need, ...]:
        if not course.needs:
            return (Need("", "", course.kind, None),)
        needs = []
        for code, level in course.needs:
            name, kind = self.dictionary.get(code, ("", course.kind))
            needs.append(Need(code, name, kind, level))
        return tuple(needs)


def _course_fit(course: _CourseCells) -> str:
    """The curriculum a course row follows: the course and the levels its front matter names."""
    levels = ", ".join(f"{code} level {level}" for code, level in course.needs)
    text = f"Kurikulum kursus {course.slug}"
    return f"{text}: {levels}" if levels else f"{text} (kompetensi {course.kind})"


def _assigned_courses(year: int) -> dict[int, _CourseCells]:
    """The courses assigned with a due date in ``year``: each one's version and competencies.

    The published version counts, else the latest one; one statement for all of them.
    """
    due = select(Assignment.course_id).where(*_due_in(year))
    other = aliased(CourseVersion)
    chosen = (
        select(other.id)
        .where(other.course_id == Course.id)
        # A course has at most one published version (a partial unique index).
        .order_by((other.status == VersionStatus.PUBLISHED).desc(), other.number.desc())
        .limit(1)
        .correlate(Course)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Course.id,
            Course.slug,
            Course.unit_id,
            CourseVersion.id,
            CourseVersion.title,
            CourseVersion.jp,
            CourseVersion.competency,
            CourseCompetency.competency_code,
            CourseCompetency.level,
        )
        .select_from(Course)
        .join(CourseVersion, CourseVersion.id == chosen)
        .outerjoin(CourseCompetency, CourseCompetency.version_id == CourseVersion.id)
        .where(Course.id.in_(due))
        .order_by(Course.id, CourseCompetency.competency_code)
    )
    cells: dict[int, _CourseCells] = {}
    for course_id, slug, unit_id, version_id, title, jp, kind, code, level in rows:
        found = cells.get(course_id) or _CourseCells(
            slug, title, jp, str(kind), unit_id, (), version_id
        )
        if code is not None:
            found = replace(found, needs=(*found.needs, (code, level)))
        cells[course_id] = found
    return cells


def _due_in(year: int) -> tuple[ColumnElement[bool], ...]:
    """The assignments due in ``year``."""
    return Assignment.due_on >= date(year, 1, 1), Assignment.due_on <= date(year, 12, 31)


def plan_source(scope: AkpkScope, *columns: Any) -> Select:
    """``columns`` of the IDP activities in ``scope``: its year, statuses, active people, units."""
    return (
        select(*columns)
        .select_from(DevelopmentPlan)
        .join(PlanActivity, PlanActivity.plan_id == DevelopmentPlan.id)
        .join(User, DevelopmentPlan.user_id == User.id)
        .where(
            DevelopmentPlan.year == scope.year,
            DevelopmentPlan.status.in_([str(s) for s in scope.statuses]),
            User.is_active.is_(True),
            User.unit_id.in_(sorted(scope.unit_ids)),
        )
    )


def assignee_source(scope: AkpkScope, *columns: Any) -> Select:
    """``columns`` of the assignees (not exempted, active, in the units) due in the year."""
    return (
        select(*columns)
        .select_from(Assignee)
        .join(Assignment, Assignee.assignment_id == Assignment.id)
        .join(User, Assignee.user_id == User.id)
        .where(
            Assignee.state == AssigneeState.ASSIGNED,
            *_due_in(scope.year),
            User.is_active.is_(True),
            User.unit_id.in_(sorted(scope.unit_ids)),
        )
    )


def row_statement(scope: AkpkScope) -> Select:
    """Both sources in one statement, ordered by unit path, name, NIP, source and due date.

    The order is total (a row's source and id end it), so a page may be cut with LIMIT/OFFSET.
    """
    person = (
        User.id.label("user_id"),
        User.nip.label("nip"),
        User.full_name.label("name"),
        User.position.label("position"),
        User.employee_type.label("employee_type"),
        User.unit_id.label("unit_id"),
    )
    plans = plan_source(
        scope,
        literal_column(f"'{IDP}'").label("source"),
        DevelopmentPlan.status.label("status"),
        *person,
        PlanActivity.competency_code.label("code"),
        PlanActivity.target_level.label("level"),
        PlanActivity.title.label("title"),
        PlanActivity.route.label("route"),
        PlanActivity.organiser.label("organiser"),
        PlanActivity.starts_on.label("starts_on"),
        PlanActivity.due_on.label("due_on"),
        PlanActivity.jp.label("jp"),
        PlanActivity.budget_rupiah.label("budget"),
        PlanActivity.curriculum_fit.label("fit"),
        PlanActivity.course_id.label("course_id"),
        PlanActivity.id.label("item_id"),
    )
    assigned = assignee_source(
        scope,
        literal_column(f"'{ASSIGNMENT}'"),
        literal_column(f"'{ASSIGNED}'"),
        *person,
        cast(null(), String),
        cast(null(), Integer),
        Assignment.reason,
        literal_column(f"'{PLATFORM_ROUTE}'"),
        literal_column("''"),
        Assignment.starts_on,
        Assignment.due_on,
        literal_column("0"),
        literal_column("0"),
        literal_column("''"),
        Assignment.course_id,
        Assignee.id,
    )
    both = union_all(plans, assigned).subquery()
    c = both.c
    # Paths are built in Python (UnitNames); their order goes to SQL as a rank per unit.
    unit_order = case({uid: rank for rank, uid in enumerate(scope.unit_ids)}, value=c.unit_id)
    # "idp" sorts after "assignment": descending puts a person's own plan first.
    return select(both).order_by(unit_order, c.name, c.nip, c.source.desc(), c.due_on, c.item_id)


@dataclass
class Tally:
    """Needs, distinct civil servants, JP and budget of one group of rows."""

    needs: int = 0
    jp: int = 0
    budget: int = 0
    people: set[str] = field(default_factory=set)

    def add(self, row: AkpkRow) -> None:
        self.needs += 1
        self.jp += row.jp
        self.budget += row.budget
        self.people.add(row.nip)


@dataclass
class Summary:
    """The XLSX summary added up row by row (the page counts the same in SQL, akpk_summary.py)."""

    total: Tally = field(default_factory=Tally)
    by_competency: dict[tuple[str, str, str], Tally] = field(default_factory=dict)
    by_unit: dict[str, Tally] = field(default_factory=dict)

    def add(self, row: AkpkRow) -> None:
        self.total.add(row)
        self.by_unit.setdefault(row.unit, Tally()).add(row)
        for need in {(n.code, n.name, n.kind) for n in row.needs}:
            self.by_competency.setdefault(need, Tally()).add(row)
