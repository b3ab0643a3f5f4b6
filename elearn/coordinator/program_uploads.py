"""A program uploaded as a zip: its program.md and its course folders, imported all or nothing.

The zip holds what ``courses/`` holds for a program: a folder with ``program.md`` and the
course folders (``course.md`` each), either beside it or inside it, optionally wrapped in
one top folder. Every course is checked and rendered as ``flask courses check`` does (the
limited render process, the competency dictionary), the program as the program loader does
(its steps must name courses in the zip or stored). Any error, and nothing is stored; else
the courses and the program are published in one transaction, as ``flask courses
publish`` would. Messages are ``path:line: message`` with paths inside the zip.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from elearn.accounts.services import scoped_unit_ids
from elearn.competencies.course_check import unknown_competencies
from elearn.content.cli import prerequisite_order
from elearn.content.errors import ContentErrors, SourceError
from elearn.content.publish import StoreResult, store_version
from elearn.content.sandbox import (
    FolderSource,
    PreparedCourse,
    RenderFailure,
    prepare,
    prepare_limited,
)
from elearn.content.upload import unpack_zip_tree
from elearn.coordinator.scope import can_manage
from elearn.coordinator.sources import folder_files, keep_source
from elearn.extensions import db
from elearn.models import Course, Program, Role, Unit, User
from elearn.problem_text import Problem
from elearn.programs.publish import ProgramResult, known_course_slugs, store_program
from elearn.programs.source import FILE_NAME, ParsedProgram, parse_program, unknown_courses
from elearn.settings import Settings

Label = Callable[[Path], str]  # how a folder is named in messages: its path inside the zip


@dataclass(frozen=True)
class ProgramImport:
    program: ProgramResult
    courses: list[StoreResult]
    warnings: list[SourceError]


class ProgramRefused(ContentErrors):
    """The zip has errors (warnings come along); nothing was stored."""


def import_program_zip(
    data: bytes, filename: str, unit: Unit | None, actor: User, settings: Settings, now: datetime
) -> ProgramImport:
    """Check the program zip and publish its courses and program; raise ProgramRefused."""
    with tempfile.TemporaryDirectory(prefix="elearn-program-") as tmp:
        root = Path(tmp)
        try:
            unpack_zip_tree(data, filename, root)
        except ContentErrors as exc:
            raise ProgramRefused(exc.problems) from None
        return _import(root, filename, unit, actor, settings, now)


def _import(
    root: Path, filename: str, unit: Unit | None, actor: User, settings: Settings, now: datetime
) -> ProgramImport:
    def label(folder: Path) -> str:
        relative = folder.relative_to(root).as_posix()
        return Path(filename).stem if relative == "." else relative

    program_folder, course_folders, problems = _layout(root, filename, label)
    prepared = _prepare_courses(course_folders, label, settings, problems)
    program = _check_program(program_folder, label, prepared, problems) if program_folder else None
    problems.extend(_not_managed(actor, prepared, program, label, course_folders))
    if program is None or any(problem.is_error for problem in problems):
        raise ProgramRefused(problems)
    warnings = sorted(problems)
    folder_of = {course.parsed.slug: folder for folder, course in prepared}
    rendered = {course.parsed.slug: course.rendered for _, course in prepared}
    batch = frozenset(folder_of)
    try:
        results = []
        for parsed in prerequisite_order([course.parsed for _, course in prepared]):
            result = store_version(
                parsed,
                unit=unit,
                actor=actor,
                publish=True,
                known_slugs=batch,
                rendered=rendered[parsed.slug],
            )
            keep_source(result.version, folder_files(folder_of[parsed.slug]))
            results.append(result)
        stored = store_program(db.session, program, unit, now)
    except ContentErrors as exc:  # found only against the database (PublishError too)
        db.session.rollback()
        raise ProgramRefused([*exc.problems, *warnings]) from None
    return ProgramImport(stored, results, warnings)


def _layout(
    root: Path, filename: str, label: Label
) -> tuple[Path | None, list[Path], list[SourceError]]:
    """The program folder and the course folders in ``root``; a problem if not one program."""
    courses = sorted({path.parent for path in root.rglob("course.md")})
    programs = sorted(
        path.parent for path in root.rglob(FILE_NAME) if not (path.parent / "course.md").exists()
    )
    if len(programs) != 1:
        message = Problem(
            "zip harus berisi tepat satu program.md (ditemukan %(n)d)", n=len(programs)
        )
        return None, courses, [SourceError(filename, 1, message)]
    program = programs[0]
    problems = []
    for path in sorted(root.rglob("*")):
        inside = [c for c in courses if path == c or c in path.parents]
        if path.is_file() and not inside and path != program / FILE_NAME:
            where = path.relative_to(root).as_posix()
            message = Problem("berkas ini tidak termasuk program.md atau folder kursus mana pun")
            problems.append(SourceError(where, 1, message))
    return program, courses, problems


def _prepare_courses(
    folders: list[Path], label: Label, settings: Settings, problems: list[SourceError]
) -> list[tuple[Path, PreparedCourse]]:
    """Parse and render each course folder as ``courses check`` does; collect the problems."""
    run = prepare_limited if settings.content_sandbox else prepare
    prepared = []
    for folder in folders:
        name = label(folder)
        try:
            course = run(FolderSource(folder, name), settings.render_budget)
        except ContentErrors as exc:
            problems.extend(exc.problems)
        except RenderFailure as exc:
            problems.append(SourceError(name, 1, exc.message))
        else:
            problems.extend(course.parsed.warnings)
            problems.extend(unknown_competencies(course.parsed, name))
            prepared.append((folder, course))
    return prepared


def _check_program(
    folder: Path,
    label: Label,
    prepared: list[tuple[Path, PreparedCourse]],
    problems: list[SourceError],
) -> ParsedProgram | None:
    """Parse program.md; its steps may name the zip's courses or courses already stored."""
    try:
        program = parse_program(folder, label=label(folder))
    except ContentErrors as exc:
        problems.extend(exc.problems)
        return None
    in_zip = {course.parsed.slug for _, course in prepared}
    unknown = unknown_courses(program, known_course_slugs(db.session, in_zip))
    problems.extend(unknown)
    return None if unknown else program


def _not_managed(
    actor: User,
    prepared: list[tuple[Path, PreparedCourse]],
    program: ParsedProgram | None,
    label: Label,
    folders: list[Path],
) -> list[SourceError]:
    """Courses and a program of the same slug that another unit manages."""
    problems = []
    slugs = [course.parsed.slug for _, course in prepared]
    stored = {c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(slugs)))}
    for folder, course in prepared:
        existing = stored.get(course.parsed.slug)
        if existing is not None and not can_manage(actor, existing):
            where = f"{label(folder)}/course.md"
            message = Problem("kursus '%(slug)s' dikelola unit lain", slug=course.parsed.slug)
            problems.append(SourceError(where, 1, message))
    if program is not None and not actor.has_role(Role.ADMIN):
        existing_program = db.session.scalar(select(Program).where(Program.slug == program.slug))
        units = scoped_unit_ids(actor, Role.COORDINATOR)
        if existing_program is not None and existing_program.unit_id not in units:
            message = Problem("program '%(slug)s' dikelola unit lain", slug=program.slug)
            problems.append(SourceError(program.path, 1, message))
    return problems
