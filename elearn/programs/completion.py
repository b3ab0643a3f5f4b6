"""Completing a program: its certificate, checked after each course completion commits.

A completion owes its course certificate (``certificates.owed_job.owe_certificate``); once it
commits, ``certificates.owed_job.settle_completions`` issues that and then checks the open
programs of the same learners here, in the request or in a worker. The hourly job
``programs.issue-missing`` (``elearn/programs/job.py``, or ``flask programs issue-missing``)
catches up on anything missed (completions through other doors, or a failure
in between).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from elearn.models import ProgramCertificate, ProgramEnrollment
from elearn.programs.certificate import issue_program_certificate
from elearn.programs.progress import DbSession, progresses_of
from elearn.settings import Settings

logger = logging.getLogger(__name__)


def issue_program_certificates_of(
    session: DbSession, learners: Iterable[int], settings: Settings, now: datetime
) -> int:
    """Issue the program certificates ``learners``' completions earned, each learner in a
    transaction of its own."""
    issued = 0
    for user_id in sorted(learners):
        try:
            issued += len(check_programs_of(session, user_id, settings, now))
            session.commit()
        except Exception:  # noqa: BLE001 - the completion is committed; cron retries
            session.rollback()
            logger.exception(
                "program certificates of user %s not checked; flask programs issue-missing "
                "will retry",
                user_id,
            )
    return issued


def check_programs_of(
    session: DbSession, user_id: int, settings: Settings, now: datetime
) -> list[ProgramCertificate]:
    """Issue the certificate of every program ``user_id`` follows and has now met."""
    issued = []
    open_enrollments = session.scalars(
        select(ProgramEnrollment)
        .where(ProgramEnrollment.user_id == user_id, ProgramEnrollment.completed_at.is_(None))
        .options(joinedload(ProgramEnrollment.version))
    ).all()
    progresses = progresses_of(session, user_id, [e.version for e in open_enrollments])
    for enrollment, progress in zip(open_enrollments, progresses, strict=True):
        certificate = issue_program_certificate(session, enrollment, progress, settings, now)
        if certificate is not None:
            issued.append(certificate)
    return issued


def issue_missing_program_certificates(
    session: DbSession, settings: Settings, now: datetime
) -> int:
    """Check every learner with an open program enrolment (the hourly job, cron, the offline
    sync); one learner's failure does not stop the others."""
    users = session.scalars(
        select(ProgramEnrollment.user_id).where(ProgramEnrollment.completed_at.is_(None)).distinct()
    ).all()
    return issue_program_certificates_of(session, users, settings, now)
