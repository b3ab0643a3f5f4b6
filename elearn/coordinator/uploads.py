"""Uploaded course zips: stored at once, processed outside the request, status kept in a table.

``process_upload(upload_id)`` is what the ``course.upload`` job runs
(``elearn.coordinator.upload_job``); the worker thread only waits: the parsing
and rendering happen in the render process of ``elearn.content.sandbox``, under
its limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from elearn import clock
from elearn.content.errors import ContentErrors, Severity, SourceError
from elearn.content.limits import RenderBudget
from elearn.content.publish import PublishError, store_version
from elearn.content.sandbox import (
    NO_SPACE,
    NO_SPACE_MESSAGE,
    PreparedCourse,
    RenderFailure,
    Source,
    ZipSource,
    prepare,
    prepare_limited,
)
from elearn.content.upload import MAX_ZIP_BYTES
from elearn.coordinator.scope import can_manage
from elearn.coordinator.sources import keep_source, read_course_zip
from elearn.extensions import db
from elearn.models import Course, CourseUpload, Unit, UploadStatus, User
from elearn.problem_text import Problem, from_record, to_record

STALLED_MESSAGE = Problem(
    "pemrosesan terhenti (server dimulai ulang saat memproses); silakan unggah ulang berkasnya"
)
CONFLICT_MESSAGE = Problem(
    "versi ini sedang diterbitkan oleh proses lain; tunggu sebentar lalu coba lagi"
)
_PG_CONFLICTS = frozenset({"40001", "40P01"})  # serialization failure, deadlock


@dataclass(frozen=True)
class UploadSettings:
    """How uploads are processed; built from the app's config by the view."""

    budget: RenderBudget
    sandboxed: bool = True  # False runs the renderer in this process (tests, debugging)


