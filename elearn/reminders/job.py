"""The ``reminders.run`` job: one pass, submitted hourly by the workers' sweep."""

from __future__ import annotations

from flask import Flask

from elearn import clock
from elearn.jobs.binding import current_jobs
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.reminders.channels import MailChannel
from elearn.reminders.service import run_reminders
from elearn.settings import current_settings

REMINDERS_KIND = "reminders.run"


def reminders_kind(app: Flask) -> JobKind:
    """The kind; the app's jobs and settings are looked up at run time (tests rebind them)."""

    def run(context: JobContext) -> Outcome:
        settings = current_settings()
        channels = [MailChannel(current_jobs(app), settings.public_base_url)]
        summary = run_reminders(clock.now(), settings, channels)
        return Outcome(info={"created": dict(summary.created), "sent": dict(summary.sent)})

    # A pass over 100,000 learners sends its e-mail through the queue: a long lease.
    return JobKind(REMINDERS_KIND, run, max_attempts=3, lease_seconds=1800)
