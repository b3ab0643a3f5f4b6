"""``flask courses ...``: check, publish, list and archive course folders."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from elearn import clock
from elearn.competencies.course_check import unknown_competencies
from elearn.content.errors import ContentErrors, SourceError
from elearn.content.parse import ParsedCourse, parse_course
from elearn.content.publish import PublishError, StoreResult, archive_course, store_version
from elearn.content.sandbox import (
    FolderSource,
    PreparedCourse,
    RenderFailure,
    prepare,
    prepare_limited,
)
from elearn.coordinator.sources import folder_files, keep_source
from elearn.extensions import db
from elearn.models import Course, Unit
from elearn.problem_text import Problem
from elearn.programs.publish import (
    check_programs,
    known_course_slugs,
    publish_program_folders,
    split_program_folders,
)
from elearn.programs.source import is_program_folder
from elearn.settings import Settings, current_settings

courses_cli = click.Group("courses", help="Check and publish Markdown course folders.")


def parse_folders(paths: list[Path]) -> tuple[list[ParsedCourse], list[SourceError]]:
    """Parse every folder, collecting all errors of all of them."""
    parsed, errors = [], []
    for path in paths:
        try:
            parsed.append(parse_course(path, label=str(path)))
        except ContentErrors as exc:
            errors.extend(exc.errors)
    return parsed, errors


def prepare_folders(
    paths: list[Path], settings: Settings
) -> tuple[list[PreparedCourse], list[SourceError]]:
    """Parse and render every folder in the limited render process.

    Return the courses without errors and every problem (errors and warnings) of all folders.
    """
    run = prepare_limited if settings.content_sandbox else prepare
    prepared: list[PreparedCourse] = []
    problems: list[SourceError] = []
    for path in paths:
        try:
            course = run(FolderSource(path, str(path)), settings.render_budget)
        except ContentErrors as exc:
            problems.extend(exc.problems)
        except RenderFailure as exc:
            problems.append(SourceError(str(path), 1, exc.message))
        else:
            prepared.append(course)
            problems.extend(course.parsed.warnings)
    return prepared, sorted(problems)


def publish_parsed(prepared: list[PreparedCourse], unit: Unit | None) -> list[StoreResult]:
    """Publish a batch in prerequisite order; raise PublishError and store nothing on failure."""
    batch = frozenset(course.parsed.slug for course in prepared)
    rendered = {course.parsed.slug: course.rendered for course in prepared}
    results = []
    try:
        for course in prerequisite_order([course.parsed for course in prepared]):
            results.append(
                store_version(
                    course,
                    unit=unit,
                    actor=None,
                    publish=True,
                    known_slugs=batch,
                    rendered=rendered[course.slug],
                )
            )
    except PublishError:
        db.session.rollback()
        raise
    return results


def prerequisite_order(parsed: list[ParsedCourse]) -> list[ParsedCourse]:
    by_slug = {course.slug: course for course in parsed}
    ordered: list[ParsedCourse] = []
    visiting: set[str] = set()

    def visit(course: ParsedCourse) -> None:
        if course in ordered:
            return
        if course.slug in visiting:
            where = f"{course.slug}/course.md"
            raise PublishError([SourceError(where, 1, Problem("prasyarat melingkar"))])
        visiting.add(course.slug)
        for slug in course.meta.prerequisites:
            if slug in by_slug:
                visit(by_slug[slug])
        visiting.discard(course.slug)
        ordered.append(course)

    for course in parsed:
        visit(course)
    return ordered


def _resolve_paths(paths: tuple[Path, ...], all_courses: bool, courses_dir: Path) -> list[Path]:
    """Folders to work on; one without course.md or program.md stands for the folders inside."""
    if all_courses:
        paths = (courses_dir,)
    if not paths:
        raise click.UsageError("give one or more course folders, or --all")
    folders: list[Path] = []
    for path in paths:
        if path.is_dir() and not (path / "course.md").exists() and not is_program_folder(path):
            folders.extend(
                sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
            )
        else:
            folders.append(path)
    return folders


def _echo_problems(problems: list[SourceError]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _echo_errors(problems: list[SourceError]) -> None:
    _echo_problems(problems)
    errors = sum(problem.is_error for problem in problems)
    click.echo(f"{errors} error(s); nothing was published", err=True)


@courses_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "all_courses", is_flag=True, help="Every folder in COURSES_DIR.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (exit 1).")
def check_command(paths: tuple[Path, ...], all_courses: bool, strict: bool) -> None:
    """Check course folders; print each problem as path:line: message.

    Warnings read path:line: peringatan: message. Exit 1 on any error, or with
    --strict on any warning; warnings alone exit 0.
    """
    settings = current_settings()
    folders, program_folders = split_program_folders(
        _resolve_paths(paths, all_courses, settings.courses_dir)
    )
    prepared, problems = prepare_folders(folders, settings)
    parsed = [course.parsed for course in prepared]
    # Competency codes are checked against the dictionary in the database.
    labels = {folder.name: str(folder) for folder in folders}
    for course in parsed:
        problems.extend(unknown_competencies(course, labels.get(course.slug, course.slug)))
    # A program may name stored courses, courses checked with it, or course folders beside it.
    beside = {p.parent.name for f in program_folders for p in f.parent.glob("*/course.md")}
    known = known_course_slugs(db.session, beside | {folder.name for folder in folders})
    programs, program_errors = check_programs(program_folders, known)
    problems.extend(program_errors)
    problems.sort()
    _echo_problems(problems)
    if any(problem.is_error for problem in problems):
        raise SystemExit(1)
    if strict and problems:
        click.echo(f"{len(problems)} peringatan; --strict menganggapnya gagal", err=True)
        raise SystemExit(1)
    for course in parsed:
        quizzes = sum(item.is_quiz for item in course.items)
        click.echo(
            f"{course.slug}: ok — {len(course.items) - quizzes} modules, {quizzes} quizzes, "
            f"{len(course.assets)} assets, {course.meta.jp} JP, version {course.content_hash[:12]}"
        )
    for program in programs:
        courses = sum(len(step.slugs) for step in program.steps)
        click.echo(
            f"{program.slug}: ok — program, {len(program.steps)} steps, {courses} courses, "
            f"version {program.content_hash[:12]}"
        )


@courses_cli.command("publish")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "all_courses", is_flag=True, help="Every folder in COURSES_DIR.")
@click.option("--unit", "unit_code", help="Unit whose coordinators manage new courses.")
def publish_command(paths: tuple[Path, ...], all_courses: bool, unit_code: str | None) -> None:
    """Publish course folders; with any error, nothing is published."""
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise click.UsageError(f"unknown unit code '{unit_code}'")
    settings = current_settings()
    folders, program_folders = split_program_folders(
        _resolve_paths(paths, all_courses, settings.courses_dir)
    )
    prepared, problems = prepare_folders(folders, settings)
    if any(problem.is_error for problem in problems):
        _echo_errors(problems)
        raise SystemExit(1)
    try:
        results = publish_parsed(prepared, unit)
    except PublishError as exc:
        _echo_errors(sorted([*exc.errors, *problems]))
        raise SystemExit(1) from None
    # After the courses, so a program may name courses published in the same run.
    programs, program_errors = publish_program_folders(
        db.session, program_folders, unit, clock.now()
    )
    if program_errors:
        db.session.rollback()
        _echo_errors(sorted([*program_errors, *problems]))
        raise SystemExit(1)
    _echo_problems(problems)  # warnings only: they do not stop publishing
    # Every folder parsed (no errors), in order: keep each one so the browser editor can
    # open a draft of the version it made.
    folder_of = {
        course.parsed.slug: folder for folder, course in zip(folders, prepared, strict=True)
    }
    for result in results:
        keep_source(result.version, folder_files(folder_of[result.version.course.slug]))
    db.session.commit()
    for result in results:
        version = result.version
        if result.created:
            state = "published as a new version"
        elif result.status_changed:
            state = "published (existing version)"
        else:
            state = "unchanged"
        click.echo(f"{version.course.slug} v{version.number} ({version.short_hash}): {state}")
    for program in programs:
        state = "published" if program.created or program.status_changed else "unchanged"
        click.echo(f"{program.version.program.slug} v{program.version.number} (program): {state}")


@courses_cli.command("list")
def list_command() -> None:
    """List courses with their versions and states."""
    for course in db.session.scalars(select(Course).order_by(Course.slug)):
        owner = course.unit.code if course.unit else "(platform)"
        click.echo(f"{course.slug}  [{owner}]")
        for version in course.versions:
            click.echo(
                f"  v{version.number} {version.short_hash} {version.status:<9} "
                f"{version.jp} JP  {version.title}"
            )


@courses_cli.command("archive")
@click.argument("slug")
def archive_command(slug: str) -> None:
    """Withdraw a course from the catalog (enrolled learners keep their version)."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"unknown course '{slug}'")
    if not archive_course(course):
        raise click.ClickException(f"'{slug}' has no published version")
    db.session.commit()
    click.echo(f"{slug} archived")