def accept_upload(data: bytes, filename: str, unit: Unit | None, actor: User) -> CourseUpload:
    """Store ``data`` as a queued upload; refuse at once what is too large to queue."""
    if len(data) > MAX_ZIP_BYTES:
        message = Problem("berkas zip melebihi %(mb)d MB", mb=MAX_ZIP_BYTES // 2**20)
        raise ContentErrors([SourceError(filename, 1, message)])
    upload = CourseUpload(
        filename=filename, data=data, unit_id=unit.id if unit else None, uploaded_by=actor
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def is_conflict(exc: Exception) -> bool:
    """Tell whether ``exc`` means another transaction wrote the same course first."""
    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, OperationalError):
        code = getattr(exc.orig, "sqlstate", None)
        return code in _PG_CONFLICTS or "database is locked" in str(exc.orig)
    return False


def is_out_of_space(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in NO_SPACE


def process_upload(upload_id: int, settings: UploadSettings, *, resume: bool = False) -> None:
    """Parse, render and store one queued upload; record the outcome on it.

    Idempotent: an upload that is no longer queued is left alone, except that
    ``resume`` takes up one left processing by a worker that died (the job's
    lease says nobody else holds it).
    """
    waiting = [UploadStatus.QUEUED, UploadStatus.PROCESSING] if resume else [UploadStatus.QUEUED]
    outcome = db.session.execute(
        update(CourseUpload)
        .where(CourseUpload.id == upload_id, CourseUpload.status.in_(waiting))
        .values(status=UploadStatus.PROCESSING, started_at=clock.now())
    )
    db.session.commit()
    if outcome.rowcount != 1:  # type: ignore[attr-defined]
        return
    upload = db.session.get_one(CourseUpload, upload_id)
    source = ZipSource(upload.data, upload.filename)
    try:
        prepared = _prepare(source, settings)
    except ContentErrors as exc:
        return _finish(upload, UploadStatus.FAILED, problems=exc.problems)
    except RenderFailure as exc:
        return _finish(upload, UploadStatus.FAILED, message=exc.message)
    _store(upload, prepared)


def _prepare(source: Source, settings: UploadSettings) -> PreparedCourse:
    if settings.sandboxed:
        return prepare_limited(source, settings.budget)
    return prepare(source, settings.budget)


def _store(upload: CourseUpload, prepared: PreparedCourse) -> None:
    parsed = prepared.parsed
    upload.course_slug = parsed.slug
    course = db.session.scalar(select(Course).where(Course.slug == parsed.slug))
    actor = upload.uploaded_by
    if course is not None and (actor is None or not can_manage(actor, course)):
        message = Problem("kursus '%(slug)s' dikelola unit lain", slug=parsed.slug)
        return _finish(upload, UploadStatus.FAILED, message=message)
    # Two tries: when a parallel upload of the same content wins the race, the
    # second try finds its version and reports "unchanged".
    for attempt in range(2):
        upload.course_slug = parsed.slug  # again: a rollback forgets it
        try:
            result = store_version(
                parsed,
                unit=upload.unit,
                actor=actor,
                publish=False,
                rendered=prepared.rendered,
            )
            upload.version_number = result.version.number
            upload.new_version = result.created
            # The zip is emptied below: keep its folder for editing in the browser.
            keep_source(result.version, read_course_zip(upload.data, upload.filename))
            return _finish(upload, UploadStatus.DONE, problems=list(parsed.warnings))
        except PublishError as exc:
            db.session.rollback()
            problems = sorted([*exc.errors, *parsed.warnings])
            return _finish(upload, UploadStatus.FAILED, problems=problems)
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if not is_conflict(exc):
                raise
            if attempt:
                return _finish(upload, UploadStatus.CONFLICT, message=CONFLICT_MESSAGE)
        except OSError as exc:
            db.session.rollback()
            if not is_out_of_space(exc):
                raise
            return _finish(upload, UploadStatus.FAILED, message=NO_SPACE_MESSAGE)


def give_up_if_stalled(upload: CourseUpload, settings: UploadSettings) -> bool:
    """Fail an upload whose processing died with its web worker; True if it did.

    Without a job worker (or with its job dead) nobody picks the upload up again;
    without this the status page would say "sedang diproses" for ever. Twice the
    render wall-clock limit is well past any upload still being worked on.
    """
    if upload.finished:
        return False
    since = upload.started_at or upload.created_at
    if clock.now() - since <= timedelta(seconds=2 * settings.budget.wall_seconds):
        return False
    # Conditional: if processing finishes at this very moment, its outcome stands.
    outcome = db.session.execute(
        update(CourseUpload)
        .where(
            CourseUpload.id == upload.id,
            CourseUpload.status.in_([UploadStatus.QUEUED, UploadStatus.PROCESSING]),
        )
        .values(
            status=UploadStatus.FAILED, message=STALLED_MESSAGE, data=b"", finished_at=clock.now()
        )
    )
    db.session.commit()
    db.session.refresh(upload)
    return outcome.rowcount == 1  # type: ignore[attr-defined]


def _finish(
    upload: CourseUpload,
    status: UploadStatus,
    *,
    problems: list[SourceError] | None = None,
    message: str = "",
) -> None:
    upload.status = status
    # The column is named for errors; warnings are kept in it too, marked as such.
    upload.errors = [_record(problem) for problem in problems or []]
    upload.message = message
    upload.data = b""
    upload.finished_at = clock.now()
    db.session.commit()


def _record(problem: SourceError) -> dict[str, Any]:
    record = {"path": problem.path, "line": problem.line, "message": problem.message}
    if not problem.is_error:
        record["severity"] = problem.severity.value
    return {**record, **to_record(problem.message)}


def stored_problems(upload: CourseUpload) -> list[SourceError]:
    """The errors and warnings recorded on ``upload``, messages translatable again."""
    return [
        SourceError(
            record["path"],
            record["line"],
            from_record(record["message"], record),
            Severity(record.get("severity", Severity.ERROR)),
        )
        for record in upload.errors
    ]


def version_warnings(slug: str, number: int) -> list[SourceError]:
    """The warnings of the latest upload that stored (or matched) version ``number`` of ``slug``.

    Versions published from the command line have none recorded: ``flask courses check``
    shows theirs.
    """
    upload = db.session.scalar(
        select(CourseUpload)
        .where(
            CourseUpload.course_slug == slug,
            CourseUpload.version_number == number,
            CourseUpload.status == UploadStatus.DONE,
        )
        .order_by(CourseUpload.finished_at.desc(), CourseUpload.id.desc())
        .limit(1)
    )
    if upload is None:
        return []
    return [problem for problem in stored_problems(upload) if not problem.is_error]


def mark_crashed(upload_id: int) -> None:
    """Fail an upload whose processing raised, so its page says so instead of waiting."""
    upload = db.session.get(CourseUpload, upload_id)
    if upload is not None and not upload.finished:
        message = Problem("pemrosesan gagal karena kesalahan server; hubungi admin")
        _finish(upload, UploadStatus.FAILED, message=message)
