"""Certificates owed by completions: issued in the request, or by a worker right after.

A certificate is issued after its completion commits. Without a job broker (``make run``,
tests) the request that completed the course issues it, as the jobs run inline anyway.
With workers, the request only records a ``certificates.issue-owed`` job naming the
enrolments (one INSERT) and a worker issues them moments later: a spike of learners
finishing together then no longer queues its requests behind the certificate counter
row and the badge check, and the completion page says "Sertifikat sedang disiapkan"
until the certificate is there.

When that fails, for instance because the database went away between the two, the
completion stays stored without one. Workers run ``certificates.issue-missing`` every
``CERTIFICATES_OWED_EVERY_SECONDS`` (Settings.certificates.owed_every_seconds, 5 minutes
by default), so nobody has to remember ``flask certificates issue-missing``; both jobs
are idempotent (one certificate per enrolment).
"""

from __future__ import annotations

import secrets

from elearn import clock
from elearn.certificates.issuance import issue_certificates_of, issue_missing
from elearn.extensions import db
from elearn.jobs.queue import InlineQueue
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.jobs.service import Jobs
from elearn.programs.completion import issue_program_certificates_of
from elearn.settings import Settings, current_settings

OWED_KIND = "certificates.issue-missing"
ISSUE_OWED_KIND = "certificates.issue-owed"


def _run(context: JobContext) -> Outcome:
    return Outcome(info={"issued": issue_missing(current_settings())})


def owed_certificates_kind() -> JobKind:
    return JobKind(OWED_KIND, _run, max_attempts=3)


def _run_owed(context: JobContext) -> Outcome:
    ids = [int(i) for i in context.args.get("enrollments", [])]
    return Outcome(info={"issued": settle_completions(ids, current_settings())})


def issue_owed_kind() -> JobKind:
    return JobKind(ISSUE_OWED_KIND, _run_owed, max_attempts=3)


def settle_owed(jobs: Jobs, enrollment_ids: list[int], settings: Settings) -> None:
    """Settle what these committed completions are owed now, or hand it to a worker when
    jobs run on workers."""
    if not enrollment_ids:
        return
    if isinstance(jobs.queue, InlineQueue):
        settle_completions(enrollment_ids, settings)
        return
    # Each completion happens once, so its job is new. The key is unique by construction
    # (the enrolment and 48 random bits: a clash needs the same enrolment settled twice and
    # a 1 in 2**48 draw), which spares the look-up and the savepoint; running the job twice
    # would issue nothing more anyway.
    key = f"{ISSUE_OWED_KIND}:{enrollment_ids[0]}:{secrets.token_hex(6)}"
    jobs.submit_new(ISSUE_OWED_KIND, {"enrollments": enrollment_ids}, key=key)


def settle_completions(enrollment_ids: list[int], settings: Settings) -> int:
    """The course certificates and badges of these completions, then the certificates of
    the programs their learners have now met; how many certificates were issued."""
    settled = issue_certificates_of(enrollment_ids, settings)
    programs = issue_program_certificates_of(db.session, settled.learners, settings, clock.now())
    return settled.issued + programs
