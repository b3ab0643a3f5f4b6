"""Store a parsed program as an immutable version that pins its courses, and publish it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from elearn.content.errors import ContentErrors, SourceError
from elearn.models import Course, Program, ProgramCourse, ProgramVersion, Unit, VersionStatus
from elearn.programs.progress import DbSession
from elearn.programs.source import ParsedProgram, is_program_folder, parse_program, unknown_courses


@dataclass(frozen=True)
class ProgramResult:
    version: ProgramVersion
    created: bool  # a new version was stored
    status_changed: bool  # an existing version became the published one


def split_program_folders(folders: list[Path]) -> tuple[list[Path], list[Path]]:
    """Return (course folders, program folders) of ``folders``, keeping their order."""
    programs = [folder for folder in folders if is_program_folder(folder)]
    return [folder for folder in folders if folder not in programs], programs


def known_course_slugs(session: DbSession, also: set[str]) -> set[str]:
    """Slugs a program may name: courses stored in the database, and ``also``."""
    return set(session.scalars(select(Course.slug))) | also


def check_programs(
    folders: list[Path], known: set[str]
) -> tuple[list[ParsedProgram], list[SourceError]]:
    """Parse every program folder; return those without errors and every error found."""
    parsed: list[ParsedProgram] = []
    errors: list[SourceError] = []
    for folder in folders:
        try:
            program = parse_program(folder, label=str(folder))
        except ContentErrors as exc:
            errors.extend(exc.errors)
            continue
        unknown = unknown_courses(program, known)
        errors.extend(unknown)
        if not unknown:
            parsed.append(program)
    return parsed, sorted(errors)


def store_program(
    session: DbSession, parsed: ParsedProgram, unit: Unit | None, now: datetime
) -> ProgramResult:
    """Store ``parsed`` (a new version unless its program.md is unchanged) and publish it.

    The courses must be in the database already (publish them first, in the same batch).
    The version before it is archived: learners enrolled in it keep it.
    """
    courses = {
        course.slug: course
        for course in session.scalars(
            select(Course).where(Course.slug.in_([s for st in parsed.steps for s in st.slugs]))
        )
    }
    unknown = unknown_courses(parsed, set(courses))
    if unknown:
        raise ContentErrors(unknown)
    program = session.scalar(select(Program).where(Program.slug == parsed.slug))
    if program is None:
        program = Program(slug=parsed.slug, unit=unit)
        session.add(program)
        session.flush()
    version = session.scalar(
        select(ProgramVersion).where(
            ProgramVersion.program_id == program.id,
            ProgramVersion.content_hash == parsed.content_hash,
        )
    )
    created = version is None
    if version is None:
        number = session.scalar(
            select(func.coalesce(func.max(ProgramVersion.number), 0)).where(
                ProgramVersion.program_id == program.id
            )
        )
        version = ProgramVersion(
            program=program,
            number=int(number or 0) + 1,
            content_hash=parsed.content_hash,
            status=VersionStatus.DRAFT,
            title=parsed.title,
            description=parsed.description,
            sequential=parsed.sequential,
            electives={
                str(index): {"title": step.title, "choose": step.choose}
                for index, step in enumerate(parsed.steps, start=1)
                if step.is_elective
            },
            created_at=now,
        )
        for index, step in enumerate(parsed.steps, start=1):
            for position, slug in enumerate(step.slugs, start=1):
                version.courses.append(
                    ProgramCourse(step=index, position=position, course=courses[slug])
                )
        session.add(version)
        session.flush()
    changed = version.status != VersionStatus.PUBLISHED
    if changed:
        for other in program.versions:
            if other.status == VersionStatus.PUBLISHED and other.id != version.id:
                other.status = VersionStatus.ARCHIVED
        session.flush()  # the one-published index sees the old one archived first
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        session.flush()
    return ProgramResult(version, created, changed and not created)


def publish_program_folders(
    session: DbSession, folders: list[Path], unit: Unit | None, now: datetime
) -> tuple[list[ProgramResult], list[SourceError]]:
    """Check and publish program folders against the courses now stored; all or nothing."""
    parsed, errors = check_programs(folders, known_course_slugs(session, set()))
    if errors:
        return [], errors
    return [store_program(session, program, unit, now) for program in parsed], []
