"""The queries behind each API resource: scoped, filtered, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, func, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from elearn.api.pagination import Page, PageRequest, paginate
from elearn.api.serializers import certificate_json, enrollment_json, jp_total_json
from elearn.certificates.issuance import verify_url
from elearn.extensions import db
from elearn.models import Certificate, Course, CourseVersion, Enrollment, User
from elearn.records.entries import record_rows, yearly_totals
from elearn.reports.filters import (
    ReportFilter,
    apply_filter,
    matches_no_version,
    narrow_units,
)
from elearn.reports.rows import UnitNames, enrollment_statement, stream_rows

Row = dict[str, Any]


@dataclass(frozen=True)
class Viewer:
    """Whose pull this is: the units they may see (None: all) and their time zone."""

    units: set[int] | None
    zone: ZoneInfo


def enrollment_page(
    report_filter: ReportFilter,
    viewer: Viewer,
    page: PageRequest,
    updated_since: datetime | None,
) -> Page[Row]:
    """Enrolments after the cursor, in id order."""
    names = UnitNames()
    statement = enrollment_page_statement(report_filter, viewer, page, updated_since, names)
    if statement is None:
        return paginate([], page, lambda row: int(row["id"]))
    # Through a cursor, not fetched at once: PostgreSQL plans a cursor for its first rows and
    # never in parallel; a plain query of an admin's day (the id walk) started two parallel
    # workers, 64-79 ms a page became 141 at load 7.5 (docs/performance.md, api10m).
    rows = [enrollment_json(row) for row in stream_rows(statement, names)]
    return paginate(rows, page, lambda row: int(row["id"]))


def enrollment_page_statement(
    report_filter: ReportFilter,
    viewer: Viewer,
    page: PageRequest,
    updated_since: datetime | None,
    names: UnitNames,
) -> Select[Any] | None:
    """The statement of one page (``limit + 1`` rows); None when nothing can match."""
    units = narrow_units(report_filter, viewer.units, names.by_code)
    if units == set() or matches_no_version(report_filter):
        # Nothing can match: asking the database would walk every enrolment after the cursor.
        return None
    # The unit filter is already narrowed to ``units``: pass them as the scope rather than
    # narrowing again (a second query for the unit's sub-units).
    narrowed = replace(report_filter, unit_code="")
    if units is not None and _on_enrolment_alone(narrowed) and _ranges_per_unit():
        # The candidates are in scope and filtered already; repeating the unit test here
        # only made the planner expect 2 rows instead of 101 and pick a worse join.
        ids = _next_ids_per_unit(units, narrowed, viewer.zone, page, updated_since)
        statement = enrollment_statement(
            ReportFilter(), None, names, viewer.zone, after_id=page.after_id
        )
        return statement.where(Enrollment.id.in_(ids)).limit(page.limit + 1)
    statement = enrollment_statement(narrowed, None, names, viewer.zone, after_id=page.after_id)
    if updated_since is not None:
        statement = statement.where(Enrollment.updated_at >= updated_since)
    if units is not None:
        statement = statement.where(Enrollment.unit_id.in_(sorted(units)))
    return statement.limit(page.limit + 1)


def _on_enrolment_alone(report_filter: ReportFilter) -> bool:
    """Whether ``report_filter`` tests only the enrolment's own columns (status, dates)."""
    return replace(report_filter, since=None, until=None, status="") == ReportFilter()


def _ranges_per_unit() -> bool:
    # SQLite has neither LATERAL nor unnest; it walks the ids, testing the enrolment's unit.
    return db.session.get_bind().dialect.name == "postgresql"


