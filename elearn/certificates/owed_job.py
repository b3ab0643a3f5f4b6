"""Certificates owed by completions: issued in the request, or by a worker right after.

A certificate is issued after its completion commits. Without a job broker (``make run``,
tests) the request that completed the course issues it, as the jobs run inline anyway.
With workers, the completing transaction also records a ``certificates.issue-owed`` job
naming the enrolment (one INSERT, sent once it commits) and a worker issues it moments
later: a spike of learners finishing together then no longer queues its requests behind
the certificate counter row and the badge check, and the completion page says
"Sertifikat sedang disiapkan" until the certificate is there.

When issuing fails, or the job's message is lost (Redis down at the commit: the jobs'
sweep sends it again), the completion stays stored without one for a while. Workers run
``certificates.issue-missing`` every ``CERTIFICATES_OWED_EVERY_SECONDS``
(Settings.certificates.owed_every_seconds, 5 minutes by default), so nobody has to
remember ``flask certificates issue-missing``; both jobs are idempotent (one certificate
per enrolment).
"""

from __future__ import annotations

import secrets

from elearn import clock
from elearn.certificates import issuance
from elearn.certificates.issuance import issue_certificates_of, issue_missing
from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.models import Enrollment
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


def owe_certificate(enrollment: Enrollment) -> None:
    """This transaction completes ``enrollment``: its certificate is owed once it commits.

    With jobs on workers the job that issues it is recorded now, in the completing
    transaction, and sent when that commits (``Jobs.record_new``): no second transaction,
    and nothing left to issue if the completion rolls back. A completing quiz submit gets
    here before it writes its rollups, so their shared rows are not held longer for it.
    Without workers the request settles it itself after the commit (``settle_owed``).
    """
    jobs = current_jobs()
    if jobs.runs_inline:
        issuance.note_owed_certificate(enrollment)
        return
    # Each completion happens once, so its job is new. The key is unique by construction
    # (the enrolment and 48 random bits: a clash needs the same enrolment completed twice
    # and a 1 in 2**48 draw); running the job twice would issue nothing more anyway.
    key = f"{ISSUE_OWED_KIND}:{enrollment.id}:{secrets.token_hex(6)}"
    jobs.record_new(ISSUE_OWED_KIND, {"enrollments": [enrollment.id]}, key=key)


def settle_owed(enrollment_ids: list[int], settings: Settings) -> None:
    """Issue what these committed completions are owed, here and now (jobs run inline)."""
    if enrollment_ids:
        settle_completions(enrollment_ids, settings)


def settle_completions(enrollment_ids: list[int], settings: Settings) -> int:
    """The course certificates and badges of these completions, then the certificates of
    the programs their learners have now met; how many certificates were issued."""
    settled = issue_certificates_of(enrollment_ids, settings)
    programs = issue_program_certificates_of(db.session, settled.learners, settings, clock.now())
    return settled.issued + programs
