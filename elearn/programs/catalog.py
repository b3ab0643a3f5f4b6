"""Programs in the catalog: the published ones, each with its number of courses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from elearn.extensions import db
from elearn.models import Program, ProgramCourse, ProgramVersion, VersionStatus


@dataclass(frozen=True)
class ProgramRow:
    """The program a catalog card links to."""

    id: int
    slug: str


@dataclass(frozen=True)
class CatalogProgram:
    """What the catalog reads of a published program version: plain values."""

    id: int
    title: str
    description: str
    sequential: bool
    program: ProgramRow


def _published_programs() -> Select[Any]:
    """The published program versions' card columns and their number of steps, by title, as
    plain columns: the catalog only reads them (no ORM set-up, row processing or identity map).
    """
    version, program, step = (m.__table__ for m in (ProgramVersion, Program, ProgramCourse))
    steps = (
        select(func.count(func.distinct(step.c.step)))
        .where(step.c.version_id == version.c.id)
        .correlate(version)
        .scalar_subquery()
    )
    return (
        select(
            version.c.id,
            version.c.title,
            version.c.description,
            version.c.sequential,
            program.c.id,
            program.c.slug,
            steps,
        )
        .select_from(version.join(program, version.c.program_id == program.c.id))
        .where(version.c.status == VersionStatus.PUBLISHED)
        .order_by(version.c.title)
    )


# Built once: the catalog runs it on every unfiltered view, and building it cost about as
# much as running it (SQLAlchemy caches the compiled SQL, not the statement object).
PUBLISHED_PROGRAMS = _published_programs()


def published_programs() -> list[tuple[CatalogProgram, int]]:
    """Every published program version with its number of steps, by title (one statement)."""
    # On the session's connection: plain columns need none of Session.execute's set-up.
    rows = db.session.connection().execute(PUBLISHED_PROGRAMS)
    return [
        (CatalogProgram(key, title, text, sequential, ProgramRow(program_id, slug)), steps)
        for key, title, text, sequential, program_id, slug, steps in rows
    ]
