"""The ``siasn.push`` job: push a year's records (optionally one instansi's) to SIASN.

SIASN being down or slow fails the job, and the job queue retries it with backoff; the
rows already sent stay sent, so a retry sends only the rest. Missing or refused
credentials kill it at once: retrying cannot help.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from elearn.jobs.registry import JobContext, JobKind, Outcome, PermanentFailure
from elearn.settings import current_settings
from elearn.siasn.client import SiasnClient, SiasnSignInFailed
from elearn.siasn.documents import document_for
from elearn.siasn.push import push_year, retry_refused
from elearn.siasn.settings import SiasnNotConfigured

PUSH_KIND = "siasn.push"


def siasn_push_kind(app: Flask) -> JobKind:
    def run(context: JobContext) -> Outcome:
        app_settings = current_settings()
        settings = app_settings.siasn
        try:
            settings.check()
        except SiasnNotConfigured as exc:
            raise PermanentFailure(str(exc)) from exc
        year = int(context.args["year"])
        raw_instansi = context.args.get("instansi_id")
        instansi_id = int(raw_instansi) if raw_instansi is not None else None
        if context.attempt == 1:  # later attempts must not undo what the first one found
            if context.args.get("retry_refused"):
                retry_refused(year, instansi_id)
            if context.args.get("retry_uncertain"):
                retry_refused(year, instansi_id, uncertain=True)
        base_url = app_settings.public_base_url or "http://localhost"
        try:
            report = push_year(
                SiasnClient(settings),
                year,
                instansi_id,
                default_zone=app_settings.default_timezone,
                document_for=lambda record: document_for(record, base_url),
                lease=timedelta(seconds=settings.lease_seconds),
                progress=context.progress,
            )
        except SiasnSignInFailed as exc:
            raise PermanentFailure(str(exc)) from exc
        return Outcome(
            info={
                "sent": report.sent,
                "refused": report.refused,
                "uncertain": report.uncertain,
                "skipped": report.skipped,
            }
        )

    # A push of a large instansi takes a while: the lease is renewed by progress reports.
    return JobKind(PUSH_KIND, run, max_attempts=6, lease_seconds=900)
