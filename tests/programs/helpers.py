"""Small programs over one-module courses, and learners moving through them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from elearn import clock
from elearn.extensions import db
from elearn.models import CourseVersion, ProgramCertificate, ProgramVersion, Unit
from elearn.programs.publish import store_program
from elearn.programs.source import parse_program
from tests.certificates.helpers import NO_QUIZZES
from tests.content.course_fixtures import COURSE_MD
from tests.learning.helpers import Learner, publish_course, sign_in

PROGRAM = "jalur-uji"


def publish_short_course(
    tmp_path: Path, slug: str, jp: int, *, module: str | None = None
) -> CourseVersion:
    """Publish a course of one module (no quiz) worth ``jp``; ``module`` changes its text."""
    course_md = COURSE_MD.replace("jp: 2", f"jp: {jp}").replace(
        "Dasar Manajemen Proyek", f"Kursus {slug}"
    )
    files: dict[str, str | bytes] = {**NO_QUIZZES, "course.md": course_md}
    if module is not None:
        files["01-siklus.md"] = f"---\ntitle: Siklus\n---\n{module}\n"
    return publish_course(tmp_path / f"v-{jp}-{module or ''}", slug, **files)


def program_md(courses: str, *, sequential: bool = True, slug: str = PROGRAM) -> str:
    return (
        f"---\nslug: {slug}\ntitle: Jalur Uji\ndescription: Program uji.\n"
        f"courses:\n{courses}berurutan: {'true' if sequential else 'false'}\n---\n"
    )


def write_program(root: Path, text: str, slug: str = PROGRAM) -> Path:
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "program.md").write_text(text, encoding="utf-8")
    return folder


def publish_program(
    tmp_path: Path,
    courses: str,
    *,
    sequential: bool = True,
    slug: str = PROGRAM,
    unit: Unit | None = None,
) -> ProgramVersion:
    """Publish a program over courses already published; ``courses`` is its YAML list."""
    text = program_md(courses, sequential=sequential, slug=slug)
    folder = write_program(tmp_path / "programs", text, slug)
    result = store_program(db.session, parse_program(folder), unit, clock.now())
    db.session.commit()
    return result.version


def join(learner: Learner, slug: str = PROGRAM):  # type: ignore[no-untyped-def]
    return learner.post(f"/programs/{slug}/enroll", page=f"/programs/{slug}")


def finish(learner: Learner, course_slug: str) -> None:
    """Enrol in (if needed) and complete a one-module course."""
    learner.enroll(course_slug)
    learner.post(f"/learn/{course_slug}/siklus/complete")
    db.session.expire_all()


def program_certificate(
    app, tmp_path: Path, *, unit: Unit | None = None
) -> tuple[Learner, ProgramCertificate]:  # type: ignore[no-untyped-def]
    """A program of two courses (3 + 5 JP) owned by ``unit``, met by a learner of that unit;
    the learner and their program certificate."""
    publish_short_course(tmp_path, "kursus-a", 3)
    publish_short_course(tmp_path, "kursus-b", 5)
    publish_program(tmp_path, "  - kursus-a\n  - kursus-b\n", unit=unit)
    learner = sign_in(app, **({"unit": unit} if unit else {}))
    join(learner)
    finish(learner, "kursus-a")
    finish(learner, "kursus-b")
    certificate = db.session.scalars(
        select(ProgramCertificate).where(ProgramCertificate.user_id == learner.user.id)
    ).one()
    return learner, certificate
