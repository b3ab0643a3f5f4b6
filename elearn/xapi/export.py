"""Choosing the learning events an export covers, and streaming them as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from elearn.extensions import db
from elearn.models import Course, CourseItem, CourseVersion, Enrollment, LearningEvent, Unit, User
from elearn.reports.filters import ReportFilter, apply_filter
from elearn.xapi.statements import EXPORTED_VERBS, statement_for

BATCH = 1000


@dataclass(frozen=True)
class EventScope:
    """Which events an export covers: the filter, the viewer's units and a cut-off id.

    ``since``/``until`` bound the event's own time (inclusive local days); the
    other fields narrow by the event's learner, enrolment and course version.
    ``up_to_id`` freezes the set, so the count in the audit log matches the
    rows streamed even while learners keep producing events.
    """

    report_filter: ReportFilter
    allowed_units: set[int] | None
    zone: ZoneInfo
    up_to_id: int | None = None  # None: no cut-off


def unit_ids_by_code() -> dict[str, int]:
    """Map unit code → id, for the unit filter."""
    return {code: uid for code, uid in db.session.execute(select(Unit.code, Unit.id))}


def freeze(scope: EventScope) -> EventScope:
    """Pin ``scope`` to the events that exist now."""
    newest = db.session.scalar(select(func.max(LearningEvent.id))) or 0
    return replace(scope, up_to_id=newest)


def count_events(scope: EventScope, codes: Mapping[str, int]) -> int:
    """How many statements ``scope`` exports."""
    statement = _narrowed(select(func.count(LearningEvent.id)), scope, codes)
    return db.session.scalar(statement) or 0


def event_statement(scope: EventScope, codes: Mapping[str, int]) -> Select[Any]:
    """The events in ``scope`` with their version, course and item, oldest first."""
    statement = _narrowed(select(LearningEvent), scope, codes).options(
        contains_eager(LearningEvent.version)
        .load_only(
            CourseVersion.course_id,
            CourseVersion.content_hash,
            CourseVersion.title,
            CourseVersion.language,
        )
        .contains_eager(CourseVersion.course)
        .load_only(Course.slug),
        contains_eager(LearningEvent.item).load_only(
            CourseItem.version_id, CourseItem.name, CourseItem.kind, CourseItem.title
        ),
    )
    return statement.order_by(LearningEvent.created_at, LearningEvent.id)


def stream_statements(
    statement: Select[Any], home_page: str
) -> Generator[dict[str, Any], None, None]:
    """Yield statements in batches, so memory stays flat however many events there are."""
    result = db.session.scalars(statement.execution_options(yield_per=BATCH))
    try:
        for event in result:
            yield statement_for(event, home_page=home_page)
            db.session.expunge(event)
    finally:
        # A download cut short must not leave PostgreSQL's server-side cursor open.
        result.close()


def json_line(statement: dict[str, Any]) -> str:
    """One statement as one line of JSON."""
    return json.dumps(statement, ensure_ascii=False, separators=(",", ":")) + "\n"


def _narrowed(statement: Select[Any], scope: EventScope, codes: Mapping[str, int]) -> Select[Any]:
    statement = (
        statement.select_from(LearningEvent)
        .join(Enrollment, LearningEvent.enrollment_id == Enrollment.id)
        .join(User, LearningEvent.user_id == User.id)
        .join(CourseVersion, LearningEvent.version_id == CourseVersion.id)
        .join(Course, CourseVersion.course_id == Course.id)
        .outerjoin(CourseItem, LearningEvent.item_id == CourseItem.id)
        .where(LearningEvent.verb.in_(sorted(EXPORTED_VERBS)))
    )
    # The report filter's dates are about enrolments; here they bound the event time.
    report_filter = scope.report_filter
    statement = apply_filter(
        statement,
        replace(report_filter, since=None, until=None),
        allowed_units=scope.allowed_units,
        unit_ids_by_code=codes,
        zone=scope.zone,
    )
    if report_filter.since:
        start = datetime.combine(report_filter.since, time(), tzinfo=scope.zone)
        statement = statement.where(LearningEvent.created_at >= start)
    if report_filter.until:
        end = datetime.combine(report_filter.until + timedelta(days=1), time(), tzinfo=scope.zone)
        statement = statement.where(LearningEvent.created_at < end)
    if scope.up_to_id is not None:
        statement = statement.where(LearningEvent.id <= scope.up_to_id)
    return statement
