"""Enrolment rows for exports and the API: flat, scoped, filtered, streamed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, select

from elearn.extensions import db
from elearn.models import Certificate, Course, CourseVersion, Enrollment, Unit, User
from elearn.reports.filters import ReportFilter, apply_filter

PAGE = 2000


@dataclass(frozen=True, slots=True)
class EnrollmentRow:
    enrollment_id: int
    nip: str
    name: str
    instansi: str
    unit: str
    course: str
    course_title: str
    version: int
    category: str
    competency: str
    jp: int
    status: str  # in_progress | completed
    enrolled_at: datetime
    completed_at: datetime | None
    certificate_number: str
    updated_at: datetime
    certificate_revoked_at: datetime | None = None


class UnitNames:
    """Unit paths and instansi names, loaded once per export instead of per row."""

    def __init__(self) -> None:
        # Plain rows, not entities: every API page builds this, and walking ORM
        # parents cost ~50 ms a page with 600 units (Unit.ancestors(), same rule).
        rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id)).all()
        name = {uid: unit_name for uid, _, unit_name, _ in rows}
        parent = {uid: parent_id for uid, _, _, parent_id in rows}
        self.by_code = {code: uid for uid, code, _, _ in rows}
        self.parent = parent
        self.path: dict[int, str] = {}
        self.instansi: dict[int, str] = {}
        self.root: dict[int, int] = {}  # each unit's instansi, by id
        # Each unit's perangkat daerah (the unit directly under its instansi; the instansi
        # itself for an instansi), by id: the nodes of the span score rollup with ``root``.
        self.perangkat_daerah: dict[int, int] = {}
        for uid in name:
            chain = [uid]  # this unit and its ancestors, nearest first, stopping at a loop
            while (up := parent[chain[-1]]) is not None and up not in chain:
                chain.append(up)
            self.path[uid] = " › ".join(name[u] for u in reversed(chain))
            self.instansi[uid] = name[chain[-1]]
            self.root[uid] = chain[-1]
            self.perangkat_daerah[uid] = chain[-2] if len(chain) > 1 else chain[-1]


# A course version's cells in an export row, in the file's order; the PostgreSQL CSV
# reads them once per version and puts them back by key (csv_stream.version_cells).
VERSION_COLUMNS = (
    Course.slug,
    CourseVersion.title,
    CourseVersion.number,
    CourseVersion.category,
    CourseVersion.competency,
    CourseVersion.jp,
)


def enrollment_statement(
    report_filter: ReportFilter,
    allowed_units: set[int] | None,
    names: UnitNames,
    zone: ZoneInfo,
    *,
    after_id: int = 0,
) -> Select:
    """The filtered, scoped statement, ordered by enrolment id (stable for paging).

    It selects plain columns, not ORM entities: building a million entities
    costs several times more than the export itself. ``after_id`` starts it
    after that enrolment (an API cursor).
    """
    statement = (
        select(
            Enrollment.id,
            User.nip,
            User.full_name,
            User.unit_id,
            *VERSION_COLUMNS,
            Enrollment.enrolled_at,
            Enrollment.completed_at,
            Certificate.number,
            Certificate.revoked_at,
            Enrollment.updated_at,
        )
        .select_from(Enrollment)
        .join(User, Enrollment.user_id == User.id)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .join(Course, Enrollment.course_id == Course.id)
        # The bound is repeated on the certificate side: otherwise PostgreSQL may
        # merge-join certificates from the first one on (1.5 s a page at 3M rows).
        .outerjoin(
            Certificate,
            and_(Certificate.enrollment_id == Enrollment.id, Certificate.enrollment_id > after_id),
        )
        .where(Enrollment.id > after_id)
    )
    statement = apply_filter(
        statement,
        report_filter,
        allowed_units=allowed_units,
        unit_ids_by_code=names.by_code,
        zone=zone,
    )
    return statement.order_by(Enrollment.id)


def stream_rows(statement: Select, names: UnitNames) -> Iterator[EnrollmentRow]:
    """Yield the rows of ``enrollment_statement`` (narrowed or limited as you like), as given.

    One query, fetched in batches; its transaction stays open until the caller ends it.
    """
    result = db.session.execute(statement.execution_options(yield_per=PAGE))
    for values in result:
        yield _row(values, names)


def paged_rows(
    statement: Select,
    names: UnitNames,
    *,
    page: int | None = None,
) -> Iterator[EnrollmentRow]:
    """Yield every row of an unlimited ``enrollment_statement``, page by page.

    Pages are read by keyset (enrolment id greater than the last one seen) and
    the session's transaction is committed after each page, so a long download
    holds no transaction open: on SQLite every transaction takes the write lock
    (BEGIN IMMEDIATE), and learners must not wait for an evaluator's export.
    Call it with nothing pending in the session.
    """
    for batch in paged_tuples(statement, page=page):
        for values in batch:
            yield _row(values, names)


def paged_tuples(statement: Select, *, page: int | None = None) -> Iterator[Sequence[Any]]:
    """Yield the plain rows of ``statement`` (enrolment id first) a page at a time.

    Keyset paging with a commit after each page, as ``paged_rows`` describes.
    """
    page = page or PAGE
    last_id: int | None = None
    while True:
        paged = statement if last_id is None else statement.where(Enrollment.id > last_id)
        batch = db.session.execute(paged.limit(page)).all()
        db.session.commit()
        if batch:
            yield batch
        if len(batch) < page:
            return
        last_id = batch[-1][0]


def _row(values: Sequence[Any], names: UnitNames) -> EnrollmentRow:
    (
        enrollment_id,
        nip,
        name,
        unit_id,
        slug,
        title,
        number,
        category,
        competency,
        jp,
        enrolled_at,
        completed_at,
        certificate_number,
        revoked_at,
        updated_at,
    ) = values
    return EnrollmentRow(
        enrollment_id=enrollment_id,
        nip=nip,
        name=name,
        instansi=names.instansi.get(unit_id, ""),
        unit=names.path.get(unit_id, ""),
        course=slug,
        course_title=title,
        version=number,
        category=category,
        competency=competency,
        jp=jp,
        status="completed" if completed_at else "in_progress",
        enrolled_at=enrolled_at,
        completed_at=completed_at,
        certificate_number=certificate_number or "",
        updated_at=updated_at,
        certificate_revoked_at=revoked_at,
    )
