"""The ``programs.issue-missing`` job: program certificates earned but not issued, hourly.

A program certificate is issued right after the completion that meets the program
(``certificates.owed_job.settle_completions``). If that step failed (the database went
away in between, a worker died), the completion stays stored without it; this job, run
by the workers' schedule, issues it, so nobody has to remember ``flask programs
issue-missing``. Idempotent: one certificate per program enrolment (a unique constraint),
and met enrolments are marked complete with it, so a rerun finds nothing to do.
"""

from __future__ import annotations

from elearn import clock
from elearn.extensions import db
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.programs.completion import issue_missing_program_certificates
from elearn.settings import current_settings

ISSUE_MISSING_KIND = "programs.issue-missing"
EVERY_SECONDS = 3600


def _run(context: JobContext) -> Outcome:
    issued = issue_missing_program_certificates(db.session, current_settings(), clock.now())
    return Outcome(info={"issued": issued})


def issue_missing_kind() -> JobKind:
    return JobKind(ISSUE_MISSING_KIND, _run, max_attempts=3, lease_seconds=1800)
