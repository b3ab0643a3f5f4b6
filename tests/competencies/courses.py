"""Courses that declare competencies, for the gap and page tests."""

from __future__ import annotations

from pathlib import Path

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.models import CourseVersion
from tests.certificates.helpers import NO_QUIZZES
from tests.content.course_fixtures import COURSE_MD, write_course


def course_md(title: str, kompetensi: str) -> str:
    """The test course's course.md with ``title`` and a ``kompetensi:`` block."""
    return COURSE_MD.replace("Dasar Manajemen Proyek", title).replace(
        "certificate: true\n", f"certificate: true\n{kompetensi}"
    )


def develops(code: str, level: int) -> str:
    return f"kompetensi:\n  - kode: {code}\n    level: {level}\n"


def publish_developing(
    tmp_path: Path, slug: str, title: str, code: str, level: int, *, publish: bool = True
) -> CourseVersion:
    """A one-module course developing ``code`` to ``level`` (a draft with publish=False)."""
    folder = write_course(
        tmp_path / slug,
        slug,
        **{**NO_QUIZZES, "course.md": course_md(title, develops(code, level))},
    )
    version = store_version(parse_course(folder), unit=None, actor=None, publish=publish).version
    db.session.commit()
    return version
