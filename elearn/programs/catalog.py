"""Programs in the catalog: the published ones, each with its number of courses."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from elearn.models import Program, ProgramCourse, ProgramVersion, VersionStatus


def _published_programs() -> Select[tuple[ProgramVersion, int]]:
    steps = (
        select(func.count(func.distinct(ProgramCourse.step)))
        .where(ProgramCourse.version_id == ProgramVersion.id)
        .correlate(ProgramVersion)
        .scalar_subquery()
    )
    return (
        select(ProgramVersion, steps)
        .join(Program, ProgramVersion.program_id == Program.id)
        .options(contains_eager(ProgramVersion.program))
        .where(ProgramVersion.status == VersionStatus.PUBLISHED)
        .order_by(ProgramVersion.title)
    )


# Built once: the catalog runs it on every unfiltered view, and building it cost about as
# much as running it (SQLAlchemy caches the compiled SQL, not the statement object).
PUBLISHED_PROGRAMS = _published_programs()


def published_programs() -> Select[tuple[ProgramVersion, int]]:
    """Select every published program version with its number of steps, by title (one statement)."""
    return PUBLISHED_PROGRAMS
