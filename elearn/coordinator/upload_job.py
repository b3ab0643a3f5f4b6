"""The ``course.upload`` job: process one uploaded course zip (see ``uploads.process_upload``)."""

from __future__ import annotations

from elearn.coordinator.uploads import UploadSettings, mark_crashed, process_upload
from elearn.extensions import db
from elearn.jobs.registry import JobContext, JobKind, Outcome, PermanentFailure
from elearn.settings import Settings, current_settings

KIND = "course.upload"


def upload_settings(settings: Settings) -> UploadSettings:
    """The render limits and sandbox switch from the app's settings."""
    return UploadSettings(budget=settings.render_budget, sandboxed=settings.content_sandbox)


def job_key(upload_id: int) -> str:
    return f"{KIND}:{upload_id}"


def _run(context: JobContext) -> Outcome:
    upload_id = int(context.args["upload_id"])
    # A later attempt means the first one's worker died mid-render: take the upload up again.
    settings = upload_settings(current_settings())
    try:
        process_upload(upload_id, settings, resume=context.attempt > 1)
    except Exception as exc:
        db.session.rollback()
        mark_crashed(upload_id)
        # The uploader is told on the status page and uploads again; a retry would find
        # the zip already emptied.
        raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc
    return Outcome(result=f"course_upload:{upload_id}")


def upload_kind(wall_seconds: int) -> JobKind:
    """The kind, with a lease outlasting the render process's own wall-clock limit."""
    return JobKind(KIND, _run, max_attempts=3, lease_seconds=2 * wall_seconds + 60)
