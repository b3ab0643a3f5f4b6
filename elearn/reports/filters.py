"""The filters every report view, export and API pull accepts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, or_, select

from elearn.accounts.services import descendants_of
from elearn.extensions import db
from elearn.models import Course, CourseVersion, Enrollment, User

# Any select statement; apply_filter hands back the same type it was given.
AnySelect = Select[*tuple[Any, ...]]
S = TypeVar("S", bound=AnySelect)

STATUSES = ("in_progress", "completed")
_PLAIN = re.compile(r"^[^\x00-\x1f\x7f]{0,200}$")  # no control characters (NUL breaks PostgreSQL)
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
COMPETENCIES = ("teknis", "manajerial", "sosial-kultural")
_UTC = ZoneInfo("UTC")


class InvalidFilter(ValueError):
    """A filter value is malformed; the message names it."""


@dataclass(frozen=True)
class ReportFilter:
    """``since``/``until`` bound the enrolment or completion date (inclusive, local days)."""

    since: date | None = None
    until: date | None = None
    unit_code: str = ""  # a unit and everything below it
    course: str = ""  # course slug
    category: str = ""
    competency: str = ""
    status: str = ""  # in_progress | completed

    def describe(self) -> dict[str, str]:
        """The filter as plain strings, for the audit log."""
        return {k: str(v) for k, v in asdict(self).items() if v}

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ReportFilter:
        """Read the filter from query arguments; raise InvalidFilter on bad values."""

        def day(name: str) -> date | None:
            raw = (args.get(name) or "").strip()
            if not raw:
                return None
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise InvalidFilter(f"{name}: expected a date as YYYY-MM-DD") from None
            # Far dates overflow once shifted to UTC; no training record is that old or new.
            if not FIRST_DAY <= day <= LAST_DAY:
                raise InvalidFilter(f"{name}: expected a date between {FIRST_DAY} and {LAST_DAY}")
            return day

        status = (args.get("status") or "").strip()
        if status and status not in STATUSES:
            raise InvalidFilter(f"status: expected one of {', '.join(STATUSES)}")
        competency = (args.get("competency") or "").strip()
        if competency and competency not in COMPETENCIES:
            raise InvalidFilter(f"competency: expected one of {', '.join(COMPETENCIES)}")
        for name in ("unit", "course", "category"):
            value = args.get(name) or ""
            if not _PLAIN.match(value):
                raise InvalidFilter(f"{name}: expected at most 200 printable characters")
        found = cls(
            since=day("since"),
            until=day("until"),
            unit_code=(args.get("unit") or "").strip(),
            course=(args.get("course") or "").strip(),
            category=(args.get("category") or "").strip(),
            competency=competency,
            status=status,
        )
        if found.since and found.until and found.since > found.until:
            raise InvalidFilter("since: must not be after until")
        return found


def whole_months(report_filter: ReportFilter) -> ReportFilter:
    """The filter with ``since`` moved to the first day of its month and ``until`` to the last.

    The dashboard counts whole UTC months (its span rollups have no days); exports
    and the API keep the exact days.
    """
    since, until = report_filter.since, report_filter.until
    if since is not None:
        since = since.replace(day=1)
    if until is not None:
        following = date(until.year + until.month // 12, until.month % 12 + 1, 1)
        until = following - timedelta(days=1)
    return replace(report_filter, since=since, until=until)


_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


def month_args(args: Mapping[str, str]) -> dict[str, str]:
    """The dashboard's query arguments with a month (``YYYY-MM``, as its form sends) in
    ``since``/``until`` written as that month's first or last day; anything else as given,
    for ``ReportFilter.from_args`` to check."""
    found = dict(args.items())
    for name in ("since", "until"):
        match = _MONTH.match(found.get(name) or "")
        if match is None:
            continue
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise InvalidFilter(
                f"{name}: expected a month as YYYY-MM between {FIRST_DAY.year} and {LAST_DAY.year}"
            )
        first = date(year, month, 1)
        found[name] = (
            first if name == "since" else whole_months(ReportFilter(until=first)).until or first
        ).isoformat()
    return found


def apply_filter(
    statement: S,
    report_filter: ReportFilter,
    *,
    allowed_units: set[int] | None,
    unit_ids_by_code: Mapping[str, int],
    zone: ZoneInfo,
    unit_column: Any = User.unit_id,
) -> S:
    """Narrow a statement over Enrollment ⋈ User ⋈ CourseVersion ⋈ Course.

    ``allowed_units`` is the viewer's scope (None: everything); a unit filter
    outside it yields nothing rather than an error, so scope never leaks.
    ``unit_column`` may be ``Enrollment.unit_id`` (the same value) for a statement
    that does not join the learner.
    """
    units = narrow_units(report_filter, allowed_units, unit_ids_by_code)
    values = filter_parameters(report_filter, units, zone)
    return _narrowed(statement, report_filter, unit_column, values)


def bound_filter(
    statement: S, report_filter: ReportFilter, units: set[int] | None, *, unit_column: Any
) -> S:
    """``apply_filter`` (``units`` already narrowed) with a named bound parameter in place of
    each of the filter's values, for a statement built once per ``filter_shape`` and run
    with each filter's ``filter_parameters``: building a large statement costs more than
    running it (the dashboard's month edges)."""
    names = filter_parameters(report_filter, units, _UTC)  # only the names are read
    bound: dict[str, Any] = {n: bindparam(n, expanding=n == "filter_units") for n in names}
    return _narrowed(statement, report_filter, unit_column, bound)


def filter_shape(report_filter: ReportFilter, parameters: Mapping[str, Any]) -> tuple[object, ...]:
    """What decides the structure of a filtered statement: which of ``filter_parameters``'
    values it binds, and the status (a condition without a value)."""
    return (*sorted(parameters), report_filter.status)


def filter_parameters(
    report_filter: ReportFilter, units: set[int] | None, zone: ZoneInfo
) -> dict[str, Any]:
    """The filter's values, by the names of ``bound_filter``'s parameters (``units`` is the
    scope already narrowed by the unit filter; ``zone`` gives the dates' day starts)."""
    values: dict[str, Any] = {}
    if units is not None:
        values["filter_units"] = units
    if report_filter.course:
        values["filter_course"] = report_filter.course
    if report_filter.category:
        values["filter_category"] = report_filter.category
    if report_filter.competency:
        values["filter_competency"] = report_filter.competency
    if report_filter.since:
        values["filter_start"] = _start_of(report_filter.since, zone)
    if report_filter.until:
        values["filter_end"] = _start_of(report_filter.until + timedelta(days=1), zone)
    return values


def _narrowed(
    statement: S, report_filter: ReportFilter, unit_column: Any, values: Mapping[str, Any]
) -> S:
    """The filter's conditions on ``values`` (plain values or bound parameters)."""
    if "filter_units" in values:
        statement = statement.where(unit_column.in_(values["filter_units"]))
    if "filter_course" in values:
        statement = statement.where(Course.slug == values["filter_course"])
    if "filter_category" in values:
        statement = statement.where(CourseVersion.category == values["filter_category"])
    if "filter_competency" in values:
        statement = statement.where(CourseVersion.competency == values["filter_competency"])
    if report_filter.status == "completed":
        statement = statement.where(Enrollment.completed_at.is_not(None))
    elif report_filter.status == "in_progress":
        statement = statement.where(Enrollment.completed_at.is_(None))
    start, end = values.get("filter_start"), values.get("filter_end")
    if start is not None or end is not None:
        statement = statement.where(
            or_(
                _between(Enrollment.enrolled_at, start, end),
                _between(Enrollment.completed_at, start, end),
            )
        )
    return statement


def matches_no_version(report_filter: ReportFilter) -> bool:
    """Whether the course, category and competency filters rule out every course version.

    One small statement over course_version. A pager uses it to answer such a filter at
    once: PostgreSQL would walk the enrolment id index after the cursor and test every
    row (1.9 s a page at 10M enrolments). Naming the matching version ids in the page's
    query instead is worse where they match: the planner then sorts all those
    enrolments (25 → 680 ms a page for one course at 10M).
    """
    if not (report_filter.course or report_filter.category or report_filter.competency):
        return False
    statement = select(CourseVersion.id)
    if report_filter.course:
        statement = statement.join(Course, Course.id == CourseVersion.course_id).where(
            Course.slug == report_filter.course
        )
    if report_filter.category:
        statement = statement.where(CourseVersion.category == report_filter.category)
    if report_filter.competency:
        statement = statement.where(CourseVersion.competency == report_filter.competency)
    return db.session.scalar(statement.limit(1)) is None


def narrow_units(
    report_filter: ReportFilter, allowed_units: set[int] | None, unit_ids_by_code: Mapping[str, int]
) -> set[int] | None:
    """The viewer's scope narrowed to the chosen unit and its sub-units (None: everything)."""
    if not report_filter.unit_code:
        return allowed_units
    chosen = unit_ids_by_code.get(report_filter.unit_code)
    wanted = descendants_of({chosen}) if chosen is not None else set()
    return wanted if allowed_units is None else wanted & allowed_units


def _start_of(day: date | None, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=zone) if day else None


def _between(column, start: Any, end: Any):  # type: ignore[no-untyped-def]
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(*conditions)


def base_statement() -> AnySelect:
    """Enrolments joined to their learner, version and course."""
    return (
        select(Enrollment, User, CourseVersion, Course)
        .join(User, Enrollment.user_id == User.id)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .join(Course, Enrollment.course_id == Course.id)
    )
