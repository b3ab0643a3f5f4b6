"""The queries behind each API resource: scoped, filtered, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select, union_all

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
# Scopes of up to this many units read each unit's rows on their own (``_within_units``);
# an instansi has a few dozen. Beyond it the planner's time for the union outgrows the walk.
PER_UNIT_PAGES = 64


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
    units = narrow_units(report_filter, viewer.units, names.by_code)
    if units == set() or matches_no_version(report_filter):
        # Nothing can match: asking the database would walk every enrolment after the cursor.
        return paginate([], page, lambda row: int(row["id"]))
    # The unit filter is already narrowed to ``units``: pass them as the scope rather than
    # narrowing again (a second query for the unit's sub-units).
    narrowed = replace(report_filter, unit_code="")
    statement = enrollment_statement(narrowed, None, names, viewer.zone, after_id=page.after_id)
    if updated_since is not None:
        statement = statement.where(Enrollment.updated_at >= updated_since)
    if units is not None:
        statement = _within_units(statement, units, page.limit + 1)
    rows = [enrollment_json(row) for row in stream_rows(statement.limit(page.limit + 1), names)]
    return paginate(rows, page, lambda row: int(row["id"]))


def _within_units(statement: Select[Any], units: set[int], wanted: int) -> Select[Any]:
    """Narrow an enrolment page to ``units`` by the unit stored on the enrolment.

    Walking enrolment ids and keeping those in scope reads every other instansi's rows
    in between (136-164 ms for some pages at 10M enrolments). Up to PER_UNIT_PAGES units,
    each unit's next ``wanted`` matching ids come from a range of (unit_id, id) instead,
    and the page is the first ``wanted`` of those: no row of another unit is read.
    """
    in_scope = statement.where(Enrollment.unit_id.in_(sorted(units)))
    if len(units) > PER_UNIT_PAGES:
        return in_scope
    ids = statement.with_only_columns(Enrollment.id).order_by(Enrollment.id).limit(wanted)
    # Wrapped in subqueries: SQLite takes no ORDER BY or LIMIT in a UNION's members.
    candidates = union_all(
        *(select(ids.where(Enrollment.unit_id == unit).subquery().c.id) for unit in sorted(units))
    )
    return statement.where(Enrollment.id.in_(candidates))


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
