"""Course front matter against the competency dictionary: codes must be known."""

from __future__ import annotations

from sqlalchemy import select

from elearn.content.errors import SourceError
from elearn.content.parse import ParsedCourse
from elearn.extensions import db
from elearn.models import Competency, CourseCompetency, CourseVersion
from elearn.problem_text import Problem


def unknown_competencies(parsed: ParsedCourse, label: str) -> list[SourceError]:
    """An error, on its line of course.md, for each declared code not in the dictionary.

    ``label`` is the course folder as messages name it.
    """
    declared = parsed.meta.competencies
    if not declared:
        return []
    codes = {c.code for c in declared}
    known = set(db.session.scalars(select(Competency.code).where(Competency.code.in_(codes))))
    return [
        SourceError(
            f"{label}/course.md",
            entry.line,
            Problem("kode kompetensi '%(code)s' tidak ada di kamus kompetensi", code=entry.code),
        )
        for entry in declared
        if entry.code not in known
    ]


def store_course_competencies(version: CourseVersion, parsed: ParsedCourse) -> None:
    """Record on a new version the competencies its front matter declares."""
    for entry in parsed.meta.competencies:
        db.session.add(
            CourseCompetency(version=version, competency_code=entry.code, level=entry.level)
        )
