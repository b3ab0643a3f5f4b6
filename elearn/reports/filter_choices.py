"""The choices offered by the filter form of the dashboard and the export page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Course, CourseVersion, Unit
from elearn.reports.filters import COMPETENCIES


def filter_choices(units: set[int] | None) -> dict[str, Any]:
    """Units in the viewer's scope (None: all), courses, categories and competency types."""
    statement = select(Unit)
    if units is not None:
        statement = statement.where(Unit.id.in_(units))
    return {
        "filter_units": sorted(db.session.scalars(statement), key=lambda unit: unit.path),
        "courses": db.session.scalars(select(Course.slug).order_by(Course.slug)).all(),
        "categories": db.session.scalars(
            select(CourseVersion.category).distinct().order_by(CourseVersion.category)
        ).all(),
        "competencies": COMPETENCIES,
    }
