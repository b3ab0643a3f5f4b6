"""The ``certificates.issue-missing`` job: issue what completions are still owed.

A certificate is issued after its completion commits (``issue_owed_certificates``); when
that fails, for instance because the database went away between the two, the completion
stays stored without one. Workers run this every ``CERTIFICATES_OWED_EVERY_SECONDS``
(Settings.certificates.owed_every_seconds, 5 minutes by default), so nobody has to remember
``flask certificates issue-missing``; it is idempotent (one certificate per enrolment).
"""

from __future__ import annotations

from elearn.certificates.issuance import issue_missing
from elearn.jobs.registry import JobContext, JobKind, Outcome
from elearn.settings import current_settings

OWED_KIND = "certificates.issue-missing"


def _run(context: JobContext) -> Outcome:
    return Outcome(info={"issued": issue_missing(current_settings())})


def owed_certificates_kind() -> JobKind:
    return JobKind(OWED_KIND, _run, max_attempts=3)
