"""Build the app's ``Jobs`` once in ``create_app``: kinds, schedules and the queue to use."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from elearn.blobs import BlobStore, DatabaseBlobStore, FolderBlobStore
from elearn.jobs.housekeeping import PURGE_KIND, purge_kind
from elearn.jobs.queue import InlineQueue
from elearn.jobs.registry import JobRegistry
from elearn.jobs.service import Jobs, Schedule
from elearn.jobs.settings import JobSettings
from elearn.jobs.xapi_delivery import DELIVERY_KIND, xapi_delivery_kind
from elearn.settings import Settings

_EXTENSION_KEY = "elearn.jobs"


def init_jobs(app: Flask, app_settings: Settings) -> None:
    """Register the job kinds and pick the queue: Dramatiq with a broker URL, else inline."""
    from elearn.certificates.owed_job import OWED_KIND, issue_owed_kind, owed_certificates_kind
    from elearn.certificates.pdf_store import certificate_pdf_kind
    from elearn.coordinator.upload_job import upload_kind
    from elearn.evaluation.job import FOLLOW_UP_KIND, follow_up_kind
    from elearn.mail.binding import current_mailer
    from elearn.mail.job import mail_send_kind
    from elearn.mail.smtp import sender_domain
    from elearn.programs.job import EVERY_SECONDS, ISSUE_MISSING_KIND, issue_missing_kind
    from elearn.reminders.job import REMINDERS_KIND, reminders_kind
    from elearn.reports.export_jobs import export_kind

    config = app.config
    settings = JobSettings.from_config(config)
    store = blob_store(app)
    registry = JobRegistry(
        [
            upload_kind(config["RENDER_WALL_SECONDS"]),
            export_kind(store),
            xapi_delivery_kind(),
            purge_kind(store),
            certificate_pdf_kind(store),
            owed_certificates_kind(),
            issue_owed_kind(),
            mail_send_kind(lambda: current_mailer(app), sender_domain(config["MAIL_FROM"])),
            reminders_kind(app),
            follow_up_kind(app),
            issue_missing_kind(),
        ]
    )
    schedules = [
        Schedule(PURGE_KIND, 3600),
        Schedule(OWED_KIND, app_settings.certificates.owed_every_seconds),
        # Hourly: each zone's first pass after 07:00 local sends what fell due overnight.
        Schedule(REMINDERS_KIND, 3600),
        Schedule(FOLLOW_UP_KIND, 3600),
        Schedule(ISSUE_MISSING_KIND, EVERY_SECONDS),
    ]
    if app_settings.xapi.lrs_url:
        schedules.append(Schedule(DELIVERY_KIND, app_settings.xapi.deliver_every_seconds))
    jobs = Jobs(registry, settings, schedules)
    if settings.broker_url:
        from elearn.jobs.dramatiq_queue import DramatiqQueue

        jobs.queue = DramatiqQueue(app, settings.broker_url, jobs.run)
    else:
        jobs.queue = InlineQueue(jobs.run)
    app.extensions[_EXTENSION_KEY] = jobs
    app.extensions["elearn.blobs"] = store


def blob_store(app: Flask) -> BlobStore:
    """The database, unless BLOB_STORE names a folder (relative to the instance folder)."""
    folder = app.config.get("BLOB_STORE", "database")
    if folder == "database":
        return DatabaseBlobStore()
    return FolderBlobStore(Path(app.instance_path) / folder)


def current_jobs(app: Flask | None = None) -> Jobs:
    """The running app's jobs (for views and commands; services are handed them)."""
    jobs: Jobs = (app or current_app).extensions[_EXTENSION_KEY]
    return jobs


def current_blobs(app: Flask | None = None) -> BlobStore:
    store: BlobStore = (app or current_app).extensions["elearn.blobs"]
    return store