def _next_ids_per_unit(
    units: set[int],
    report_filter: ReportFilter,
    zone: ZoneInfo,
    page: PageRequest,
    updated_since: datetime | None,
) -> Select[tuple[int]]:
    """The first ``limit + 1`` of each scope unit's next matching enrolment ids: the page's
    candidates.

    Walking enrolment ids and keeping the scope's reads every other instansi's rows in
    between (136-164 ms for some pages at 10M enrolments). For each unit, a LATERAL
    subquery reads its next ids from a range of ``ix_enrollment_unit_id_id_dates``
    (unit_id, id, then the dates ``report_filter`` and ``updated_since`` test) instead, so
    no row of another unit is read and, the dates being in the index, no table row is
    visited for one that does not match (an evaluator's month walked some 35,000 ids a
    page at 10M enrolments; 21 ranges of the index now). The first ``limit + 1`` of those
    are the page's ids, picked before the page joins learners, courses and certificates.
    The units go in as one array parameter: the statement is the same whatever the
    scope's size, so it is built and planned in well under a millisecond (a UNION of one
    branch per unit took 3-4 ms of Python per page at 21 units).
    """
    wanted = page.limit + 1
    scope = (
        func.unnest(bindparam("scope_units", sorted(units), type_=ARRAY(Integer)))
        .table_valued("unit_id")
        .render_derived(name="scope_unit")
    )
    following = select(Enrollment.id).where(
        Enrollment.unit_id == scope.c.unit_id, Enrollment.id > page.after_id
    )
    following = apply_filter(
        following, report_filter, allowed_units=None, unit_ids_by_code={}, zone=zone
    )
    if updated_since is not None:
        following = following.where(Enrollment.updated_at >= updated_since)
    nearest = following.order_by(Enrollment.id).limit(wanted).lateral("unit_next")
    return (
        select(nearest.c.id)
        .select_from(scope)
        .join(nearest, true())
        .order_by(nearest.c.id)
        .limit(wanted)
    )


def certificate_page(
    report_filter: ReportFilter,
    viewer: Viewer,
    page: PageRequest,
    updated_since: datetime | None,
    *,
    base_url: str,
) -> Page[Row]:
    """Certificates of learners in scope after the cursor, in id order.

    ``base_url``: the site's public address, for each certificate's verification URL.
    """
    names = UnitNames()
    statement = apply_filter(
        select(Certificate, User.unit_id)
        .join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .join(User, Enrollment.user_id == User.id)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .join(Course, Enrollment.course_id == Course.id),
        report_filter,
        allowed_units=viewer.units,
        unit_ids_by_code=names.by_code,
        zone=viewer.zone,
    ).where(Certificate.id > page.after_id)
    if updated_since is not None:
        # The later of issue and revocation is on or after the bound iff either is.
        statement = statement.where(
            or_(Certificate.issued_at >= updated_since, Certificate.revoked_at >= updated_since)
        )
    statement = statement.order_by(Certificate.id).limit(page.limit + 1)
    rows = [
        certificate_json(
            certificate,
            instansi=names.instansi.get(unit_id, ""),
            unit=names.path.get(unit_id, ""),
            verification_url=verify_url(certificate.code, base_url),
        )
        for certificate, unit_id in db.session.execute(statement)
    ]
    return paginate(rows, page, lambda row: int(row["id"]))


def jp_total_page(
    report_filter: ReportFilter, viewer: Viewer, page: PageRequest, year: int, target: int
) -> Page[Row]:
    """Active learners in scope after the cursor, with their JP for ``year`` (of ``target``)."""
    names = UnitNames()
    statement = select(User).where(User.is_active.is_(True), User.id > page.after_id)
    units = narrow_units(report_filter, viewer.units, names.by_code)
    if units is not None:
        statement = statement.where(User.unit_id.in_(units))
    learners = paginate(
        list(db.session.scalars(statement.order_by(User.id).limit(page.limit + 1))),
        page,
        lambda user: user.id,
    )
    rows = []
    # One career record per learner (a few queries each), bounded by the page size.
    for user in learners.rows:
        found = {t.year: t for t in yearly_totals(record_rows(user), target)}.get(year)
        rows.append(
            jp_total_json(
                user,
                instansi=names.instansi.get(user.unit_id, ""),
                unit=names.path.get(user.unit_id, ""),
                year=year,
                split=dict(found.by_competency) if found else {},
            )
        )
    return Page(rows, learners.next_cursor)
