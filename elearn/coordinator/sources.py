"""The course folder each version was made from, kept (zipped) so that a draft can start from it."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import select

from elearn.content.upload import unpack_course_zip
from elearn.extensions import db
from elearn.models import Course, CourseSource, CourseVersion


def folder_zip(slug: str, files: dict[str, bytes]) -> bytes:
    """Zip ``files`` under ``slug/``, the layout an uploaded course has."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(f"{slug}/{path}", files[path])
    return buffer.getvalue()


def read_course_zip(data: bytes, filename: str) -> dict[str, bytes]:
    """The files of a course zip by relative path, with the upload's safety checks."""
    with tempfile.TemporaryDirectory(prefix="elearn-draft-") as tmp:
        return folder_files(unpack_course_zip(data, filename, Path(tmp)))


def folder_files(root: Path) -> dict[str, bytes]:
    """The files of a course folder by relative path (a folder ``courses check`` passed)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def keep_source(version: CourseVersion, files: dict[str, bytes]) -> None:
    """Keep the folder ``version`` was made from, so that a draft can start from it."""
    if db.session.get(CourseSource, version.id) is None:
        db.session.add(
            CourseSource(version_id=version.id, data=folder_zip(version.course.slug, files))
        )


def editable_versions(course: Course) -> list[CourseVersion]:
    """The versions of ``course`` whose folder is kept, newest first."""
    kept = set(
        db.session.scalars(
            select(CourseSource.version_id)
            .join(CourseVersion, CourseVersion.id == CourseSource.version_id)
            .where(CourseVersion.course_id == course.id)
        )
    )
    return [version for version in reversed(course.versions) if version.id in kept]
